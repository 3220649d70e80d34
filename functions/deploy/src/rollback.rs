//! `POST /api/deploy/rollback` (custom objects and fields) and `POST /api/deploy/analytics-rollback`
//! (reports, dashboards, their folders): one destructive deploy of what the deployment created,
//! in a job (API.md §7.7–7.8 with API-DECISIONS §8).
//!
//! `succeeded`, `partial` and `rollback_failed` deployments can be rolled back, each endpoint only
//! its own types. The status becomes `rolled_back` only when every component is gone, else
//! `rollback_failed` (and the rollback can be run again: what is already gone counts as removed).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use serde_json::{Value, json};
use shared::auth::{AuthContext, Permission};
use shared::db::deployments::{self, Deployment};
use shared::error::ErrorBody;
use shared::http::Json;
use shared::jobs::{Job, JobError, JobRequest, Outbox};
use shared::salesforce::package::{MetadataType, Package};
use shared::time::Timestamp;
use shared::{ApiError, AppState, crm, db};
use uuid::Uuid;

use crate::ById;
use crate::engine::{self, Planned, Polled};
use crate::lifecycle;

pub const KIND: &str = "deploy.rollback";
pub const ANALYTICS_KIND: &str = "deploy.analytics_rollback";

#[derive(Serialize, utoipa::ToSchema)]
pub struct RollbackResponse {
    pub id: Uuid,
    pub status: String,
    pub rolled_back_at: Option<Timestamp>,
    #[schema(value_type = Option<Object>)]
    pub result: Option<Value>,
}

/// Which deployments an endpoint rolls back.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Objects,
    Analytics,
}

impl Family {
    fn accepts(self, deployment_type: &str) -> bool {
        match self {
            Family::Objects => matches!(deployment_type, "custom_object" | "custom_field"),
            Family::Analytics => matches!(deployment_type, "report" | "dashboard"),
        }
    }
}

const ROLLBACKABLE: &[&str] = &["succeeded", "partial", "rollback_failed"];

#[utoipa::path(
    post, path = "/api/deploy/rollback", tag = "deploy",
    request_body = ById,
    responses(
        (status = 200, body = RollbackResponse),
        (status = 202, description = "Still running: follow `status_url`", body = shared::jobs::Accepted),
        (status = 400, description = "`Deployment does not exist or is not in succeeded status`, `Deployment type {t} cannot be rolled back here`, `Deployment result is missing or invalid`, connection 400s", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    req: JobRequest,
    Json(body): Json<ById>,
) -> Result<Response, ApiError> {
    submit(&state, &ctx, &req, body.id, Family::Objects, KIND).await
}

#[utoipa::path(
    post, path = "/api/deploy/analytics-rollback", tag = "deploy",
    request_body = ById,
    responses(
        (status = 200, body = RollbackResponse),
        (status = 202, description = "Still running: follow `status_url`", body = shared::jobs::Accepted),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle_analytics(
    State(state): State<AppState>,
    ctx: AuthContext,
    req: JobRequest,
    Json(body): Json<ById>,
) -> Result<Response, ApiError> {
    submit(
        &state,
        &ctx,
        &req,
        body.id,
        Family::Analytics,
        ANALYTICS_KIND,
    )
    .await
}

async fn submit(
    state: &AppState,
    ctx: &AuthContext,
    req: &JobRequest,
    id: Uuid,
    family: Family,
    kind: &str,
) -> Result<Response, ApiError> {
    ctx.require(Permission::DeployWrite)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    let d = deployments::get(&tx, ctx.org_id, id).await?;
    let d = check(d, family)?;
    ctx.check_client(&tx, d.client_id).await?;
    connection(&tx, ctx.org_id, &d).await?;
    tx.commit().await?;
    drop(conn);
    lifecycle::enqueue(
        state,
        ctx,
        req,
        kind,
        d.client_id,
        json!({"deployment_id": d.id}),
    )
    .await
}

/// The contract's 400s, in its order.
fn check(d: Option<Deployment>, family: Family) -> Result<Deployment, ApiError> {
    let d = d
        .filter(|d| ROLLBACKABLE.contains(&d.status.as_str()))
        .ok_or_else(|| {
            ApiError::bad_request("Deployment does not exist or is not in succeeded status")
        })?;
    if !family.accepts(&d.deployment_type) {
        return Err(ApiError::bad_request(format!(
            "Deployment type {} cannot be rolled back here",
            d.deployment_type
        )));
    }
    if !d.result.as_ref().is_some_and(Value::is_object) {
        return Err(ApiError::bad_request(
            "Deployment result is missing or invalid",
        ));
    }
    Ok(d)
}

/// The deployment's own connection, still connected.
async fn connection(
    tx: &impl deadpool_postgres::GenericClient,
    org_id: Uuid,
    d: &Deployment,
) -> Result<crm::Connected, ApiError> {
    let row = db::connections::get(tx, org_id, d.connection_id)
        .await?
        .filter(|c| c.status == "connected" && c.client_id == d.client_id)
        .ok_or_else(|| ApiError::bad_request("No connected Salesforce connection found"))?;
    let nango_connection_id = row
        .nango_connection_id
        .clone()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ApiError::bad_request("Connection has no Nango connection ID"))?;
    Ok(crm::Connected {
        org_id,
        row,
        nango_connection_id,
    })
}

fn response(d: &Deployment) -> Value {
    json!(RollbackResponse {
        id: d.id,
        status: d.status.clone(),
        rolled_back_at: d.rolled_back_at,
        result: d.result.clone()
    })
}

pub async fn run(state: AppState, job: Job) -> Result<Value, JobError> {
    rollback(state, job, Family::Objects).await
}

pub async fn run_analytics(state: AppState, job: Job) -> Result<Value, JobError> {
    rollback(state, job, Family::Analytics).await
}

async fn rollback(state: AppState, job: Job, family: Family) -> Result<Value, JobError> {
    let id: Uuid = serde_json::from_value(job.payload["deployment_id"].clone())
        .map_err(|e| JobError::permanent(422, "invalid_payload", e.to_string()))?;
    let (d, connected) = {
        let mut conn = db::conn(state.db()).await?;
        let tx = db::begin(&mut conn, job.org_id).await?;
        let d = deployments::get(&tx, job.org_id, id).await?;
        if let Some(d) = d.as_ref().filter(|d| d.status == "rolled_back") {
            return Ok(response(d));
        }
        let d = check(d, family)?;
        let connected = connection(&tx, job.org_id, &d).await?;
        tx.commit().await?;
        (d, connected)
    };
    let original = d.result.clone().unwrap_or_default();
    let done: Vec<&Value> = original["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["success"] == true)
        .collect();
    let sf = connected.salesforce(&state);
    let mut package = Package::new(sf.metadata_version());
    let (planned, skipped) = match family {
        Family::Objects => plan_objects(&done, &mut package),
        Family::Analytics => (plan_analytics(&done, &mut package), Vec::new()),
    };
    let mut components = if planned.is_empty() {
        Vec::new()
    } else {
        match engine::submit(&sf, &package, false).await {
            Err(e) => engine::all_failed(&planned, &e),
            Ok(sfdc) => match engine::poll(&state, &sf, &sfdc).await {
                Polled::Running(sfdc) => return Err(engine::still_running(&sfdc)),
                Polled::Done(r) => engine::evaluate(&planned, &r, "Destructive deploy"),
            },
        }
    };
    // The stored id when Salesforce reported none.
    for c in components.iter_mut().filter(|c| c.sfdc_id.is_none()) {
        c.sfdc_id = done
            .iter()
            .find(|s| s["api_name"] == c.api_name.as_str() && s["type"] == c.kind)
            .and_then(|s| s["sfdc_id"].as_str())
            .map(str::to_string);
    }
    let mut all = engine::to_json(&components);
    if let Some(list) = all.as_array_mut() {
        list.extend(skipped);
    }
    let total = all.as_array().map_or(0, Vec::len);
    let ok = all
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["success"] == true)
        .count();
    let status = if ok == total {
        "rolled_back"
    } else {
        "rollback_failed"
    };
    let rb_status = if total == 0 || ok == total {
        "succeeded"
    } else if ok == 0 {
        "failed"
    } else {
        "partial"
    };
    let mut result = original.clone();
    result["rollback"] = json!({
        "status": rb_status, "components": all,
        "rolled_back_components": ok, "failed_components": total - ok,
    });
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, job.org_id).await?;
    let mut outbox = Outbox::default();
    let row = deployments::record_rollback(&tx, job.org_id, d.id, status, &result)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "recording a rollback failed");
            JobError::from(ApiError::Detail {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                detail: Value::from("Failed to update deployment rollback status"),
            })
        })?;
    lifecycle::event(&tx, &mut outbox, job.org_id, &row).await?;
    connected.record_usage(&state, &tx, job.org_id).await?;
    tx.commit().await?;
    drop(conn);
    outbox.send(&state).await;
    Ok(response(&row))
}

