//! The Salesforce side of a pull: describeGlobal, describes 25 per composite batch with
//! [`BATCHES_IN_FLIGHT`] batches at once (each subrequest conditional on the previous snapshot's
//! fetch time), and one Tooling query for the active validation rules of every object.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, DurationRound, Utc};
use serde_json::{Value, json};
use shared::salesforce::rest::MAX_BATCH_SUBREQUESTS;
use shared::salesforce::{Described, SalesforceClient, SalesforceError};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Composite batches in flight at once.
pub const BATCHES_IN_FLIGHT: usize = 6;

/// What came back for one object.
pub enum Outcome {
    /// A fresh describe (as JSON text, to keep memory low) fetched at the given time.
    Fresh(String),
    /// 304: the stored describe is still right.
    Unchanged,
    /// The subrequest failed: `{code, message}`.
    Failed(Value),
}

/// The org as this pull saw it.
pub struct Fetched {
    /// Every object name of describeGlobal, in its order.
    pub names: Vec<String>,
    /// Names of custom objects (describeGlobal's `custom`, or `__c`).
    pub custom: Vec<String>,
    /// Per object, in no particular order.
    pub outcomes: Vec<(String, Outcome)>,
    /// When the describes were asked for (stored as the fetch time of fresh ones).
    pub described_at: DateTime<Utc>,
    /// Active validation rules by object name.
    pub rules: HashMap<String, Vec<Value>>,
}

/// The `If-Modified-Since` for an object fetched at `t`: HTTP dates have whole seconds, so the
/// second before `t`'s, which never hides a change made after the fetch began.
pub fn since(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::seconds(1)).unwrap_or(t) - Duration::seconds(1)
}

/// Describes the org. `previous` maps object names to when their stored describe was fetched.
pub async fn fetch(
    sf: &SalesforceClient,
    previous: &HashMap<String, DateTime<Utc>>,
    on_batch: impl Fn(usize, usize) + Send + Sync + 'static,
) -> Result<Fetched, SalesforceError> {
    let global = match sf.describe_global(None).await? {
        Described::Modified { value, .. } => value,
        Described::NotModified => {
            return Err(SalesforceError::InvalidResponse(
                "Salesforce list sobjects answered 304 to an unconditional request".into(),
            ));
        }
    };
    let names = global.names();
    let custom = global
        .sobjects
        .iter()
        .filter_map(|o| {
            let name = o.get("name")?.as_str()?;
            let custom = o.get("custom").and_then(Value::as_bool);
            custom
                .unwrap_or_else(|| name.ends_with("__c"))
                .then(|| name.to_string())
        })
        .collect();
    drop(global);
    let described_at = Utc::now();
    let chunks: Vec<Vec<String>> = names
        .chunks(MAX_BATCH_SUBREQUESTS)
        .map(<[String]>::to_vec)
        .collect();
    let total = chunks.len();
    let on_batch = Arc::new(on_batch);
    let gate = Arc::new(Semaphore::new(BATCHES_IN_FLIGHT));
    let mut set = JoinSet::new();
    for chunk in chunks {
        let sf = sf.clone();
        let gate = gate.clone();
        let conditions: Vec<_> = chunk
            .iter()
            .map(|n| previous.get(n).map(|t| since(*t)))
            .collect();
        set.spawn(async move {
            let _permit = gate.acquire_owned().await;
            let requests: Vec<_> = chunk
                .iter()
                .zip(&conditions)
                .map(|(n, s)| sf.describe_subrequest_since(n, *s))
                .collect();
            let response = sf.composite_batch(&requests, false).await?;
            if response.results.len() != chunk.len() {
                return Err(SalesforceError::InvalidResponse(
                    "composite batch answered a different number of results".into(),
                ));
            }
            let out: Vec<(String, Outcome)> = chunk
                .into_iter()
                .zip(response.results)
                .map(|(name, r)| {
                    let outcome = match r.status_code {
                        200 if r.result.is_object() => Outcome::Fresh(r.result.to_string()),
                        304 => Outcome::Unchanged,
                        status => Outcome::Failed(describe_error(status, &r.result)),
                    };
                    (name, outcome)
                })
                .collect();
            Ok::<_, SalesforceError>(out)
        });
    }
    let mut outcomes = Vec::with_capacity(names.len());
    let mut done = 0;
    while let Some(joined) = set.join_next().await {
        let batch = joined.map_err(|e| SalesforceError::InvalidResponse(e.to_string()))??;
        outcomes.extend(batch);
        done += 1;
        on_batch(done, total);
    }
    let rules = validation_rules(sf).await?;
    Ok(Fetched {
        names,
        custom,
        outcomes,
        described_at,
        rules,
    })
}

/// `{code, message}` of a failed describe subrequest (Salesforce answers a list of errors).
fn describe_error(status: u16, result: &Value) -> Value {
    let first = result.as_array().and_then(|a| a.first()).unwrap_or(result);
    let code = first
        .get("errorCode")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("HTTP_{status}"));
    let message = first
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("Describe failed");
    json!({"code": code, "message": message})
}

/// The Tooling query for active validation rules, every object at once.
pub const RULES_SOQL: &str = "SELECT Id, ValidationName, Active, ErrorMessage, \
    ErrorDisplayField, EntityDefinition.QualifiedApiName FROM ValidationRule WHERE Active = true";

/// Active validation rules by object, each `{name, active, error_message, error_display_field}`,
/// sorted by name; follows `nextRecordsUrl`.
async fn validation_rules(
    sf: &SalesforceClient,
) -> Result<HashMap<String, Vec<Value>>, SalesforceError> {
    let mut page = sf.tooling_query(RULES_SOQL).await?;
    let mut by_object: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    loop {
        for r in std::mem::take(&mut page.records) {
            let Some(object) = r["EntityDefinition"]["QualifiedApiName"].as_str() else {
                continue;
            };
            by_object
                .entry(object.to_string())
                .or_default()
                .push(json!({
                    "name": r["ValidationName"],
                    "active": r["Active"].as_bool().unwrap_or(true),
                    "error_message": r["ErrorMessage"],
                    "error_display_field": r["ErrorDisplayField"],
                }));
        }
        match (page.done, page.next_records_url.clone()) {
            (false, Some(next)) => page = sf.tooling_query_more(&next).await?,
            _ => break,
        }
    }
    Ok(by_object
        .into_iter()
        .map(|(k, mut v)| {
            v.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
            (k, v)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_describe_is_recorded_as_code_and_message() {
        let body =
            json!([{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]);
        assert_eq!(
            describe_error(404, &body),
            json!({"code": "NOT_FOUND", "message": "The requested resource does not exist"})
        );
        assert_eq!(
            describe_error(500, &Value::Null),
            json!({"code": "HTTP_500", "message": "Describe failed"})
        );
    }

    #[test]
    fn the_condition_is_the_second_before_the_fetch_began() {
        let t = DateTime::parse_from_rfc3339("2026-02-19T10:00:05.700Z")
            .unwrap()
            .with_timezone(&Utc);
        let s = since(t);
        assert_eq!(s.to_rfc3339(), "2026-02-19T10:00:04+00:00");
    }
}
