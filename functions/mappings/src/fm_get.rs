//! `POST /api/field-mappings/get`: the client's active mapping of a canonical object.

use axum::extract::State;
use shared::auth::{AuthContext, Permission};
use shared::db::field_mappings;
use shared::error::ErrorBody;
use shared::http::Json;
use shared::{ApiError, AppState, db};

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
    ctx.require(Permission::OrgManage)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, body.client_id).await?;
    let m = field_mappings::get(
        &tx,
        ctx.org_id,
        body.client_id,
        &body.canonical_object,
        true,
    )
    .await?
    .ok_or_else(crate::field_mapping_not_found)?;
    tx.commit().await?;
    Ok(Json(m.into()))
}
