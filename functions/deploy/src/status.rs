//! `POST /api/deploy/status`: one deployment of the org, any type.

use axum::extract::State;
use serde::Serialize;
use serde_json::{Value, json};
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::Json;
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};
use uuid::Uuid;

use crate::ById;

#[derive(Serialize, utoipa::ToSchema)]
pub struct StatusResponse {
    pub id: Uuid,
    pub status: String,
    pub deployment_type: String,
    pub deployed_at: Option<Timestamp>,
    #[schema(value_type = Option<Object>)]
    pub result: Option<Value>,
    #[schema(value_type = Object)]
    pub plan: Value,
    pub error_message: Option<String>,
    pub rolled_back_at: Option<Timestamp>,
}

#[utoipa::path(
    post, path = "/api/deploy/status", tag = "deploy",
    request_body = ById,
    responses(
        (status = 200, body = StatusResponse),
        (status = 404, description = "`Deployment not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<ById>,
) -> Result<Json<StatusResponse>, ApiError> {
    ctx.require(Permission::DeployWrite)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    let d = db::deployments::get(&tx, ctx.org_id, body.id)
        .await?
        .ok_or_else(|| ApiError::not_found("Deployment not found"))?;
    tx.commit().await?;
    Ok(Json(StatusResponse {
        id: d.id,
        status: d.status,
        deployment_type: d.deployment_type,
        deployed_at: d.deployed_at,
        result: d.result,
        plan: if d.plan.is_object() {
            d.plan
        } else {
            json!({})
        },
        error_message: d.error_message,
        rolled_back_at: d.rolled_back_at,
    }))
}