fn str_field<'a>(c: &'a Value, key: &str) -> &'a str {
    c[key].as_str().unwrap_or_default()
}

/// Fields in reverse order (those of removed objects go with them), then objects in reverse
/// order, de-duplicated.
fn plan_objects(done: &[&Value], package: &mut Package) -> (Vec<Planned>, Vec<Value>) {
    let objects: Vec<&str> = done
        .iter()
        .filter(|c| c["type"] == "custom_object")
        .map(|c| str_field(c, "api_name"))
        .collect();
    let mut planned = Vec::new();
    let mut skipped = Vec::new();
    for c in done
        .iter()
        .rev()
        .filter(|c| matches!(str_field(c, "type"), "custom_field" | "relationship"))
    {
        let name = str_field(c, "api_name");
        let parent = name.split('.').next().unwrap_or_default();
        let kind = if c["type"] == "relationship" {
            "relationship"
        } else {
            "custom_field"
        };
        if objects.contains(&parent) {
            skipped.push(
                json!({"type": kind, "api_name": name, "success": true, "sfdc_id": c["sfdc_id"],
                "skipped": true, "reason": "Deleted with parent custom object"}),
            );
        } else if !name.is_empty() {
            package.delete(MetadataType::CustomField, name);
            planned.push(Planned::new(kind, name, "CustomField", name));
        }
    }
    for name in objects.iter().rev() {
        if !name.is_empty() && !planned.iter().any(|p: &Planned| p.full_name == *name) {
            package.delete(MetadataType::CustomObject, name);
            planned.push(Planned::new("custom_object", name, "CustomObject", name));
        }
    }
    (planned, skipped)
}

/// Dashboards, reports, dashboard folders, report folders (each in stored order, de-duplicated).
fn plan_analytics(done: &[&Value], package: &mut Package) -> Vec<Planned> {
    let mut planned: Vec<Planned> = Vec::new();
    for (kind, t) in [
        ("dashboard", MetadataType::Dashboard),
        ("report", MetadataType::Report),
        ("dashboard_folder", MetadataType::Dashboard),
        ("report_folder", MetadataType::Report),
    ] {
        for c in done.iter().filter(|c| c["type"] == kind) {
            let name = str_field(c, "api_name");
            if name.is_empty()
                || planned
                    .iter()
                    .any(|p| p.kind == kind && p.full_name == name)
            {
                continue;
            }
            package.delete(t, name);
            planned.push(Planned::new(kind, name, t.as_str(), name));
        }
    }
    planned
}
