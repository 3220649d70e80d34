//! `POST /api/field-mappings/delete`: soft-deletes the client's active mapping.

use axum::extract::State;
use serde::Serialize;
use shared::auth::AuthContext;
use shared::error::ErrorBody;
use shared::http::Json;
use shared::{ApiError, AppState};

use crate::MappingByObject;

#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldMappingDeleted {
    pub canonical_object: String,
    pub is_active: bool,
}

#[utoipa::path(
    post, path = "/api/field-mappings/delete", tag = "field-mappings",
    request_body = MappingByObject,
    responses(
        (status = 200, body = FieldMappingDeleted),
        (status = 404, description = "`Field mapping not found` or `Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<MappingByObject>,
) -> Result<Json<FieldMappingDeleted>, ApiError> {
    let m = crate::deactivate(&state, &ctx, &body, crate::field_mapping_not_found).await?;
    Ok(Json(FieldMappingDeleted {
        canonical_object: m.canonical_object,
        is_active: false,
    }))
}
