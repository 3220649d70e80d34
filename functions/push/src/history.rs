//! `POST /api/push/history`: a client's push logs, newest first (payload and result left out).

use axum::extract::State;
use serde::Serialize;
use shared::auth::{AuthContext, Permission};
use shared::db::page::Cursor;
use shared::db::push_logs;
use shared::error::ErrorBody;
use shared::http::{Json, ListResponse};
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};
use uuid::Uuid;

use crate::PushHistoryRequest;

#[derive(Serialize, utoipa::ToSchema)]
pub struct PushSummary {
    pub id: Uuid,
    pub status: String,
    pub object_type: String,
    pub records_total: i32,
    pub records_succeeded: i32,
    pub records_failed: i32,
    pub started_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

#[utoipa::path(
    post, path = "/api/push/history", tag = "push",
    request_body = PushHistoryRequest,
    responses(
        (status = 200, body = ListResponse<PushSummary>),
        (status = 404, description = "`Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<PushHistoryRequest>,
) -> Result<Json<ListResponse<PushSummary>>, ApiError> {
    ctx.require(Permission::PushWrite)?;
    let page = body.page.request();
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, body.client_id).await?;
    let rows = push_logs::history(&tx, ctx.org_id, body.client_id, &page).await?;
    tx.commit().await?;
    let (rows, next) = page.finish(rows, |l| Cursor {
        created_at: l.created_at.0,
        id: l.id,
    });
    let data = rows
        .into_iter()
        .map(|l| PushSummary {
            id: l.id,
            status: l.status,
            object_type: l.object_type,
            records_total: l.records_total,
            records_succeeded: l.records_succeeded,
            records_failed: l.records_failed,
            started_at: l.started_at,
            completed_at: l.completed_at,
            created_at: l.created_at,
        })
        .collect();
    Ok(Json(ListResponse::new(data, next)))
}
