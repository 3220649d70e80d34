//! sObject Collections: batches of 200, at most `concurrency` in flight. A batch that fails
//! whole with a transient error (5xx, `SERVER_UNAVAILABLE`, `UNABLE_TO_LOCK_ROW`, a timeout) is
//! sent again after the client's own retries are spent, and records that failed alone with a
//! transient code are sent again in a smaller batch. Re-sending is safe: upserts are keyed by
//! external id and updates by Id. What still fails is a failed record, never a lost one.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use shared::salesforce::{SalesforceClient, SalesforceError, SaveResult};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{failed_result, transient_code};

/// Records per call (SALESFORCE.md §1.5).
pub const BATCH: usize = 200;
/// Tries of a batch (each already retried by the client's transport).
const ROUNDS: u32 = 4;

/// What each batch does.
#[derive(Debug, Clone)]
pub enum Op {
    /// `PATCH /composite/sobjects/{object}/{external_id_field}`.
    Upsert {
        object: String,
        external_id_field: String,
    },
    /// `PATCH /composite/sobjects`, each record with its `Id`: never inserts.
    Update { object: String },
}

impl Op {
    fn object(&self) -> &str {
        match self {
            Op::Upsert { object, .. } | Op::Update { object } => object,
        }
    }

    async fn send(
        &self,
        sf: &SalesforceClient,
        records: &[Value],
    ) -> Result<Vec<SaveResult>, SalesforceError> {
        match self {
            Op::Upsert {
                object,
                external_id_field,
            } => {
                sf.upsert_records(object, external_id_field, records, false)
                    .await
            }
            Op::Update { object } => sf.update_records(object, records, false).await,
        }
    }
}

/// Sends every record; answers one result per record, in order. Only a failure that ends the
/// connection's usability (Nango can no longer give a token) is an `Err`: every other batch
/// failure becomes failed records with Salesforce's code and message.
pub async fn send_all(
    sf: &SalesforceClient,
    op: &Op,
    mut records: Vec<Value>,
    concurrency: usize,
    progress: impl Fn(usize, usize),
) -> Result<Vec<SaveResult>, SalesforceError> {
    let total = records.len();
    for r in &mut records {
        if let Some(m) = r.as_object_mut() {
            m.insert("attributes".into(), json!({"type": op.object()}));
        }
    }
    let records = Arc::new(records);
    let gate = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut set = JoinSet::new();
    let mut results: Vec<Option<SaveResult>> = vec![None; total];
    let mut done = 0usize;
    let mut start = 0;
    let mut fatal = None;
    while start < total || !set.is_empty() {
        // Keep `concurrency` batches in flight; the semaphore bounds them.
        while start < total && gate.available_permits() > 0 && fatal.is_none() {
            let end = (start + BATCH).min(total);
            let permit = gate.clone().acquire_owned().await.ok();
            let (sf, op, records) = (sf.clone(), op.clone(), records.clone());
            set.spawn(async move {
                let _permit = permit;
                let out = send_batch(&sf, &op, &records[start..end]).await;
                (start, out)
            });
            start = end;
        }
        let Some(joined) = set.join_next().await else {
            break;
        };
        match joined {
            Ok((at, Ok(batch))) => {
                done += batch.len();
                for (i, r) in batch.into_iter().enumerate() {
                    results[at + i] = Some(r);
                }
                progress(done, total);
            }
            Ok((_, Err(e))) => {
                fatal.get_or_insert(e);
                start = total;
            }
            Err(e) => {
                fatal.get_or_insert(SalesforceError::InvalidResponse(format!(
                    "a batch task failed: {e}"
                )));
                start = total;
            }
        }
    }
    if let Some(e) = fatal {
        return Err(e);
    }
    Ok(results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| failed_result("salesforce_batch_failed", "No result")))
        .collect())
}

/// One batch, until every record has a final result.
async fn send_batch(
    sf: &SalesforceClient,
    op: &Op,
    records: &[Value],
) -> Result<Vec<SaveResult>, SalesforceError> {
    let mut results: Vec<Option<SaveResult>> = vec![None; records.len()];
    let mut pending: Vec<usize> = (0..records.len()).collect();
    for round in 1..=ROUNDS {
        let last = round == ROUNDS;
        let batch: Vec<Value> = pending.iter().map(|i| records[*i].clone()).collect();
        match op.send(sf, &batch).await {
            Ok(rs) if rs.len() == batch.len() => {
                let mut again = Vec::new();
                for (i, r) in pending.iter().zip(rs) {
                    let transient =
                        !r.success && r.errors.iter().any(|e| transient_code(&e.status_code));
                    if transient && !last {
                        again.push(*i);
                    } else {
                        results[*i] = Some(r);
                    }
                }
                pending = again;
            }
            Ok(rs) => {
                let msg = format!(
                    "Salesforce answered {} results for {} records",
                    rs.len(),
                    batch.len()
                );
                for i in pending.drain(..) {
                    results[i] = Some(failed_result("salesforce_batch_failed", &msg));
                }
            }
            Err(e) if shared::crm::connection_unusable(&e) => return Err(e),
            Err(e) if e.is_transient(true) && !last => {
                tracing::warn!(round, error = %e, "a collections batch failed; sending it again");
            }
            Err(e) => {
                let (_, detail) = e.detail();
                let code = detail["code"].as_str().unwrap_or("salesforce_batch_failed");
                let message = detail["message"]
                    .as_str()
                    .unwrap_or("Salesforce composite batch request failed");
                for i in pending.drain(..) {
                    results[i] = Some(failed_result(code, message));
                }
            }
        }
        if pending.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250 * u64::from(round))).await;
    }
    Ok(results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| failed_result("salesforce_batch_failed", "No result")))
        .collect())
}
