//! The worker: claim a job with a lease, run its kind's function while renewing the lease, and
//! record the outcome with its event, all under the job's org.
//!
//! The claim is one `UPDATE ... WHERE status = 'queued' OR (status = 'running' AND lease
//! expired)`, so of two deliveries of the same message only one gets the job while its lease
//! lives; the other returns [`Outcome::Skipped`]. Every later write names the lease token: a run
//! whose lease was taken over (its worker stalled past the lease) or whose job was canceled writes
//! nothing and is stopped at its next renewal.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tracing::Instrument;
use uuid::Uuid;

use super::events::{self, Outbox};
use super::registry::{Registry, RetryPolicy};
use super::{Job, JobError};
use crate::db::{self, DbError};
use crate::state::AppState;

/// What one [`Worker::run`] did.
#[derive(Debug)]
pub enum Outcome {
    /// No such job.
    Missing,
    /// The job was not claimable: finished, not yet due, or held by a live lease elsewhere.
    Skipped,
    Succeeded(Job),
    /// The attempt failed; the job is queued again, due after `delay`.
    Retrying {
        job: Job,
        delay: Duration,
    },
    Failed(Job),
    /// The run lost its lease (taken over after expiry, or canceled); nothing was recorded.
    LeaseLost,
}

/// Runs jobs of the kinds in its registry.
#[derive(Clone)]
pub struct Worker {
    state: AppState,
    registry: Arc<Registry>,
}

