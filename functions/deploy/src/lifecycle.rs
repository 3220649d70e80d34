//! What every deployment-creating call shares: the handler's prologue (client access, the
//! connection prerequisite, the conflict report) and job creation; the run's start (the
//! deployment row, inserted once per job) and its end (status, result, event, usage).

use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shared::auth::{AuthContext, Permission};
use shared::db::deployments::{self, Deployment, NewDeployment};
use shared::jobs::{self, Job, JobError, JobRequest, NewEvent, NewJob, Outbox};
use shared::time::Timestamp;
use shared::{ApiError, AppState, crm, db};
use uuid::Uuid;

/// Attempts of a deploy job: most are "still deploying, poll again later".
pub const DEPLOY_ATTEMPTS: i32 = 40;

/// The body of `deploy/execute`, `deploy/validate`, `deploy/analytics` and `workflows/deploy`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct DeployRequest {
    pub client_id: Uuid,
    #[schema(value_type = Object)]
    pub plan: Value,
    pub conflict_report_id: Option<Uuid>,
    /// Deploy although the conflict report is red.
    #[serde(default)]
    pub force: bool,
}

impl shared::http::Validate for DeployRequest {}

/// `DeployResponse` (API.md §4.10).
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeployResponse {
    pub id: Uuid,
    pub status: String,
    pub deployment_type: String,
    pub deployed_at: Option<Timestamp>,
    #[schema(value_type = Option<Object>)]
    pub result: Option<Value>,
}

/// The response of a deployment row.
pub fn response(d: &Deployment) -> Value {
    json!(DeployResponse {
        id: d.id,
        status: d.status.clone(),
        deployment_type: d.deployment_type.clone(),
        deployed_at: d.deployed_at,
        result: d.result.clone(),
    })
}

/// The payload of a job that creates a deployment.
#[derive(Serialize, Deserialize)]
pub struct Start {
    pub client_id: Uuid,
    pub plan: Value,
    pub conflict_report_id: Option<Uuid>,
    pub deployed_by: String,
    pub deployment_type: String,
}

/// Client access, the connection prerequisite and, when named, the conflict report: it must be
/// the org's and the client's, and a red one blocks unless `force`.
pub async fn prologue(
    state: &AppState,
    ctx: &AuthContext,
    client_id: Uuid,
    conflict_report_id: Option<Uuid>,
    force: bool,
) -> Result<(), ApiError> {
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, client_id).await?;
    crm::connected(&tx, ctx.org_id, client_id).await?;
    if let Some(report) = conflict_report_id {
        let severity = deployments::conflict_report_severity(&tx, ctx.org_id, client_id, report)
            .await?
            .ok_or_else(|| {
                ApiError::bad_request("Conflict report not found for this org/client")
            })?;
        if severity == "red" && !force {
            return Err(ApiError::Detail {
                status: StatusCode::CONFLICT,
                detail: Value::from(
                    r#"Conflict report is red; pass "force": true to deploy anyway"#,
                ),
            });
        }
    }
    tx.commit().await?;
    Ok(())
}

/// What every plan-deploying endpoint does before its job: the permission, [`prologue`], the
/// plan's validators (400 `invalid_deploy_plan`), then the job with its [`Start`] payload,
/// answered as `jobs::respond` does.
#[allow(clippy::too_many_arguments)]
pub async fn submit(
    state: &AppState,
    ctx: &AuthContext,
    req: &JobRequest,
    permission: Permission,
    kind: &str,
    body: DeployRequest,
    plan_errors: Vec<crate::plan::PlanError>,
    deployment_type: &str,
) -> Result<Response, ApiError> {
    ctx.require(permission)?;
    prologue(
        state,
        ctx,
        body.client_id,
        body.conflict_report_id,
        body.force,
    )
    .await?;
    crate::plan::ensure(plan_errors)?;
    let payload = json!(Start {
        client_id: body.client_id,
        plan: body.plan,
        conflict_report_id: body.conflict_report_id,
        deployed_by: ctx.actor().to_string(),
        deployment_type: deployment_type.into(),
    });
    enqueue(state, ctx, req, kind, body.client_id, payload).await
}

/// Creates the job and answers as `jobs::respond` does.
pub async fn enqueue(
    state: &AppState,
    ctx: &AuthContext,
    req: &JobRequest,
    kind: &str,
    client_id: Uuid,
    payload: Value,
) -> Result<Response, ApiError> {
    let mut new = NewJob::new(kind, Some(client_id), payload);
    new.max_attempts = DEPLOY_ATTEMPTS;
    jobs::respond(state, ctx, req, new).await
}

