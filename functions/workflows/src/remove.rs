//! `POST /api/workflows/remove`: flows and assignment rules deleted by one destructive deploy in a
//! `workflows.remove` job. Active flows are deactivated first (Salesforce refuses to delete an
//! active flow).

use axum::extract::State;
use axum::response::Response;
use deploy::engine::{self, Planned};
use deploy::lifecycle::{self, DeployResponse, Start};
use serde::Deserialize;
use serde_json::{Value, json};
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::Json;
use shared::jobs::{Job, JobError, JobRequest};
use shared::salesforce::package::{MetadataType, Package};
use shared::{ApiError, AppState, crm, db};
use uuid::Uuid;

/// The job kind.
pub const KIND: &str = "workflows.remove";

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RemoveRequest {
    pub client_id: Uuid,
    #[serde(default)]
    pub flow_api_names: Vec<String>,
    #[serde(default)]
    pub assignment_rule_objects: Vec<String>,
}

impl shared::http::Validate for RemoveRequest {}

fn clean(names: &[String]) -> Vec<String> {
    names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

#[utoipa::path(
    post, path = "/api/workflows/remove", tag = "workflows",
    request_body = RemoveRequest,
    responses(
        (status = 200, body = DeployResponse),
        (status = 202, description = "Still running: follow `status_url`", body = shared::jobs::Accepted),
        (status = 400, description = "`At least one flow_api_name or assignment_rule_object is required`, connection 400s", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    req: JobRequest,
    Json(body): Json<RemoveRequest>,
) -> Result<Response, ApiError> {
    ctx.require(Permission::WorkflowsWrite)?;
    let flows = clean(&body.flow_api_names);
    let rules = clean(&body.assignment_rule_objects);
    {
        let mut conn = db::conn(state.db()).await?;
        let tx = db::begin(&mut conn, ctx.org_id).await?;
        ctx.check_client(&tx, body.client_id).await?;
        if flows.is_empty() && rules.is_empty() {
            return Err(ApiError::bad_request(
                "At least one flow_api_name or assignment_rule_object is required",
            ));
        }
        crm::connected(&tx, ctx.org_id, body.client_id).await?;
        tx.commit().await?;
    }
    let deployment_type = if flows.is_empty() {
        "assignment_rule"
    } else {
        "workflow"
    };
    let payload = json!(Start {
        client_id: body.client_id,
        plan: json!({"flow_api_names": flows, "assignment_rule_objects": rules, "operation": "remove"}),
        conflict_report_id: None,
        deployed_by: ctx.actor().to_string(),
        deployment_type: deployment_type.into(),
    });
    lifecycle::enqueue(&state, &ctx, &req, KIND, body.client_id, payload).await
}

fn names(plan: &Value, key: &str) -> Vec<String> {
    plan[key]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Runs a `workflows.remove` job.
pub async fn run(state: AppState, job: Job) -> Result<Value, JobError> {
    let (start, started) = lifecycle::start(&state, &job).await?;
    if started.deployment.status != "in_progress" {
        return Ok(lifecycle::response(&started.deployment));
    }
    let sf = started.connected.salesforce(&state);
    let flows = names(&start.plan, "flow_api_names");
    let rules = names(&start.plan, "assignment_rule_objects");
    let mut package = Package::new(sf.metadata_version());
    let mut planned = Vec::new();
    for f in &flows {
        package.delete(MetadataType::Flow, f);
        planned.push(Planned::new("flow", f, "Flow", f));
    }
    for o in &rules {
        package.delete(MetadataType::AssignmentRules, o);
        planned.push(Planned::new("assignment_rule", o, "AssignmentRules", o));
    }
    if started.deployment.sfdc_deploy_id.is_none() && !flows.is_empty() {
        deactivate(&sf, &flows).await;
    }
    let components = lifecycle::deploy(&state, &job, &started, &package, &planned).await?;
    let status = engine::overall(&components);
    let result = json!({
        "status": status,
        "flows_removed": engine::count(&components, "flow"),
        "assignment_rules_removed": engine::count(&components, "assignment_rule"),
        "components": engine::to_json(&components),
    });
    lifecycle::finish(&state, job.org_id, &started, status, &result).await
}

/// Deactivates the active ones of `flows`; a failure is left to the destructive deploy to report.
async fn deactivate(sf: &shared::salesforce::SalesforceClient, flows: &[String]) {
    let names: Vec<&str> = flows.iter().map(String::as_str).collect();
    match sf.flow_definitions(&names).await {
        Ok(defs) => {
            for d in defs.iter().filter(|d| d.active_version_id.is_some()) {
                if let Err(e) = sf.set_active_flow_version(&d.id, None).await {
                    tracing::warn!(error = %e, flow = %d.developer_name, "could not deactivate a flow before removing it");
                }
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not read flow definitions before removing flows")
        }
    }
}
