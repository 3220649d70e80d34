//! `GET /api/auth/me`: the caller's principal.

use serde::Serialize;
use shared::ApiError;
use shared::auth::{AuthContext, AuthMethod};
use shared::error::ErrorBody;
use shared::http::Json;
use uuid::Uuid;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub org_id: Uuid,
    pub user_id: String,
    pub role: Option<String>,
    pub permissions: Vec<&'static str>,
    pub client_id: Option<Uuid>,
    pub auth_method: AuthMethod,
}

#[utoipa::path(
    get, path = "/api/auth/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn handle(ctx: AuthContext) -> Result<Json<Me>, ApiError> {
    Ok(Json(Me {
        org_id: ctx.org_id,
        permissions: ctx.permissions().iter().map(|p| p.as_str()).collect(),
        role: ctx.role.map(|r| r.as_str().to_string()),
        user_id: ctx.user_id,
        client_id: ctx.client_id,
        auth_method: ctx.auth_method,
    }))
}
