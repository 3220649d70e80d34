//! Jobs: long operations as rows, run by a worker, followed through events.
//!
//! A job's way (DESIGN.md): a handler calls [`respond`], which inserts a `jobs` row and a
//! `job.queued` event in one transaction (honouring `Idempotency-Key`), sends `{job_id}` to the
//! queue ([`Hub`]: SQS on AWS, the in-process worker locally), and waits up to
//! `SYNC_WAIT_SECONDS` watching the row: 200 with the job's result when it finished in time,
//! otherwise 202 with its state. A [`Worker`] claims the job with a lease, runs the function the
//! [`Registry`] names for its kind, renews the lease while it runs, and records the outcome:
//! success, a retry with exponential backoff, or failure. Every transition appends an event in the
//! same transaction, and every event fans out to the org's matching webhooks as `webhook.deliver`
//! jobs ([`webhook`]).
//!
//! Delivery is at least once: a message may arrive twice and a lease may expire under a slow
//! step, so every kind's `run` must be idempotent. The lease makes sure two workers never run the
//! same job at the same time, and a worker that lost its lease writes nothing.

mod error;
pub mod events;
mod queue;
mod registry;
mod respond;
pub mod webhook;
mod worker;

use serde_json::Value;
use uuid::Uuid;

pub use crate::db::jobs::{Job, JobStatus};
pub use error::JobError;
pub use events::{NewEvent, Outbox, emit};
pub use queue::{Hub, Queue, QueueError, SqsQueue};
pub use registry::{JobFuture, Registry, RetryPolicy};
pub use respond::{Accepted, JobRequest, Progress, respond, wait};
pub use worker::{Outcome, Worker};

use crate::db::{self, DbError};
use crate::state::AppState;

/// The kind every org can run to check the pipeline: does nothing, returns `{}`.
pub const NOOP: &str = "noop";
/// `max_attempts` of a new job unless its kind says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 5;

/// What to run: the kind names the function, the payload is its input.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub client_id: Option<Uuid>,
    pub payload: Value,
    pub max_attempts: i32,
}

impl NewJob {
    pub fn new(kind: impl Into<String>, client_id: Option<Uuid>, payload: Value) -> Self {
        NewJob {
            kind: kind.into(),
            client_id,
            payload,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }
}

/// How [`create`] went.
#[derive(Debug)]
pub enum Created {
    /// A new job; it is in the queue.
    New(Job),
    /// The `Idempotency-Key` already named this job (same request).
    Existing(Job),
}

impl Created {
    pub fn job(&self) -> &Job {
        match self {
            Created::New(j) | Created::Existing(j) => j,
        }
    }
}

/// Why [`create`] refused.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The key was used, within its 24 hours, for a request with another kind, client or payload.
    #[error("Idempotency-Key was already used for a different request")]
    KeyReused,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<tokio_postgres::Error> for CreateError {
    fn from(e: tokio_postgres::Error) -> Self {
        CreateError::Db(e.into())
    }
}

impl From<CreateError> for crate::ApiError {
    fn from(e: CreateError) -> Self {
        match e {
            CreateError::KeyReused => crate::ApiError::Detail {
                status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                detail: Value::from(e.to_string()),
            },
            CreateError::Db(e) => e.into(),
        }
    }
}

/// Creates a job (and its `job.queued` event) and sends it to the queue. With an idempotency
/// key, a repeated request of the org within 24 hours gets the job the first one created.
pub async fn create(
    state: &AppState,
    org_id: Uuid,
    actor: Option<&str>,
    idempotency_key: Option<&str>,
    new: &NewJob,
) -> Result<Created, CreateError> {
    let hash = request_hash(new);
    // Two attempts: the second runs only when a concurrent request bound the key between our
    // look-up and our insert, and then finds its job.
    for _ in 0..2 {
        let mut conn = db::conn(state.db()).await?;
        let tx = db::begin(&mut conn, org_id).await?;
        if let Some(key) = idempotency_key
            && let Some((job_id, stored)) = db::jobs::find_idempotent(&tx, org_id, key).await?
        {
            if stored != hash {
                return Err(CreateError::KeyReused);
            }
            if let Some(job) = db::jobs::get(&tx, org_id, job_id).await? {
                tx.commit().await?;
                return Ok(Created::Existing(job));
            }
        }
        let row = db::jobs::NewJobRow {
            client_id: new.client_id,
            kind: &new.kind,
            payload: &new.payload,
            max_attempts: new.max_attempts,
            created_by: actor,
        };
        let job = db::jobs::insert(&tx, org_id, &row).await?;
        if let Some(key) = idempotency_key
            && !db::jobs::bind_idempotency_key(&tx, org_id, key, job.id, &hash).await?
        {
            tx.rollback().await?;
            continue;
        }
        let mut outbox = Outbox::default();
        events::job_transition(&tx, &mut outbox, &job, events::JOB_QUEUED, None).await?;
        tx.commit().await?;
        drop(conn);
        outbox.push(job.id);
        outbox.send(state).await;
        return Ok(Created::New(job));
    }
    Err(CreateError::Db(DbError::Setup(
        "the idempotency key was bound concurrently but its job is not visible".into(),
    )))
}

/// One job of the org.
pub async fn get(state: &AppState, org_id: Uuid, id: Uuid) -> Result<Option<Job>, DbError> {
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, org_id).await?;
    let job = db::jobs::get(&tx, org_id, id).await?;
    tx.commit().await?;
    Ok(job)
}