/// A run's deployment and connection.
pub struct Started {
    pub deployment: Deployment,
    pub connected: crm::Connected,
}

/// Reads the payload, checks the connection is still usable and inserts (or finds) the job's
/// deployment.
pub async fn start(state: &AppState, job: &Job) -> Result<(Start, Started), JobError> {
    let start: Start = serde_json::from_value(job.payload.clone())
        .map_err(|e| JobError::permanent(422, "invalid_payload", e.to_string()))?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, job.org_id).await?;
    let connected = crm::connected(&tx, job.org_id, start.client_id).await?;
    let new = NewDeployment {
        job_id: job.id,
        client_id: start.client_id,
        connection_id: connected.row.id,
        deployed_by: &start.deployed_by,
        deployment_type: &start.deployment_type,
        plan: &start.plan,
        conflict_report_id: start.conflict_report_id,
    };
    let deployment = deployments::insert_for_job(&tx, job.org_id, &new)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "creating a deployment record failed");
            JobError::from(ApiError::Detail {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                detail: Value::from("Failed to create deployment record"),
            })
        })?;
    tx.commit().await?;
    Ok((
        start,
        Started {
            deployment,
            connected,
        },
    ))
}

/// Remembers the submitted deploy's async id.
pub async fn remember_deploy(
    state: &AppState,
    org_id: Uuid,
    id: Uuid,
    sfdc: &str,
) -> Result<(), JobError> {
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, org_id).await?;
    deployments::set_sfdc_deploy_id(&tx, org_id, id, sfdc).await?;
    tx.commit().await?;
    Ok(())
}

/// Records the outcome (unless an earlier run did), appends `deployment.{status}`, records the
/// connection's usage, and returns the response body.
pub async fn finish(
    state: &AppState,
    org_id: Uuid,
    started: &Started,
    status: &str,
    result: &Value,
) -> Result<Value, JobError> {
    let id = started.deployment.id;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, org_id).await?;
    let mut outbox = Outbox::default();
    let row = match deployments::finish(&tx, org_id, id, status, result).await? {
        Some(row) => {
            event(&tx, &mut outbox, org_id, &row).await?;
            row
        }
        None => deployments::get(&tx, org_id, id)
            .await?
            .ok_or_else(|| JobError::permanent(404, "not_found", "Deployment not found"))?,
    };
    started.connected.record_usage(state, &tx, org_id).await?;
    tx.commit().await?;
    drop(conn);
    outbox.send(state).await;
    Ok(response(&row))
}

/// `deployment.{status}` for a row that just changed.
pub async fn event(
    tx: &impl deadpool_postgres::GenericClient,
    outbox: &mut Outbox,
    org_id: Uuid,
    d: &Deployment,
) -> Result<(), JobError> {
    let data =
        json!({"deployment_id": d.id, "deployment_type": d.deployment_type, "status": d.status});
    let e = NewEvent::new(
        format!("deployment.{}", d.status),
        Some(d.client_id),
        Some(d.id),
        data,
    );
    jobs::emit(tx, outbox, org_id, e).await?;
    Ok(())
}

/// Deploys `package` for the run's deployment: submits it (once; the async id is remembered) or
/// resumes polling the deploy an earlier run submitted, and accounts for every planned component.
/// Still running after the poll budget: the job's retryable `deploy_in_progress`.
pub async fn deploy(
    state: &AppState,
    job: &Job,
    started: &Started,
    package: &shared::salesforce::package::Package,
    planned: &[crate::engine::Planned],
) -> Result<Vec<crate::engine::Component>, JobError> {
    use crate::engine::{self, Polled};
    if planned.is_empty() {
        return Ok(Vec::new());
    }
    let sf = started.connected.salesforce(state);
    let id = match &started.deployment.sfdc_deploy_id {
        Some(id) => id.clone(),
        None => match engine::submit(&sf, package, false).await {
            Ok(id) => {
                remember_deploy(state, job.org_id, started.deployment.id, &id).await?;
                id
            }
            Err(e) => return Ok(engine::all_failed(planned, &e)),
        },
    };
    match engine::poll(state, &sf, &id).await {
        Polled::Running(id) => Err(engine::still_running(&id)),
        Polled::Done(r) => Ok(engine::evaluate(planned, &r, "Metadata deploy")),
    }
}
