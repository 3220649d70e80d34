//! `POST /api/clients/get`

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shared::auth::{AuthContext, Permission, client_not_found};
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct GetClient {
    pub id: Uuid,
}

impl Validate for GetClient {}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ClientDetail {
    pub id: Uuid,
    pub name: String,
    pub domain: Option<String>,
    pub is_active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[utoipa::path(
    post, path = "/api/clients/get", tag = "clients",
    request_body = GetClient,
    responses(
        (status = 200, body = ClientDetail),
        (status = 404, description = "Client not found", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<GetClient>,
) -> Result<Json<ClientDetail>, ApiError> {
    ctx.require(Permission::OrgManage)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    let client = db::clients::get_active(&tx, ctx.org_id, body.id)
        .await?
        .ok_or_else(client_not_found)?;
    tx.commit().await?;
    Ok(Json(ClientDetail {
        id: client.id,
        name: client.name,
        domain: client.domain,
        is_active: client.is_active,
        created_at: client.created_at,
        updated_at: client.updated_at,
    }))
}