/// Cancels a job that has not finished (with a `job.canceled` event). A running worker loses its
/// lease at its next renewal and stops. `None` when there is no such unfinished job.
pub async fn cancel(state: &AppState, org_id: Uuid, id: Uuid) -> Result<Option<Job>, DbError> {
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, org_id).await?;
    let job = db::jobs::cancel(&tx, org_id, id).await?;
    let mut outbox = Outbox::default();
    if let Some(job) = &job {
        events::job_transition(&tx, &mut outbox, job, events::JOB_CANCELED, None).await?;
    }
    tx.commit().await?;
    drop(conn);
    outbox.send(state).await;
    state.jobs().finished();
    Ok(job)
}

/// Records a running job's progress (`done` of `total` steps) and renews its lease. `false` when
/// the run no longer holds the job (lease taken over, or canceled): the run should stop.
pub async fn progress(
    state: &AppState,
    job: &Job,
    done: i64,
    total: Option<i64>,
) -> Result<bool, DbError> {
    let Some(token) = job.lease_token else {
        return Ok(false);
    };
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, job.org_id).await?;
    let held = db::jobs::progress(
        &tx,
        job.org_id,
        job.id,
        token,
        done,
        total,
        state.config().job_lease_seconds as f64,
    )
    .await?;
    tx.commit().await?;
    Ok(held)
}

/// The fingerprint of a job request an idempotency key is bound to: kind, client and payload,
/// with object keys sorted so the same request always hashes the same.
pub fn request_hash(new: &NewJob) -> String {
    use sha2::{Digest, Sha256};
    let canonical = serde_json::json!([new.kind, new.client_id, canonical(&new.payload)]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

fn canonical(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            // An array of pairs keeps the order whatever the map type preserves.
            Value::Array(
                entries
                    .into_iter()
                    .map(|(k, v)| Value::Array(vec![Value::from(k.as_str()), canonical(v)]))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_request_hash_ignores_key_order_but_not_content() {
        let a = NewJob::new("noop", None, json!({"a": 1, "b": {"x": [1, 2], "y": null}}));
        let b = NewJob::new("noop", None, json!({"b": {"y": null, "x": [1, 2]}, "a": 1}));
        let c = NewJob::new("noop", None, json!({"a": 2, "b": {"x": [1, 2], "y": null}}));
        let d = NewJob::new(
            "other",
            None,
            json!({"a": 1, "b": {"x": [1, 2], "y": null}}),
        );
        assert_eq!(request_hash(&a), request_hash(&b));
        assert_ne!(request_hash(&a), request_hash(&c));
        assert_ne!(request_hash(&a), request_hash(&d));
    }
}
