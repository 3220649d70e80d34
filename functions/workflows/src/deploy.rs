//! `POST /api/workflows/deploy` (and its alias `POST /api/deploy/workflows`): flows and
//! assignment rules as one Metadata deploy in a `workflows.deploy` job (API.md §4.11, §7.9).

use axum::extract::State;
use axum::response::Response;
use deploy::engine;
use deploy::lifecycle::{self, DeployRequest, DeployResponse};
use serde_json::{Value, json};
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::Json;
use shared::jobs::{Job, JobError, JobRequest};
use shared::{ApiError, AppState};

use crate::plan;

/// The job kind.
pub const KIND: &str = "workflows.deploy";

#[utoipa::path(
    post, path = "/api/workflows/deploy", tag = "workflows",
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
    submit(&state, &ctx, &req, body).await
}

/// The seed's name for `workflows/deploy`: the same handler.
#[utoipa::path(
    post, path = "/api/deploy/workflows", tag = "workflows",
    request_body = DeployRequest,
    responses(
        (status = 200, body = DeployResponse),
        (status = 202, description = "Still running: follow `status_url`", body = shared::jobs::Accepted),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle_alias(
    State(state): State<AppState>,
    ctx: AuthContext,
    req: JobRequest,
    Json(body): Json<DeployRequest>,
) -> Result<Response, ApiError> {
    submit(&state, &ctx, &req, body).await
}

async fn submit(
    state: &AppState,
    ctx: &AuthContext,
    req: &JobRequest,
    body: DeployRequest,
) -> Result<Response, ApiError> {
    let errors = plan::validate(&body.plan, &state.config().sfdc_api_version);
    let deployment_type = plan::deployment_type(&body.plan);
    lifecycle::submit(
        state,
        ctx,
        req,
        Permission::WorkflowsWrite,
        KIND,
        body,
        errors,
        deployment_type,
    )
    .await
}

/// Runs a `workflows.deploy` job.
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
    let (package, planned) = plan::build(&start.plan, &version);
    let components = lifecycle::deploy(&state, &job, &started, &package, &planned).await?;
    let status = engine::overall(&components);
    let result = json!({
        "status": status,
        "flows_deployed": engine::count(&components, "flow"),
        "assignment_rules_deployed": engine::count(&components, "assignment_rule"),
        "components": engine::to_json(&components),
    });
    lifecycle::finish(&state, job.org_id, &started, status, &result).await
}
