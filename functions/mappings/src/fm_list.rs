//! `POST /api/field-mappings/list`: the client's active mappings by canonical object.

use axum::extract::State;
use serde::Serialize;
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::Json;
use shared::{ApiError, AppState};

use crate::{FieldMappingOut, MappingsByClient};

#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldMappingList {
    pub data: Vec<FieldMappingOut>,
    /// Null on the last page.
    pub next_cursor: Option<String>,
}

#[utoipa::path(
    post, path = "/api/field-mappings/list", tag = "field-mappings",
    request_body = MappingsByClient,
    responses(
        (status = 200, body = FieldMappingList),
        (status = 404, description = "`Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<MappingsByClient>,
) -> Result<Json<FieldMappingList>, ApiError> {
    let (rows, next_cursor) =
        crate::active_page(&state, &ctx, Permission::OrgManage, &body).await?;
    Ok(Json(FieldMappingList {
        data: rows.into_iter().map(FieldMappingOut::from).collect(),
        next_cursor,
    }))
}
