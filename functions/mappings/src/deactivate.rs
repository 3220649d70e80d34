//! `POST /api/mappings/deactivate`: soft-deletes an active mapping (its version stays: nothing
//! in its content changed).

use axum::extract::State;
use serde::Serialize;
use shared::auth::AuthContext;
use shared::error::ErrorBody;
use shared::http::Json;
use shared::{ApiError, AppState};

use crate::MappingByObject;

#[derive(Serialize, utoipa::ToSchema)]
pub struct MappingDeactivated {
    pub success: bool,
    pub canonical_object: String,
}

#[utoipa::path(
    post, path = "/api/mappings/deactivate", tag = "mappings",
    request_body = MappingByObject,
    responses(
        (status = 200, body = MappingDeactivated),
        (status = 404, description = "`Mapping not found` or `Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<MappingByObject>,
) -> Result<Json<MappingDeactivated>, ApiError> {
    let m = crate::deactivate(&state, &ctx, &body, crate::mapping_not_found).await?;
    Ok(Json(MappingDeactivated {
        success: true,
        canonical_object: m.canonical_object,
    }))
}
