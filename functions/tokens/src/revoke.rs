//! `POST /api/tokens/revoke`: deactivates a token of the org (idempotent).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::{ApiError, AppState, db};
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RevokeToken {
    pub id: Uuid,
}

impl Validate for RevokeToken {}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Revoked {
    pub id: Uuid,
    pub is_active: bool,
}

#[utoipa::path(
    post, path = "/api/tokens/revoke", tag = "tokens",
    request_body = RevokeToken,
    responses(
        (status = 200, body = Revoked),
        (status = 404, description = "API token not found", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<RevokeToken>,
) -> Result<Json<Revoked>, ApiError> {
    ctx.require(Permission::OrgManage)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    let found = db::api_tokens::revoke(&tx, ctx.org_id, body.id).await?;
    tx.commit().await?;
    if !found {
        return Err(ApiError::not_found("API token not found"));
    }
    Ok(Json(Revoked {
        id: body.id,
        is_active: false,
    }))
}
