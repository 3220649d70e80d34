//! Bulk API 2.0: ingest jobs (create, CSV upload, UploadComplete, background processing in
//! chunks, successful/failed/unprocessed CSV results) and query jobs with CSV pages by
//! `Sforce-Locator` and `maxRecords`. Uploads are checked at once and kept as their CSV bytes,
//! parsed again a chunk at a time while the job runs.

mod ingest;
mod process;
mod query;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use http::Method;
use serde_json::{Value, json};

use crate::http::{Req, Resp};
use crate::soql::parser::Query;
use crate::state::State;
use ingest::{create_ingest, patch, unprocessed, upload};
pub use process::process;
use query::{create_query, results};

pub(super) const CHUNK: usize = 2000;

/// One Bulk API 2.0 job.
#[derive(Debug)]
pub struct Job {
    pub id: String,
    pub org_id: String,
    pub object: String,
    pub operation: String,
    pub external_id_field: Option<String>,
    pub state: String,
    pub query: bool,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub line_ending: String,
    pub column_delimiter: String,
    pub created_by: String,
    pub error_message: Option<String>,
    pub headers: Vec<String>,
    /// Uploaded data rows as received (after the header), parsed a chunk at a time, so a
    /// million-row job costs its CSV bytes rather than a million parsed records.
    pub upload: Vec<u8>,
    /// Where the next unprocessed row starts in `upload`.
    pub offset: usize,
    /// Rows not processed yet.
    pub remaining: usize,
    pub processed: usize,
    pub failed: usize,
    pub success_csv: Vec<u8>,
    pub failed_csv: Vec<u8>,
    pub started: Option<DateTime<Utc>>,
    pub finished: Option<DateTime<Utc>>,
    pub query_rows: Arc<Vec<u32>>,
    pub query_ast: Option<Arc<Query>>,
    pub query_obj: String,
}

/// Bulk jobs of all orgs.
#[derive(Debug, Default)]
pub struct BulkState {
    pub jobs: HashMap<String, Job>,
}

pub(super) fn err(status: u16, code: &str, msg: &str) -> Resp {
    Resp::json(status, &json!([{"errorCode": code, "message": msg}]))
}

pub(super) fn info(j: &Job, v: &str, full: bool) -> Value {
    let kind = if j.query { "query" } else { "ingest" };
    let mut m = json!({
        "id": j.id, "operation": j.operation, "object": j.object, "createdById": j.created_by,
        "createdDate": j.created.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string(),
        "systemModstamp": j.modified.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string(),
        "state": j.state, "concurrencyMode": "Parallel", "contentType": "CSV",
        "apiVersion": v.trim_start_matches('v').parse::<f64>().unwrap_or(60.0),
        "jobType": if j.query { "V2Query" } else { "V2Ingest" },
        "lineEnding": j.line_ending, "columnDelimiter": j.column_delimiter,
    });
    if !j.query {
        m["contentUrl"] = json!(format!("services/data/{v}/jobs/{kind}/{}/batches", j.id));
        if let Some(e) = &j.external_id_field {
            m["externalIdFieldName"] = json!(e);
        }
    }
    if full {
        m["numberRecordsProcessed"] = json!(j.processed);
        m["numberRecordsFailed"] = json!(j.failed);
        m["retries"] = json!(0);
        let ms = match (j.started, j.finished) {
            (Some(s), Some(f)) => (f - s).num_milliseconds(),
            _ => 0,
        };
        m["totalProcessingTime"] = json!(ms);
        m["apiActiveProcessingTime"] = json!(ms);
        m["apexProcessingTime"] = json!(0);
        if let Some(e) = &j.error_message {
            m["errorMessage"] = json!(e);
        }
    }
    m
}

/// Routes `/jobs/...`.
pub fn route(st: &mut State, org_id: &str, v: &str, r: &Req, segs: &[&str]) -> Resp {
    match (r.method.clone(), segs) {
        (Method::POST, ["ingest"]) => create_ingest(st, org_id, v, r),
        (Method::POST, ["query"]) => create_query(st, org_id, v, r),
        (Method::GET, [kind @ ("ingest" | "query")]) => {
            let list: Vec<Value> = st
                .bulk
                .jobs
                .values()
                .filter(|j| j.org_id == org_id && j.query == (*kind == "query"))
                .map(|j| info(j, v, false))
                .collect();
            Resp::json(
                200,
                &json!({"done": true, "records": list, "nextRecordsUrl": null}),
            )
        }
        (_, [_, id, ..]) if st.bulk.jobs.get(*id).is_none_or(|j| j.org_id != org_id) => {
            err(404, "NOT_FOUND", "The requested resource does not exist")
        }
        (Method::PUT, ["ingest", id, "batches"]) => upload(st, id, r),
        (Method::PATCH, ["ingest" | "query", id]) => patch(st, org_id, v, id, r),
        (Method::GET, ["ingest" | "query", id]) => {
            Resp::json(200, &info(&st.bulk.jobs[*id], v, true))
        }
        (Method::DELETE, ["ingest" | "query", id]) => {
            st.bulk.jobs.remove(*id);
            Resp::empty(204)
        }
        (Method::GET, ["ingest", id, "successfulResults"]) => {
            csv_resp(st.bulk.jobs[*id].success_csv.clone())
        }
        (Method::GET, ["ingest", id, "failedResults"]) => {
            csv_resp(st.bulk.jobs[*id].failed_csv.clone())
        }
        (Method::GET, ["ingest", id, "unprocessedrecords"]) => unprocessed(&st.bulk.jobs[*id]),
        (Method::GET, ["query", id, "results"]) => results(st, id, r),
        _ => Resp::not_found(),
    }
}

pub(super) fn csv_resp(body: Vec<u8>) -> Resp {
    Resp::typed(200, "text/csv", body)
}

pub(super) fn line(fields: &[&str]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    let _ = w.write_record(fields);
    w.into_inner().unwrap_or_default()
}

pub(super) fn new_job(
    st: &mut State,
    org_id: &str,
    object: &str,
    operation: &str,
    query: bool,
    body: &Value,
) -> Job {
    let id = crate::ids::mint("750", st.rng.next_u64() % 1_000_000_000_000);
    let now = Utc::now();
    Job {
        id,
        org_id: org_id.to_string(),
        object: object.to_string(),
        operation: operation.to_string(),
        external_id_field: body
            .get("externalIdFieldName")
            .and_then(Value::as_str)
            .map(str::to_string),
        state: if query {
            "UploadComplete".into()
        } else {
            "Open".into()
        },
        query,
        created: now,
        modified: now,
        line_ending: body
            .get("lineEnding")
            .and_then(Value::as_str)
            .unwrap_or("LF")
            .to_string(),
        column_delimiter: body
            .get("columnDelimiter")
            .and_then(Value::as_str)
            .unwrap_or("COMMA")
            .to_string(),
        created_by: st
            .orgs
            .get(org_id)
            .map(|o| o.admin_user_id.clone())
            .unwrap_or_default(),
        error_message: None,
        headers: Vec::new(),
        upload: Vec::new(),
        offset: 0,
        remaining: 0,
        processed: 0,
        failed: 0,
        success_csv: Vec::new(),
        failed_csv: Vec::new(),
        started: None,
        finished: None,
        query_rows: Arc::new(Vec::new()),
        query_ast: None,
        query_obj: String::new(),
    }
}
