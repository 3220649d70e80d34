//! `POST /api/push/status`: one push log of the org by id (org-scoped only, API.md §2.4).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::auth::{AuthContext, Permission};
use shared::db::push_logs;
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PushById {
    pub id: Uuid,
}

impl Validate for PushById {}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PushStatus {
    pub id: Uuid,
    pub client_id: Uuid,
    pub status: String,
    pub object_type: String,
    pub records_total: i32,
    pub records_succeeded: i32,
    pub records_failed: i32,
    /// `{results, errors}`; above the bulk threshold `results` is empty and `errors` holds the
    /// first 1,000 failures (`errors_total` counts them all).
    #[schema(value_type = Option<Object>)]
    pub result: Option<Value>,
    pub error_message: Option<String>,
    pub started_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
}

#[utoipa::path(
    post, path = "/api/push/status", tag = "push",
    request_body = PushById,
    responses(
        (status = 200, body = PushStatus),
        (status = 404, description = "`Push log not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<PushById>,
) -> Result<Json<PushStatus>, ApiError> {
    ctx.require(Permission::PushWrite)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    let log = push_logs::get(&tx, ctx.org_id, body.id)
        .await?
        .ok_or_else(|| ApiError::not_found("Push log not found"))?;
    tx.commit().await?;
    Ok(Json(PushStatus {
        id: log.id,
        client_id: log.client_id,
        status: log.status,
        object_type: log.object_type,
        records_total: log.records_total,
        records_succeeded: log.records_succeeded,
        records_failed: log.records_failed,
        result: log.result,
        error_message: log.error_message,
        started_at: log.started_at,
        completed_at: log.completed_at,
    }))
}
