//! Deploy-and-poll with a budget, and the per-component accounting (API.md §7.4 step 4, with
//! API-DECISIONS §8: each component reported once, with Salesforce's problem text).
//!
//! A run submits the zip once and remembers Salesforce's async id (on the deployment row when
//! there is one); when the deploy is still running after `DEPLOY_POLL_BUDGET_SECONDS`, the run
//! answers [`Polled::Running`] and the job comes back later to poll the same id: a deploy is
//! never marked failed while Salesforce may still complete it.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};
use shared::AppState;
use shared::jobs::JobError;
use shared::salesforce::package::Package;
use shared::salesforce::{
    DeployOptions, DeployResult, DeployStatus, SalesforceClient, SalesforceError,
};

/// A component the plan asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// `custom_object`, `custom_field`, `relationship`, `flow`, `report`, ...
    pub kind: &'static str,
    /// As the result names it (`Obj__c.Field__c`, `folder/report`).
    pub api_name: String,
    /// The Metadata type Salesforce reports it under.
    pub metadata_type: &'static str,
    /// Its full name in the deploy result.
    pub full_name: String,
}

impl Planned {
    pub fn new(
        kind: &'static str,
        api_name: &str,
        metadata_type: &'static str,
        full_name: &str,
    ) -> Self {
        Planned {
            kind,
            api_name: api_name.to_string(),
            metadata_type,
            full_name: full_name.to_string(),
        }
    }
}

/// `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentError {
    pub code: String,
    pub message: String,
}

/// A component's outcome, as results store it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Component {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub api_name: String,
    pub success: bool,
    pub sfdc_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ComponentError>,
}

/// How far a deploy got in this run.
pub enum Polled {
    Done(Box<DeployResult>),
    /// Still running at the end of the budget (or its status could not be read).
    Running(String),
}

/// `InProgress`-like names as Salesforce writes them.
pub fn status_name(s: &DeployStatus) -> &str {
    match s {
        DeployStatus::Pending => "Pending",
        DeployStatus::InProgress => "InProgress",
        DeployStatus::Succeeded => "Succeeded",
        DeployStatus::SucceededPartial => "SucceededPartial",
        DeployStatus::Failed => "Failed",
        DeployStatus::Canceling => "Canceling",
        DeployStatus::Canceled => "Canceled",
        DeployStatus::Other(o) => o,
    }
}

/// The options of every deploy here: components that deploy stay deployed (so rollback can
/// remove them), no tests.
pub fn options(check_only: bool) -> DeployOptions {
    DeployOptions {
        check_only,
        rollback_on_error: false,
        ..DeployOptions::default()
    }
}

/// Submits `package` (zip) and returns Salesforce's async id.
pub async fn submit(
    sf: &SalesforceClient,
    package: &Package,
    check_only: bool,
) -> Result<String, SalesforceError> {
    let zip = package
        .to_zip()
        .map_err(|e| SalesforceError::InvalidRequest(e.to_string()))?;
    Ok(sf.deploy(&zip, &options(check_only)).await?.id)
}

/// Polls `id` until it finishes or the budget is spent: pauses start at 100 ms and double up to
/// `DEPLOY_POLL_INTERVAL_MS`.
pub async fn poll(state: &AppState, sf: &SalesforceClient, id: &str) -> Polled {
    let config = state.config();
    let budget = Duration::from_secs(config.deploy_poll_budget_seconds);
    let max_pause = Duration::from_millis(config.deploy_poll_interval_ms);
    let started = Instant::now();
    let mut pause = Duration::from_millis(100).min(max_pause);
    loop {
        match sf.check_deploy_status(id, true).await {
            Ok(r) if r.done || r.status.is_terminal() => return Polled::Done(Box::new(r)),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, deploy_id = id, "checkDeployStatus failed; polling again later")
            }
        }
        if started.elapsed() + pause > budget {
            return Polled::Running(id.to_string());
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(max_pause);
    }
}

/// The job's answer while Salesforce is still deploying: the worker runs the job again later and
/// that run polls the same deploy.
pub fn still_running(id: &str) -> JobError {
    JobError::retryable(
        "deploy_in_progress",
        format!("Salesforce deploy {id} is still in progress; it is polled again later"),
    )
}

/// Every planned component's outcome: success when Salesforce lists it as a success and not a
/// failure, or lists no failure for it and the deploy `Succeeded`. The first failure message
/// names the problem. `failure_text` is `Metadata deploy` or `Destructive deploy`.
pub fn evaluate(planned: &[Planned], r: &DeployResult, failure_text: &str) -> Vec<Component> {
    let matches = |p: &Planned, m: &shared::salesforce::DeployMessage| {
        m.full_name == p.full_name
            && m.component_type.as_deref().is_none_or(|t| {
                t.is_empty() || t == p.metadata_type || folder_type(p.metadata_type) == t
            })
    };
    planned
        .iter()
        .map(|p| {
            let failure = r.component_failures.iter().find(|m| matches(p, m));
            let success = r.component_successes.iter().find(|m| matches(p, m));
            let ok =
                failure.is_none() && (success.is_some() || r.status == DeployStatus::Succeeded);
            let error = match (ok, failure) {
                (true, _) => None,
                (false, Some(f)) => Some(ComponentError {
                    code: f
                        .problem_type
                        .clone()
                        .unwrap_or_else(|| "metadata_deploy_failed".into()),
                    message: f
                        .problem
                        .clone()
                        .unwrap_or_else(|| format!("{failure_text} failed")),
                }),
                (false, None) => Some(ComponentError {
                    code: "metadata_deploy_failed".into(),
                    message: format!(
                        "{failure_text} ended with status {}",
                        status_name(&r.status)
                    ),
                }),
            };
            Component {
                kind: p.kind,
                api_name: p.api_name.clone(),
                success: ok,
                sfdc_id: if ok {
                    success.and_then(|s| s.id.clone())
                } else {
                    None
                },
                error,
            }
        })
        .collect()
}

/// Folders are reported as `ReportFolder`/`DashboardFolder` although package.xml lists them under
/// `Report`/`Dashboard`.
fn folder_type(t: &str) -> &str {
    match t {
        "Report" => "ReportFolder",
        "Dashboard" => "DashboardFolder",
        _ => "",
    }
}

/// Every planned component failed with the same error (the deploy could not be submitted).
pub fn all_failed(planned: &[Planned], e: &SalesforceError) -> Vec<Component> {
    let (_, detail) = e.detail();
    let code = detail["code"]
        .as_str()
        .or(detail["errorCode"].as_str())
        .unwrap_or("unknown_error");
    let message = detail["message"]
        .as_str()
        .unwrap_or("Unknown Salesforce error");
    planned
        .iter()
        .map(|p| Component {
            kind: p.kind,
            api_name: p.api_name.clone(),
            success: false,
            sfdc_id: None,
            error: Some(ComponentError {
                code: code.into(),
                message: message.into(),
            }),
        })
        .collect()
}

/// API.md §7.4.10: no components or no successes → `failed`; all → `succeeded`; else `partial`.
pub fn overall(components: &[Component]) -> &'static str {
    let ok = components.iter().filter(|c| c.success).count();
    if ok == 0 {
        "failed"
    } else if ok == components.len() {
        "succeeded"
    } else {
        "partial"
    }
}

/// How many successful components of `kind`.
pub fn count(components: &[Component], kind: &str) -> usize {
    components
        .iter()
        .filter(|c| c.success && c.kind == kind)
        .count()
}

/// Components as JSON.
pub fn to_json(components: &[Component]) -> Value {
    serde_json::to_value(components).unwrap_or_else(|_| json!([]))
}
