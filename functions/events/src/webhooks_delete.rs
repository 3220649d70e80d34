//! `POST /api/webhooks/delete`: removes a webhook; its pending deliveries stop.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::{ApiError, AppState, db};
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct DeleteWebhook {
    pub id: Uuid,
}

impl Validate for DeleteWebhook {}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Deleted {
    pub id: Uuid,
    pub deleted: bool,
}

#[utoipa::path(
    post, path = "/api/webhooks/delete", tag = "webhooks",
    request_body = DeleteWebhook,
    responses(
        (status = 200, body = Deleted),
        (status = 404, description = "Webhook not found", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<DeleteWebhook>,
) -> Result<Json<Deleted>, ApiError> {
    ctx.require(Permission::OrgManage)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    let found = db::webhooks::delete(&tx, ctx.org_id, body.id).await?;
    tx.commit().await?;
    if !found {
        return Err(ApiError::not_found("Webhook not found"));
    }
    Ok(Json(Deleted {
        id: body.id,
        deleted: true,
    }))
}
