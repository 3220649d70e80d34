//! `POST /api/deploy/analytics`: report and dashboard folders, reports and dashboards as one
//! Metadata deploy in a `deploy.analytics` job (API.md §4.10, §7.5). Deployment type `report`.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::Json;
use shared::jobs::{Job, JobError, JobRequest};
use shared::{ApiError, AppState};

use crate::engine;
use crate::lifecycle::{self, DeployRequest, DeployResponse};
use crate::plan;

/// The job kind.
pub const KIND: &str = "deploy.analytics";

#[utoipa::path(
    post, path = "/api/deploy/analytics", tag = "deploy",
    request_body = DeployRequest,
    responses(
        (status = 200, body = DeployResponse),
        (status = 202, description = "Still running: follow `status_url`", body = shared::jobs::Accepted),
        (status = 400, description = "`invalid_deploy_plan`, `Conflict report not found for this org/client`, connection 400s", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    req: JobRequest,
    Json(body): Json<DeployRequest>,
) -> Result<Response, ApiError> {
    let errors = plan::analytics::validate(&body.plan);
    lifecycle::submit(
        &state,
        &ctx,
        &req,
        Permission::DeployWrite,
        KIND,
        body,
        errors,
        "report",
    )
    .await
}

/// Runs a `deploy.analytics` job.
pub async fn run(state: AppState, job: Job) -> Result<Value, JobError> {
    let (start, started) = lifecycle::start(&state, &job).await?;
    if started.deployment.status != "in_progress" {
        return Ok(lifecycle::response(&started.deployment));
    }
    let version = started
        .connected
        .salesforce(&state)
        .metadata_version()
        .to_string();
    let (package, planned) = plan::analytics::build(&start.plan, &version);
    let components = lifecycle::deploy(&state, &job, &started, &package, &planned).await?;
    let status = engine::overall(&components);
    let folders = engine::count(&components, "report_folder")
        + engine::count(&components, "dashboard_folder");
    let result = json!({
        "status": status,
        "reports_deployed": engine::count(&components, "report"),
        "dashboards_deployed": engine::count(&components, "dashboard"),
        "folders_created": folders,
        "components": engine::to_json(&components),
    });
    lifecycle::finish(&state, job.org_id, &started, status, &result).await
}