/// Aborts the job's task when the run is dropped (its worker died or was stopped), so a run never
/// outlives its lease holder.
struct AbortOnDrop(tokio::task::JoinHandle<Result<Value, JobError>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Worker {
    pub fn new(state: AppState, registry: Registry) -> Self {
        Worker {
            state,
            registry: Arc::new(registry),
        }
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    fn lease_seconds(&self) -> f64 {
        self.state.config().job_lease_seconds as f64
    }

    /// Claims the job and, when it got it, runs it to an outcome.
    pub async fn run(&self, job_id: Uuid) -> Result<Outcome, DbError> {
        let state = &self.state;
        let mut conn = db::conn(state.db()).await?;
        let Some(org_id) = db::jobs::org_of(&conn, job_id).await? else {
            return Ok(Outcome::Missing);
        };
        let tx = db::begin(&mut conn, org_id).await?;
        let Some(job) = db::jobs::claim(&tx, org_id, job_id, self.lease_seconds()).await? else {
            tx.commit().await?;
            return Ok(Outcome::Skipped);
        };
        let Some(token) = job.lease_token else {
            return Err(DbError::Setup("a claimed job has no lease token".into()));
        };
        let mut outbox = Outbox::default();
        if job.attempts > job.max_attempts {
            // Its workers kept dying: do not start it again.
            let err = JobError::retryable(
                "attempts_exhausted",
                format!(
                    "The job was started {} times without finishing",
                    job.max_attempts
                ),
            );
            let failed = db::jobs::fail(&tx, org_id, job.id, token, &err.to_json()).await?;
            if let Some(failed) = &failed {
                let extra = json!({"error": {"code": err.code, "message": err.message}});
                events::job_transition(&tx, &mut outbox, failed, events::JOB_FAILED, Some(extra))
                    .await?;
            }
            tx.commit().await?;
            drop(conn);
            outbox.send(state).await;
            state.jobs().finished();
            return Ok(failed.map_or(Outcome::LeaseLost, Outcome::Failed));
        }
        events::job_transition(&tx, &mut outbox, &job, events::JOB_RUNNING, None).await?;
        tx.commit().await?;
        drop(conn);
        outbox.send(state).await;

        let span = tracing::info_span!(
            "job", job_id = %job.id, org_id = %job.org_id, kind = %job.kind, attempt = job.attempts
        );
        async move {
            let Some(result) = self.execute(&job, token).await else {
                tracing::warn!("the run lost its lease; its outcome is discarded");
                return Ok(Outcome::LeaseLost);
            };
            let outcome = self.record(&job, token, result).await?;
            match &outcome {
                Outcome::Succeeded(_) => tracing::info!("job succeeded"),
                Outcome::Retrying { delay, .. } => {
                    tracing::warn!(
                        delay_ms = delay.as_millis() as u64,
                        "job attempt failed; retrying"
                    )
                }
                Outcome::Failed(j) => tracing::warn!(
                    code = j
                        .error
                        .as_ref()
                        .and_then(|e| e["code"].as_str())
                        .unwrap_or(""),
                    "job failed"
                ),
                _ => {}
            }
            Ok(outcome)
        }
        .instrument(span)
        .await
    }

    /// Runs the kind's function, renewing the lease every third of it. `None` when the lease was
    /// lost: the function is stopped.
    async fn execute(&self, job: &Job, token: Uuid) -> Option<Result<Value, JobError>> {
        let Some(kind) = self.registry.get(&job.kind) else {
            return Some(Err(JobError::permanent(
                500,
                "unknown_kind",
                format!("No worker runs jobs of kind {}", job.kind),
            )));
        };
        let mut task = AbortOnDrop(tokio::spawn((kind.run)(self.state.clone(), job.clone())));
        let every = Duration::from_secs_f64(self.lease_seconds() / 3.0);
        loop {
            tokio::select! {
                joined = &mut task.0 => {
                    return Some(match joined {
                        Ok(result) => result,
                        Err(e) if e.is_panic() => {
                            Err(JobError::retryable("job_panicked", "The job's function panicked"))
                        }
                        Err(_) => Err(JobError::retryable("job_aborted", "The job's run was aborted")),
                    });
                }
                () = tokio::time::sleep(every) => {
                    match self.renew(job, token).await {
                        Ok(true) => {}
                        Ok(false) => return None,
                        Err(e) => tracing::warn!(error = %e, "could not renew the lease"),
                    }
                }
            }
        }
    }

    async fn renew(&self, job: &Job, token: Uuid) -> Result<bool, DbError> {
        let mut conn = db::conn(self.state.db()).await?;
        let tx = db::begin(&mut conn, job.org_id).await?;
        let held = db::jobs::renew(&tx, job.org_id, job.id, token, self.lease_seconds()).await?;
        tx.commit().await?;
        Ok(held)
    }

    /// Records the run's result: success, a retry after backoff, or failure; with its event.
    async fn record(
        &self,
        job: &Job,
        token: Uuid,
        result: Result<Value, JobError>,
    ) -> Result<Outcome, DbError> {
        let state = &self.state;
        let org_id = job.org_id;
        let mut conn = db::conn(state.db()).await?;
        let tx = db::begin(&mut conn, org_id).await?;
        let mut outbox = Outbox::default();
        let outcome = match result {
            Ok(value) => match db::jobs::succeed(&tx, org_id, job.id, token, &value).await? {
                Some(done) => {
                    events::job_transition(&tx, &mut outbox, &done, events::JOB_SUCCEEDED, None)
                        .await?;
                    Outcome::Succeeded(done)
                }
                None => Outcome::LeaseLost,
            },
            Err(err) => {
                let policy = self
                    .registry
                    .get(&job.kind)
                    .map(|k| k.retry)
                    .unwrap_or_default();
                let delay = retry_delay(state, &policy, job, &err);
                let summary = json!({"code": err.code, "message": err.message});
                match delay {
                    Some(delay) => {
                        let stored = err.to_json();
                        let secs = delay.as_secs_f64();
                        match db::jobs::retry(&tx, org_id, job.id, token, &stored, secs).await? {
                            Some(queued) => {
                                let extra =
                                    json!({"error": summary, "run_after": queued.run_after});
                                events::job_transition(
                                    &tx,
                                    &mut outbox,
                                    &queued,
                                    events::JOB_RETRYING,
                                    Some(extra),
                                )
                                .await?;
                                Outcome::Retrying { job: queued, delay }
                            }
                            None => Outcome::LeaseLost,
                        }
                    }
                    None => match db::jobs::fail(&tx, org_id, job.id, token, &err.to_json()).await?
                    {
                        Some(failed) => {
                            let extra = json!({"error": summary});
                            events::job_transition(
                                &tx,
                                &mut outbox,
                                &failed,
                                events::JOB_FAILED,
                                Some(extra),
                            )
                            .await?;
                            Outcome::Failed(failed)
                        }
                        None => Outcome::LeaseLost,
                    },
                }
            }
        };
        tx.commit().await?;
        drop(conn);
        outbox.send(state).await;
        match &outcome {
            Outcome::Retrying { job, delay } => {
                if let Err(e) = state.jobs().enqueue(job.id, *delay).await {
                    tracing::warn!(error = %e, "could not enqueue the retry; the sweeper will");
                }
            }
            Outcome::Succeeded(_) | Outcome::Failed(_) => state.jobs().finished(),
            _ => {}
        }
        Ok(outcome)
    }
}

/// The delay before the next attempt, or `None` when the job should fail now: the error is not
/// worth a retry, the attempts are used up, or the next attempt would fall after the policy's
/// deadline.
pub(crate) fn retry_delay(
    state: &AppState,
    policy: &RetryPolicy,
    job: &Job,
    err: &JobError,
) -> Option<Duration> {
    if !err.retryable || job.attempts >= job.max_attempts {
        return None;
    }
    let base = Duration::from_millis(state.config().job_backoff_base_ms);
    let delay = policy.backoff(base, job.attempts);
    if let Some(limit) = policy.give_up_after {
        let next = chrono::Utc::now() + chrono::Duration::from_std(delay).ok()?;
        let deadline = job.created_at.0 + chrono::Duration::from_std(limit).ok()?;
        if next > deadline {
            return None;
        }
    }
    Some(delay)
}
