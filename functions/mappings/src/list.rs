//! `POST /api/mappings/list`: the client's active mappings by canonical object.

use axum::extract::State;
use serde::Serialize;
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::Json;
use shared::{ApiError, AppState};

use crate::{MappingOut, MappingsByClient};

#[derive(Serialize, utoipa::ToSchema)]
pub struct MappingList {
    pub data: Vec<MappingOut>,
    /// Null on the last page.
    pub next_cursor: Option<String>,
}

#[utoipa::path(
    post, path = "/api/mappings/list", tag = "mappings",
    request_body = MappingsByClient,
    responses(
        (status = 200, body = MappingList),
        (status = 404, description = "`Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<MappingsByClient>,
) -> Result<Json<MappingList>, ApiError> {
    let (rows, next_cursor) =
        crate::active_page(&state, &ctx, Permission::PushWrite, &body).await?;
    Ok(Json(MappingList {
        data: rows.into_iter().map(MappingOut::from).collect(),
        next_cursor,
    }))
}
