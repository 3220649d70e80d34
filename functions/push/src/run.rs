//! What every push job does around the engine: the connection prerequisite, the push log (its
//! id is the job's, so a re-delivered job finds it), the ledger, the outcome with its event, and
//! the connection's usage. A transient failure of the whole push leaves the log `in_progress`
//! and the job retries (re-sending is idempotent); the last attempt's failure marks it `failed`
//! with `records_failed = records_total`.

use std::future::Future;

use serde::Serialize;
use serde_json::{Value, json};
use shared::db::push_logs::{self, Log, NewLog, Outcome};
use shared::jobs::{self, Job, JobError, NewEvent, Outbox};
use shared::salesforce::{SalesforceClient, SalesforceError};
use shared::time::Timestamp;
use shared::{ApiError, AppState, crm, db};
use uuid::Uuid;

use crate::engine::Tally;

/// Failures written per statement.
const LEDGER_CHUNK: usize = 5_000;
/// Failures copied into the log's `result.errors` when the results are not kept inline.
const ERRORS_IN_RESULT: usize = 1_000;

/// The answer of every push endpoint (API.md §4.14).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Pushed {
    pub id: Uuid,
    pub status: String,
    pub records_total: i32,
    pub records_succeeded: i32,
    pub records_failed: i32,
    pub completed_at: Option<Timestamp>,
}

impl Pushed {
    fn of(log: &Log) -> Self {
        Pushed {
            id: log.id,
            status: log.status.clone(),
            records_total: log.records_total,
            records_succeeded: log.records_succeeded,
            records_failed: log.records_failed,
            completed_at: log.completed_at,
        }
    }
}

/// What a push job is about.
pub struct Plan<'a> {
    pub client_id: Uuid,
    pub object_type: &'a str,
    pub total: usize,
    /// Stored on the log until the retention purge.
    pub payload: &'a Value,
}

/// Runs `work` as the push of `job`.
pub async fn push<F, Fut>(
    state: &AppState,
    job: &Job,
    plan: Plan<'_>,
    work: F,
) -> Result<Value, JobError>
where
    F: FnOnce(SalesforceClient, Box<dyn Fn(usize, usize) + Send + Sync>) -> Fut,
    Fut: Future<Output = Result<Tally, SalesforceError>>,
{
    let org_id = job.org_id;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, org_id).await?;
    let connected = crm::connected(&tx, org_id, plan.client_id).await?;
    let new = NewLog {
        id: job.id,
        client_id: plan.client_id,
        connection_id: connected.row.id,
        pushed_by: job.created_by.as_deref(),
        object_type: plan.object_type,
        records_total: plan.total as i32,
        payload: Some(plan.payload),
    };
    let log = push_logs::start(&tx, org_id, &new).await.map_err(|e| {
        tracing::error!(error = %e, "creating a push log failed");
        permanent_500("Failed to create push log")
    })?;
    if log.status != "in_progress" {
        // A re-delivered job whose push already ended.
        tx.commit().await?;
        return encode(&Pushed::of(&log));
    }
    push_logs::clear_failures(&tx, org_id, log.id).await?;
    tx.commit().await?;
    drop(conn);

    let sf = connected.salesforce(state);
    let progress: Box<dyn Fn(usize, usize) + Send + Sync> = {
        let (state, job) = (state.clone(), job.clone());
        Box::new(move |done: usize, total: usize| {
            let (state, job) = (state.clone(), job.clone());
            tokio::spawn(async move {
                // Progress is advisory; a failed write changes nothing.
                let _ = jobs::progress(&state, &job, done as i64, Some(total as i64)).await;
            });
        })
    };
    let outcome = work(sf, progress).await;

    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, org_id).await?;
    let mut outbox = Outbox::default();
    let (finished, error) = match outcome {
        Ok(tally) => (record(&tx, org_id, log.id, &tally).await?, None),
        Err(e) => {
            let retry = e.is_transient(true) && job.attempts < job.max_attempts;
            if retry {
                return Err(JobError::retryable("salesforce_unavailable", e.to_string()));
            }
            let (_, detail) = e.detail();
            let message = format!(
                "{}: {}",
                detail["code"].as_str().unwrap_or("push_failed"),
                detail["message"].as_str().unwrap_or("Push failed")
            );
            let o = Outcome {
                status: "failed",
                succeeded: 0,
                failed: plan.total as i32,
                result: None,
                error_message: Some(&message),
            };
            (push_logs::finish(&tx, org_id, log.id, &o).await?, Some(e))
        }
    };
    let finished = finished.ok_or_else(|| permanent_500("Failed to finalize push log"))?;
    let kind = match finished.status.as_str() {
        "succeeded" => jobs::events::PUSH_SUCCEEDED,
        "partial" => jobs::events::PUSH_PARTIAL,
        _ => jobs::events::PUSH_FAILED,
    };
    let answer = Pushed::of(&finished);
    let data = json!({"push_log_id": finished.id, "client_id": plan.client_id,
                      "object_type": finished.object_type, "status": finished.status,
                      "records_total": finished.records_total,
                      "records_succeeded": finished.records_succeeded,
                      "records_failed": finished.records_failed, "job_id": job.id});
    let event = NewEvent::new(kind, Some(plan.client_id), Some(finished.id), data);
    jobs::emit(&tx, &mut outbox, org_id, event).await?;
    connected.record_usage(state, &tx, org_id).await?;
    tx.commit().await?;
    drop(conn);
    outbox.send(state).await;
    if let Some(e) = error {
        // The push is recorded as failed; the caller gets Salesforce's answer.
        let mut failure = JobError::from(ApiError::from(e));
        failure.retryable = false;
        return Err(failure);
    }
    encode(&answer)
}

/// Writes the ledger and the outcome.
async fn record(
    tx: &impl deadpool_postgres::GenericClient,
    org_id: Uuid,
    id: Uuid,
    tally: &Tally,
) -> Result<Option<Log>, db::DbError> {
    for (n, chunk) in tally.failures.chunks(LEDGER_CHUNK).enumerate() {
        let first = (n * LEDGER_CHUNK) as i32 + 1;
        push_logs::add_failures(tx, org_id, id, first, chunk).await?;
    }
    let result = match &tally.results {
        Some(results) => json!({
            "results": results,
            "errors": results.iter().filter(|r| !r.success).collect::<Vec<_>>(),
        }),
        None => json!({
            "results": [],
            "errors": tally.failures.iter().take(ERRORS_IN_RESULT).map(|f| json!({
                "id": null, "success": false, "created": false, "external_id": f.external_id,
                "errors": [{"statusCode": f.status_code, "message": f.message, "fields": f.fields}],
            })).collect::<Vec<_>>(),
            "errors_total": tally.failures.len(),
            "bulk_jobs": tally.bulk_jobs,
        }),
    };
    let o = Outcome {
        status: tally.status(),
        succeeded: tally.succeeded as i32,
        failed: tally.failed() as i32,
        result: Some(&result),
        error_message: None,
    };
    push_logs::finish(tx, org_id, id, &o).await
}

fn permanent_500(message: &str) -> JobError {
    let mut e = JobError::permanent(500, "internal_error", message);
    e.detail = Value::from(message);
    e
}

fn encode(p: &Pushed) -> Result<Value, JobError> {
    serde_json::to_value(p).map_err(|e| JobError::retryable("encode", e.to_string()))
}
