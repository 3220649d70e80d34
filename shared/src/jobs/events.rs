//! Emitting events: append to the log in the caller's transaction, fan out to webhooks as
//! `webhook.deliver` jobs, and send those jobs after commit through an [`Outbox`].
//!
//! ```ignore
//! let mut outbox = Outbox::default();
//! jobs::emit(&tx, &mut outbox, org_id, NewEvent::new("connection.connected", Some(client_id),
//!     Some(connection_id), json!({...}))).await?;
//! tx.commit().await?;
//! outbox.send(&state).await;
//! ```
//!
//! A job lost between commit and send (a crash, a queue outage) is still a queued row: the lease
//! sweeper sends it again within two minutes.

use deadpool_postgres::GenericClient;
use serde_json::{Value, json};
use uuid::Uuid;

use super::webhook;
use crate::db::{self, DbError, events::Event, jobs::Job};
use crate::state::AppState;

/// A job was created (or put back after a failed attempt: see [`JOB_RETRYING`]).
pub const JOB_QUEUED: &str = "job.queued";
/// A worker claimed the job.
pub const JOB_RUNNING: &str = "job.running";
/// An attempt failed; the job is queued again, due at `data.run_after`.
pub const JOB_RETRYING: &str = "job.retrying";
pub const JOB_SUCCEEDED: &str = "job.succeeded";
pub const JOB_FAILED: &str = "job.failed";
pub const JOB_CANCELED: &str = "job.canceled";
/// A connect session was opened for a client with no working connection.
pub const CONNECTION_PENDING: &str = "connection.pending";
/// Nango's connection was bound (callback or webhook) or refreshed back to working.
pub const CONNECTION_CONNECTED: &str = "connection.connected";
/// Nango can no longer refresh the connection's credentials (refresh, webhook, health check).
pub const CONNECTION_EXPIRED: &str = "connection.expired";
/// The connection was revoked (and deleted in Nango).
pub const CONNECTION_REVOKED: &str = "connection.revoked";
/// A push ended with every record succeeded (`push.partial`, `push.failed`: some, none).
pub const PUSH_SUCCEEDED: &str = "push.succeeded";
pub const PUSH_PARTIAL: &str = "push.partial";
pub const PUSH_FAILED: &str = "push.failed";
/// A deployment (or a rollback) ended: `deployment.{status}` with the deployment's new status.
pub const DEPLOYMENT_TYPES: &[&str] = &[
    "deployment.succeeded",
    "deployment.partial",
    "deployment.failed",
    "deployment.rolled_back",
    "deployment.rollback_failed",
];

/// Every event type but the deployments' ([`DEPLOYMENT_TYPES`]).
pub const TYPES: &[&str] = &[
    JOB_QUEUED,
    JOB_RUNNING,
    JOB_RETRYING,
    JOB_SUCCEEDED,
    JOB_FAILED,
    JOB_CANCELED,
    CONNECTION_PENDING,
    CONNECTION_CONNECTED,
    CONNECTION_EXPIRED,
    CONNECTION_REVOKED,
    PUSH_SUCCEEDED,
    PUSH_PARTIAL,
    PUSH_FAILED,
];

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: String,
    pub client_id: Option<Uuid>,
    pub subject_id: Option<Uuid>,
    pub data: Value,
}

impl NewEvent {
    pub fn new(
        kind: impl Into<String>,
        client_id: Option<Uuid>,
        subject_id: Option<Uuid>,
        data: Value,
    ) -> Self {
        NewEvent {
            kind: kind.into(),
            client_id,
            subject_id,
            data,
        }
    }
}

/// Jobs created inside a transaction, to send to the queue once it has committed.
#[derive(Debug, Default)]
#[must_use = "an outbox must be sent after commit"]
pub struct Outbox {
    jobs: Vec<Uuid>,
}

impl Outbox {
    pub fn push(&mut self, job_id: Uuid) {
        self.jobs.push(job_id);
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    /// Sends every job to the queue. A failure is logged, not returned: the job is a committed
    /// row and the sweeper sends it again.
    pub async fn send(self, state: &AppState) {
        for id in self.jobs {
            if let Err(e) = state.jobs().enqueue(id, std::time::Duration::ZERO).await {
                tracing::warn!(job_id = %id, error = %e, "could not enqueue a job; the sweeper will");
            }
        }
    }
}

/// Appends an event in the caller's transaction and creates a delivery job for every webhook of
/// the org that wants it (collected in `outbox`).
pub async fn emit(
    c: &impl GenericClient,
    outbox: &mut Outbox,
    org_id: Uuid,
    event: NewEvent,
) -> Result<Event, DbError> {
    let e = db::events::insert(
        c,
        org_id,
        event.client_id,
        &event.kind,
        event.subject_id,
        &event.data,
    )
    .await?;
    let jobs = db::webhooks::fan_out(
        c,
        org_id,
        e.id,
        &e.kind,
        e.client_id,
        webhook::DELIVER,
        webhook::MAX_ATTEMPTS,
    )
    .await?;
    outbox.jobs.extend(jobs);
    Ok(e)
}

/// Whether a kind's transitions are events. Webhook deliveries are not: an event about a
/// delivery would fan out to another delivery, without end.
pub fn emits_events(kind: &str) -> bool {
    kind != webhook::DELIVER
}

/// The event of a job's transition: `{job_id, kind, status, attempt, progress, ...extra}`.
pub async fn job_transition(
    c: &impl GenericClient,
    outbox: &mut Outbox,
    job: &Job,
    kind: &str,
    extra: Option<Value>,
) -> Result<(), DbError> {
    if !emits_events(&job.kind) {
        return Ok(());
    }
    let mut data = json!({
        "job_id": job.id,
        "kind": job.kind,
        "status": job.status.as_str(),
        "attempt": job.attempts,
        "progress": {"done": job.progress_done, "total": job.progress_total},
    });
    if let (Some(extra), Some(map)) = (extra, data.as_object_mut())
        && let Value::Object(more) = extra
    {
        map.extend(more);
    }
    emit(
        c,
        outbox,
        job.org_id,
        NewEvent::new(kind, job.client_id, Some(job.id), data),
    )
    .await?;
    Ok(())
}
