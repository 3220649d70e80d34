//! `POST /api/field-mappings/list`: the client's active mappings by canonical object.

use axum::extract::State;
use serde::Serialize;
use shared::auth::{AuthContext, Permission};
use shared::db::field_mappings;
use shared::error::ErrorBody;
use shared::http::Json;
use shared::{ApiError, AppState, db};

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
    ctx.require(Permission::OrgManage)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, body.client_id).await?;
    let after = body.after();
    let rows = field_mappings::list_active(
        &tx,
        ctx.org_id,
        body.client_id,
        after.as_deref(),
        body.fetch_limit(),
    )
    .await?;
    tx.commit().await?;
    let (rows, next_cursor) = body.finish(rows);
    Ok(Json(FieldMappingList {
        data: rows.into_iter().map(FieldMappingOut::from).collect(),
        next_cursor,
    }))
}
