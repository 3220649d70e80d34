//! `POST /api/mappings/get`: the client's active mapping of a canonical object.

use axum::extract::State;
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::Json;
use shared::{ApiError, AppState};

use crate::{MappingByObject, MappingOut};

#[utoipa::path(
    post, path = "/api/mappings/get", tag = "mappings",
    request_body = MappingByObject,
    responses(
        (status = 200, body = MappingOut),
        (status = 404, description = "`Mapping not found` or `Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<MappingByObject>,
) -> Result<Json<MappingOut>, ApiError> {
    let m = crate::active(
        &state,
        &ctx,
        Permission::PushWrite,
        &body,
        crate::mapping_not_found,
    )
    .await?;
    Ok(Json(m.into()))
}
