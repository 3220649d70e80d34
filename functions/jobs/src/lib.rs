//! The job worker: no HTTP. On AWS one Lambda handles two kinds of events:
//!
//! - **SQS** messages `{"job_id": ...}`: each job is claimed with a lease and run through
//!   [`registry`]; the answer reports partial batch failures (`batchItemFailures`) so only
//!   messages that could not be handled (malformed, or the database unreachable) come back. A job
//!   that failed is not a failed message: its retry is the job's own, queued again with backoff.
//! - **EventBridge** schedules ([`Schedule`]): the lease sweeper (every minute), the connection
//!   health check (hourly), the topology refresh and the push payload purge (nightly). The rule's
//!   input may name the schedule (`{"schedule": "lease_sweeper"}`), or the rule's name (in
//!   `resources` of a plain scheduled event) contains it.
//!
//! Locally, [`local::spawn`] runs the same worker and schedules in the server's process, and
//! [`handle_schedule`] runs any schedule by hand.

pub mod local;
mod schedules;
mod sqs;

use serde_json::Value;
use shared::AppState;
use shared::jobs::{Registry, Worker};

pub use schedules::{
    ConnectionProbe, Probe, SWEEP_GRACE, Schedule, ScheduleError, TOPOLOGY_PULL, handle_schedule,
    nango_probe, run_schedule,
};
pub use sqs::{handle_sqs, handle_sqs_with};

/// Every job kind the worker runs. Group crates add theirs here as they land
/// (deploys, pushes, workflows).
pub fn registry() -> Registry {
    let r = Registry::builtin().add(topology::KIND, topology::pull::run);
    push::registry(workflows::registry(deploy::registry(r)))
}

/// The worker of this build over `state`.
pub fn worker(state: AppState) -> Worker {
    Worker::new(state, registry())
}

/// What the Lambda was given that it does not handle.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("unrecognised event: neither SQS records nor a known schedule")]
    Unrecognised,
    #[error("malformed SQS event: {0}")]
    MalformedSqs(String),
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
}

/// The Lambda's handler: an SQS batch or a scheduled event, told apart by shape.
pub async fn handle_event(worker: &Worker, event: Value) -> Result<Value, EventError> {
    if event.get("Records").is_some() {
        let sqs =
            serde_json::from_value(event).map_err(|e| EventError::MalformedSqs(e.to_string()))?;
        let answer = handle_sqs_with(worker, sqs).await;
        return Ok(serde_json::to_value(answer).unwrap_or_default());
    }
    let schedule = Schedule::from_event(&event).ok_or(EventError::Unrecognised)?;
    Ok(run_schedule(worker, schedule, &nango_probe(worker.state())).await?)
}
