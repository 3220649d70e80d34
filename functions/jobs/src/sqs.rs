//! SQS batches: each message names a job; the messages of a batch run concurrently.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use serde::Deserialize;
use shared::AppState;
use shared::jobs::{Outcome, Worker};
use uuid::Uuid;

#[derive(Deserialize)]
struct Message {
    job_id: Uuid,
}

/// Runs the batch with this build's [`crate::registry`].
pub async fn handle_sqs(state: &AppState, event: SqsEvent) -> SqsBatchResponse {
    handle_sqs_with(&crate::worker(state.clone()), event).await
}

/// Runs every message's job; reports the messages to try again: malformed ones (they end in the
/// dead-letter queue) and ones the database could not take. A message for a job that is
/// finished, not yet due or held under a live lease is done: the holder finishes it, and the
/// sweeper sends it again if the holder dies.
pub async fn handle_sqs_with(worker: &Worker, event: SqsEvent) -> SqsBatchResponse {
    let mut answer = SqsBatchResponse::default();
    let mut runs = tokio::task::JoinSet::new();
    let mut messages = std::collections::HashMap::new();
    for record in event.records {
        let message_id = record.message_id.unwrap_or_default();
        let parsed = record
            .body
            .as_deref()
            .and_then(|b| serde_json::from_str::<Message>(b).ok());
        let Some(message) = parsed else {
            tracing::error!(message_id, "an SQS message does not name a job");
            answer.add_failure(message_id);
            continue;
        };
        let worker = worker.clone();
        let job_id = message.job_id;
        let task = runs.spawn(async move { (job_id, worker.run(job_id).await) });
        messages.insert(task.id(), message_id);
    }
    while let Some(joined) = runs.join_next_with_id().await {
        match joined {
            Ok((_, (job_id, Ok(outcome)))) => {
                if matches!(outcome, Outcome::Skipped | Outcome::Missing) {
                    tracing::info!(%job_id, outcome = outcome_name(&outcome), "nothing to run");
                }
            }
            Ok((task, (job_id, Err(e)))) => {
                tracing::error!(%job_id, error = %e, "could not run a job; SQS will deliver it again");
                answer.add_failure(messages.remove(&task).unwrap_or_default());
            }
            Err(e) => {
                tracing::error!(error = %e, "a job's task failed; SQS will deliver it again");
                answer.add_failure(messages.remove(&e.id()).unwrap_or_default());
            }
        }
    }
    answer
}

fn outcome_name(o: &Outcome) -> &'static str {
    match o {
        Outcome::Missing => "missing",
        Outcome::Skipped => "skipped",
        Outcome::Succeeded(_) => "succeeded",
        Outcome::Retrying { .. } => "retrying",
        Outcome::Failed(_) => "failed",
        Outcome::LeaseLost => "lease_lost",
    }
}
