//! `POST /api/topology/history`: a client's snapshots, newest first.

use axum::extract::State;
use serde::Serialize;
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::Json;
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};
use uuid::Uuid;

use crate::ByClient;

#[derive(Serialize, utoipa::ToSchema)]
pub struct SnapshotSummary {
    pub id: Uuid,
    pub version: i32,
    pub objects_count: i32,
    pub custom_objects_count: i32,
    pub pulled_at: Timestamp,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct History {
    pub data: Vec<SnapshotSummary>,
}

#[utoipa::path(
    post, path = "/api/topology/history", tag = "topology",
    request_body = ByClient,
    responses(
        (status = 200, body = History),
        (status = 404, description = "`Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<ByClient>,
) -> Result<Json<History>, ApiError> {
    ctx.require(Permission::TopologyRead)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, body.client_id).await?;
    let rows = db::topology::history(&tx, ctx.org_id, body.client_id).await?;
    tx.commit().await?;
    let data = rows
        .into_iter()
        .map(|s| SnapshotSummary {
            id: s.id,
            version: s.version,
            objects_count: s.objects_count,
            custom_objects_count: s.custom_objects_count,
            pulled_at: s.pulled_at,
        })
        .collect();
    Ok(Json(History { data }))
}
