//! The push engine, free of HTTP and of the database: records in, Salesforce per-record outcomes
//! out. [`collections`] sends batches of 200 with a few in flight; [`bulk`] streams CSV through
//! one Bulk API 2.0 ingest job per ~100 MB. Both account for every record exactly once:
//! `succeeded + failures.len() == total`.

pub mod bulk;
pub mod collections;
pub mod resolve;
pub mod update;

use serde_json::{Map, Value, json};
use shared::db::push_logs::Failure;
use shared::salesforce::SaveResult;

/// Where records come from, by position; read in slices so a million need not be in memory at
/// once as JSON objects.
pub trait Source: Send + Sync + 'static {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Records `start..end`, ready to send (keys are Salesforce field names).
    fn slice(&self, start: usize, end: usize) -> Vec<Map<String, Value>>;
}

/// Records already in memory.
impl Source for Vec<Map<String, Value>> {
    fn len(&self) -> usize {
        <[Map<String, Value>]>::len(self)
    }
    fn slice(&self, start: usize, end: usize) -> Vec<Map<String, Value>> {
        self[start..end].to_vec()
    }
}

/// How a push went.
#[derive(Debug, Default)]
pub struct Tally {
    pub total: usize,
    pub succeeded: usize,
    /// Every failed record with Salesforce's error.
    pub failures: Vec<Failure>,
    /// Per-record results in request order (collections only; bulk results stay in the ledger).
    pub results: Option<Vec<SaveResult>>,
    /// Bulk ingest jobs used.
    pub bulk_jobs: Vec<String>,
}

impl Tally {
    pub fn failed(&self) -> usize {
        self.failures.len()
    }

    /// `succeeded` when nothing failed (also for zero records), `failed` when nothing
    /// succeeded, else `partial` (API.md §7.10).
    pub fn status(&self) -> &'static str {
        if self.failures.is_empty() {
            "succeeded"
        } else if self.succeeded == 0 {
            "failed"
        } else {
            "partial"
        }
    }
}

/// §7.10's translation: each key replaced by its mapping when the mapping names a non-empty
/// field (unmapped keys pass through; a later key wins a collision), `attributes` dropped.
pub fn translate(
    record: &Map<String, Value>,
    mapping: Option<&Map<String, Value>>,
) -> Map<String, Value> {
    let mut out = Map::with_capacity(record.len());
    for (k, v) in record {
        if k == "attributes" {
            continue;
        }
        let key = mapping
            .and_then(|m| m.get(k))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or(k);
        out.insert(key.to_string(), v.clone());
    }
    out
}

/// A tally of per-record results in request order; `keys[i]` names record `i` in the ledger.
pub fn tally(results: Vec<SaveResult>, keys: Vec<Option<String>>) -> Tally {
    let mut t = Tally {
        total: results.len(),
        ..Tally::default()
    };
    for (i, (r, key)) in results.iter().zip(keys).enumerate() {
        if r.success {
            t.succeeded += 1;
        } else {
            t.failures.push(failure_of(i, key, r));
        }
    }
    t.results = Some(results);
    t
}

/// A synthesised failed result, as the baseline writes one for a batch that failed whole.
pub fn failed_result(code: &str, message: &str) -> SaveResult {
    serde_json::from_value(json!({
        "id": null, "success": false, "created": false,
        "errors": [{"statusCode": code, "message": message, "fields": []}]
    }))
    .unwrap_or(SaveResult {
        id: None,
        success: false,
        errors: Vec::new(),
        created: Some(false),
    })
}

/// The ledger entry of a failed result.
pub fn failure_of(index: usize, external_id: Option<String>, r: &SaveResult) -> Failure {
    let first = r.errors.first();
    Failure {
        record_index: Some(index as i32),
        external_id,
        status_code: first
            .map(|e| e.status_code.clone())
            .unwrap_or_else(|| "UNKNOWN_EXCEPTION".into()),
        message: first.map(|e| e.message.clone()).unwrap_or_default(),
        fields: first.map(|e| e.fields.clone()).unwrap_or_default(),
    }
}

/// A value as text (for ledger keys and CSV cells).
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// A scalar value as text without allocating for strings.
pub fn text_ref(v: &Value) -> Option<std::borrow::Cow<'_, str>> {
    match v {
        Value::Null | Value::Object(_) | Value::Array(_) => None,
        Value::String(s) => Some(std::borrow::Cow::Borrowed(s)),
        other => Some(std::borrow::Cow::Owned(other.to_string())),
    }
}

/// Per-record error codes worth sending the record again.
pub fn transient_code(code: &str) -> bool {
    matches!(code, "UNABLE_TO_LOCK_ROW" | "SERVER_UNAVAILABLE")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_translated_and_attributes_dropped() {
        let record =
            json!({"email": "a@b.c", "name": "A", "attributes": {"type": "X"}, "Other": 1});
        let mapping =
            json!({"email": "Email", "name": "LastName", "unused": "Foo__c", "Other": ""});
        let out = translate(
            record.as_object().unwrap(),
            Some(mapping.as_object().unwrap()),
        );
        assert_eq!(
            Value::Object(out),
            json!({"Email": "a@b.c", "LastName": "A", "Other": 1})
        );
    }

    #[test]
    fn the_status_follows_the_counts() {
        let mut t = Tally::default();
        assert_eq!(t.status(), "succeeded");
        t.failures
            .push(failure_of(0, None, &failed_result("X", "y")));
        assert_eq!(t.status(), "failed");
        t.succeeded = 1;
        assert_eq!(t.status(), "partial");
    }
}
