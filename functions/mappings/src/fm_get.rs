//! `POST /api/field-mappings/get`: the client's active mapping of a canonical object.

use axum::extract::State;
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::Json;
use shared::{ApiError, AppState};

use crate::{FieldMappingOut, MappingByObject};

#[utoipa::path(
    post, path = "/api/field-mappings/get", tag = "field-mappings",
    request_body = MappingByObject,
    responses(
        (status = 200, body = FieldMappingOut),
        (status = 404, description = "`Field mapping not found` or `Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<MappingByObject>,
) -> Result<Json<FieldMappingOut>, ApiError> {
    let m = crate::active(
        &state,
        &ctx,
        Permission::OrgManage,
        &body,
        crate::field_mapping_not_found,
    )
    .await?;
    Ok(Json(m.into()))
}
