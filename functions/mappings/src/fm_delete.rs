//! `POST /api/field-mappings/delete`: soft-deletes the client's active mapping.

use axum::extract::State;
use serde::Serialize;
use shared::auth::{AuthContext, Permission};
use shared::db::field_mappings;
use shared::error::ErrorBody;
use shared::http::Json;
use shared::{ApiError, AppState, db};

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
    ctx.require(Permission::OrgManage)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, body.client_id).await?;
    let m = field_mappings::deactivate(&tx, ctx.org_id, body.client_id, &body.canonical_object)
        .await?
        .ok_or_else(crate::field_mapping_not_found)?;
    tx.commit().await?;
    Ok(Json(FieldMappingDeleted {
        canonical_object: m.canonical_object,
        is_active: false,
    }))
}
