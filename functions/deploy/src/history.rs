//! `POST /api/deploy/history`: the client's deployments of every type, newest first.

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
pub struct HistoryItem {
    pub id: Uuid,
    pub deployment_type: String,
    pub status: String,
    pub deployed_at: Option<Timestamp>,
    pub rolled_back_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct History {
    pub data: Vec<HistoryItem>,
}

#[utoipa::path(
    post, path = "/api/deploy/history", tag = "deploy",
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
    ctx.require(Permission::DeployWrite)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, body.client_id).await?;
    let rows = db::deployments::history(&tx, ctx.org_id, body.client_id).await?;
    tx.commit().await?;
    Ok(Json(History {
        data: rows
            .into_iter()
            .map(|d| HistoryItem {
                id: d.id,
                deployment_type: d.deployment_type,
                status: d.status,
                deployed_at: d.deployed_at,
                rolled_back_at: d.rolled_back_at,
                created_at: d.created_at,
            })
            .collect(),
    }))
}
