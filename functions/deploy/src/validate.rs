//! `POST /api/deploy/validate`: the plan of `deploy/execute`, sent as a `checkOnly` deploy in a
//! `deploy.validate` job. Nothing changes in the org and no deployment is recorded; the answer
//! is `{status, check_only: true, components}` with the accounting of a real deploy.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::Json;
use shared::jobs::{Job, JobError, JobRequest};
use shared::{ApiError, AppState, crm, db};
use uuid::Uuid;

use crate::engine::{self, Polled};
use crate::lifecycle::{self, DeployRequest};
use crate::plan;

/// The job kind.
pub const KIND: &str = "deploy.validate";

#[utoipa::path(
    post, path = "/api/deploy/validate", tag = "deploy",
    request_body = DeployRequest,
    responses(
        (status = 200, description = "`{status, check_only: true, components}`", body = Object),
        (status = 202, description = "Still running: follow `status_url`", body = shared::jobs::Accepted),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
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
    let errors = plan::objects::validate(&body.plan);
    // The payload is a deployment's `Start`; the check-only run reads its client and plan.
    lifecycle::submit(
        &state,
        &ctx,
        &req,
        Permission::DeployWrite,
        KIND,
        body,
        errors,
        "custom_object",
    )
    .await
}

#[derive(serde::Deserialize)]
struct Payload {
    client_id: Uuid,
    plan: Value,
}

/// Runs a `deploy.validate` job (a check-only deploy may simply be sent again).
pub async fn run(state: AppState, job: Job) -> Result<Value, JobError> {
    let p: Payload = serde_json::from_value(job.payload.clone())
        .map_err(|e| JobError::permanent(422, "invalid_payload", e.to_string()))?;
    let connected = {
        let mut conn = db::conn(state.db()).await?;
        let tx = db::begin(&mut conn, job.org_id).await?;
        let c = crm::connected(&tx, job.org_id, p.client_id).await?;
        tx.commit().await?;
        c
    };
    let sf = connected.salesforce(&state);
    let (package, planned) = plan::objects::build(&p.plan, sf.metadata_version());
    let components = if planned.is_empty() {
        Vec::new()
    } else {
        match engine::submit(&sf, &package, true).await {
            Err(e) => engine::all_failed(&planned, &e),
            Ok(id) => match engine::poll(&state, &sf, &id).await {
                Polled::Running(id) => return Err(engine::still_running(&id)),
                Polled::Done(r) => engine::evaluate(&planned, &r, "Metadata deploy"),
            },
        }
    };
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, job.org_id).await?;
    connected.record_usage(&state, &tx, job.org_id).await?;
    tx.commit().await?;
    Ok(json!({
        "status": engine::overall(&components),
        "check_only": true,
        "components": engine::to_json(&components),
    }))
}
