//! Bulk API 2.0: ingest jobs (create, CSV upload, UploadComplete, background processing in
//! chunks, successful/failed/unprocessed CSV results) and query jobs with CSV pages by
//! `Sforce-Locator` and `maxRecords`. Uploads are checked at once and kept as their CSV bytes,
//! parsed again a chunk at a time while the job runs.

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine;
use chrono::{DateTime, Utc};
use http::Method;
use serde_json::{Value, json};

use crate::Simulator;
use crate::dml::{self, SfError, Undo, UpsertFail, input};
use crate::http::{After, Req, Resp};
use crate::soql::eval;
use crate::soql::parser::{Item, Query};
use crate::state::State;
use crate::values::Val;

const CHUNK: usize = 2000;

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

fn err(status: u16, code: &str, msg: &str) -> Resp {
    Resp::json(status, &json!([{"errorCode": code, "message": msg}]))
}

fn info(j: &Job, v: &str, full: bool) -> Value {
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

fn csv_resp(body: Vec<u8>) -> Resp {
    Resp::typed(200, "text/csv", body)
}

fn line(fields: &[&str]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    let _ = w.write_record(fields);
    w.into_inner().unwrap_or_default()
}

fn new_job(
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

fn create_ingest(st: &mut State, org_id: &str, v: &str, r: &Req) -> Resp {
    let Ok(body) = r.json() else {
        return err(400, "INVALIDJOB", "The request body is not valid JSON");
    };
    let object = body
        .get("object")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let op = body
        .get("operation")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if !matches!(
        op.as_str(),
        "insert" | "update" | "upsert" | "delete" | "hardDelete"
    ) {
        return err(
            400,
            "INVALIDJOB",
            &format!("InvalidJob : Invalid operation: {op}"),
        );
    }
    let Some(def) = st
        .orgs
        .get(org_id)
        .and_then(|o| o.object(&object))
        .map(|o| o.def.clone())
    else {
        return err(
            400,
            "INVALIDJOB",
            &format!("InvalidJob : Unable to find object: {object}"),
        );
    };
    if op == "upsert" {
        let ext = body
            .get("externalIdFieldName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if def
            .field(ext)
            .is_none_or(|f| !(f.external_id || f.id_lookup))
        {
            return err(
                400,
                "INVALIDJOB",
                &format!("InvalidJob : The field {ext} is not an external ID field on {object}"),
            );
        }
    }
    let mut j = new_job(st, org_id, &def.name, &op, false, &body);
    j.external_id_field = j.external_id_field.take().filter(|_| op == "upsert");
    let resp = Resp::json(200, &info(&j, v, false));
    st.bulk.jobs.insert(j.id.clone(), j);
    resp
}

fn upload(st: &mut State, id: &str, r: &Req) -> Resp {
    let Some(j) = st.bulk.jobs.get_mut(id) else {
        return Resp::not_found();
    };
    if j.state != "Open" {
        return err(
            409,
            "INVALIDJOBSTATE",
            "Job is not in Open state; data can no longer be uploaded",
        );
    }
    let delim = delimiter(j);
    let mut rd = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .from_reader(&r.body[..]);
    let headers: Vec<String> = match rd.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => return err(400, "INVALIDBATCH", &format!("InvalidBatch : {e}")),
    };
    let start = rd.position().byte() as usize;
    // Every row is checked now; the rows themselves stay as bytes until processed.
    let mut rec = csv::StringRecord::new();
    let mut rows = 0;
    loop {
        match rd.read_record(&mut rec) {
            Ok(true) => rows += 1,
            Ok(false) => break,
            Err(e) => return err(400, "INVALIDBATCH", &format!("InvalidBatch : {e}")),
        }
    }
    j.headers = headers;
    if j.remaining == 0 {
        j.upload.clear();
        j.offset = 0;
    }
    j.upload
        .extend_from_slice(&r.body[start.min(r.body.len())..]);
    if !j.upload.is_empty() && !j.upload.ends_with(b"\n") {
        j.upload.push(b'\n');
    }
    j.remaining += rows;
    j.modified = Utc::now();
    let org_id = j.org_id.clone();
    if let Some(o) = st.orgs.get_mut(&org_id) {
        o.bulk_batches += 1;
    }
    Resp::empty(201)
}

fn patch(st: &mut State, org_id: &str, v: &str, id: &str, r: &Req) -> Resp {
    let state = r
        .json()
        .ok()
        .and_then(|b| b.get("state").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default();
    let Some(j) = st.bulk.jobs.get_mut(id) else {
        return Resp::not_found();
    };
    let mut after = None;
    match state.as_str() {
        "UploadComplete" if j.state == "Open" && !j.query => {
            j.state = "UploadComplete".into();
            after = Some(After::Bulk {
                org_id: org_id.to_string(),
                job_id: id.to_string(),
            });
        }
        "Aborted" if !matches!(j.state.as_str(), "JobComplete" | "Failed" | "Aborted") => {
            j.state = "Aborted".into()
        }
        _ => {
            return err(
                400,
                "INVALIDJOBSTATE",
                &format!("Invalid state change from {} to {state}", j.state),
            );
        }
    }
    j.modified = Utc::now();
    let mut resp = Resp::json(200, &info(j, v, false));
    resp.after.extend(after);
    resp
}

fn unprocessed(j: &Job) -> Resp {
    let mut out = line(&j.headers.iter().map(String::as_str).collect::<Vec<_>>());
    if j.remaining > 0 {
        out.extend_from_slice(&j.upload[j.offset.min(j.upload.len())..]);
    }
    csv_resp(out)
}

fn delimiter(j: &Job) -> u8 {
    match j.column_delimiter.as_str() {
        "TAB" => b'\t',
        "SEMICOLON" => b';',
        "PIPE" => b'|',
        "CARET" => b'^',
        "BACKQUOTE" => b'`',
        _ => b',',
    }
}

/// The next `n` unprocessed rows, parsed; the job's offset moves past them.
fn take_rows(j: &mut Job, n: usize) -> Vec<csv::StringRecord> {
    let mut rd = csv::ReaderBuilder::new()
        .delimiter(delimiter(j))
        .has_headers(false)
        .flexible(true)
        .from_reader(&j.upload[j.offset.min(j.upload.len())..]);
    let mut rows = Vec::with_capacity(n.min(j.remaining));
    let mut rec = csv::StringRecord::new();
    while rows.len() < n && matches!(rd.read_record(&mut rec), Ok(true)) {
        rows.push(rec.clone());
    }
    j.offset += rd.position().byte() as usize;
    j.remaining = j.remaining.saturating_sub(rows.len());
    if rows.is_empty() {
        j.remaining = 0;
    }
    if j.remaining == 0 {
        j.upload = Vec::new();
        j.offset = 0;
    }
    rows
}

/// Processes one chunk of an ingest job; returns whether rows remain.
fn process_chunk(st: &mut State, org_id: &str, job_id: &str) -> bool {
    let Some(j) = st.bulk.jobs.get_mut(job_id) else {
        return false;
    };
    if j.state == "Aborted" {
        return false;
    }
    let rows = take_rows(j, CHUNK);
    let more = j.remaining > 0;
    let (object, op, ext, headers) = (
        j.object.clone(),
        j.operation.clone(),
        j.external_id_field.clone(),
        j.headers.clone(),
    );
    let Some(org) = st.orgs.get_mut(org_id) else {
        return false;
    };
    let Some(def) = org.object(&object).map(|o| o.def.clone()) else {
        return false;
    };
    let cols = match input::csv_columns(&def, &headers) {
        Ok(c) => c,
        Err(e) => {
            if let Some(j) = st.bulk.jobs.get_mut(job_id) {
                j.state = "Failed".into();
                j.error_message = Some(e);
                j.remaining = 0;
                j.upload = Vec::new();
            }
            return false;
        }
    };
    let ext_idx = ext
        .as_ref()
        .and_then(|e| headers.iter().position(|h| h.eq_ignore_ascii_case(e)));
    let mut ok_rows: Vec<(String, bool, csv::StringRecord)> = Vec::new();
    let mut bad_rows: Vec<(Option<String>, SfError, csv::StringRecord)> = Vec::new();
    for rec in rows {
        let parsed = input::from_csv(&def, &cols, &rec);
        let mut undo = Undo::default();
        let id = parsed.id.clone();
        let res: Result<(String, bool), Vec<SfError>> = match op.as_str() {
            "insert" => dml::create(org, &object, parsed, &mut undo).map(|id| (id, true)),
            "update" => match &id {
                Some(i) => {
                    dml::update(org, Some(&object), i, parsed, &mut undo).map(|id| (id, false))
                }
                None => Err(vec![SfError::new(
                    "MISSING_ARGUMENT",
                    "Id not specified in an update call",
                    vec![],
                )]),
            },
            "delete" | "hardDelete" => match &id {
                Some(i) => dml::delete(org, Some(&object), i, &mut undo)
                    .map(|id| (id, false))
                    .map_err(|e| vec![e]),
                None => Err(vec![SfError::new(
                    "MISSING_ARGUMENT",
                    "Id not specified in a delete call",
                    vec![],
                )]),
            },
            _ => {
                let ev = ext_idx
                    .and_then(|i| rec.get(i))
                    .map(Val::str)
                    .unwrap_or(Val::Null);
                match dml::upsert(
                    org,
                    &object,
                    ext.as_deref().unwrap_or("Id"),
                    &ev,
                    false,
                    parsed,
                    &mut undo,
                ) {
                    Ok(x) => Ok(x),
                    Err(UpsertFail::Errors(e)) => Err(e),
                    Err(UpsertFail::Multiple(ids)) => Err(vec![SfError::new(
                        "DUPLICATE_EXTERNAL_ID",
                        format!(
                            "{}: more than one record found for external id field: [{}]",
                            ext.clone().unwrap_or_default(),
                            ids.join(", ")
                        ),
                        vec![],
                    )]),
                }
            }
        };
        match res {
            Ok((rid, created)) => ok_rows.push((rid, created, rec)),
            Err(errs) => bad_rows.push((
                id,
                errs.into_iter()
                    .next()
                    .unwrap_or_else(|| SfError::new("UNKNOWN_EXCEPTION", "failed", vec![])),
                rec,
            )),
        }
    }
    let Some(j) = st.bulk.jobs.get_mut(job_id) else {
        return false;
    };
    if j.success_csv.is_empty() {
        let mut h = vec!["sf__Id", "sf__Created"];
        h.extend(j.headers.iter().map(String::as_str));
        j.success_csv = line(&h);
        let mut h = vec!["sf__Id", "sf__Error"];
        h.extend(j.headers.iter().map(String::as_str));
        j.failed_csv = line(&h);
    }
    for (id, created, rec) in &ok_rows {
        let created = created.to_string();
        let mut f = vec![id.as_str(), created.as_str()];
        f.extend(rec.iter());
        j.success_csv.extend(line(&f));
    }
    for (id, e, rec) in &bad_rows {
        let msg = e.as_bulk();
        let mut f = vec![id.as_deref().unwrap_or(""), msg.as_str()];
        f.extend(rec.iter());
        j.failed_csv.extend(line(&f));
    }
    j.processed += ok_rows.len() + bad_rows.len();
    j.failed += bad_rows.len();
    j.modified = Utc::now();
    more
}

/// Processes an ingest job in the background, a chunk at a time, releasing the lock in between.
pub async fn process(sim: Simulator, org_id: String, job_id: String) {
    {
        let mut st = sim.lock();
        let Some(j) = st.bulk.jobs.get_mut(&job_id) else {
            return;
        };
        j.state = "InProgress".into();
        j.started = Some(Utc::now());
    }
    loop {
        let more = {
            let mut st = sim.lock();
            process_chunk(&mut st, &org_id, &job_id)
        };
        if !more {
            break;
        }
        tokio::task::yield_now().await;
    }
    let mut st = sim.lock();
    if let Some(j) = st.bulk.jobs.get_mut(&job_id)
        && j.state == "InProgress"
    {
        j.state = "JobComplete".into();
        j.finished = Some(Utc::now());
        j.modified = Utc::now();
    }
}

fn create_query(st: &mut State, org_id: &str, v: &str, r: &Req) -> Resp {
    let Ok(body) = r.json() else {
        return err(400, "INVALIDJOB", "The request body is not valid JSON");
    };
    let op = body
        .get("operation")
        .and_then(Value::as_str)
        .unwrap_or("query")
        .to_string();
    let q = body
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let Some(org) = st.orgs.get(org_id) else {
        return Resp::not_found();
    };
    let out = match eval::execute(org, &q, op == "queryAll") {
        Ok(o) => o,
        Err(e) => return err(400, "API_ERROR", &e.message),
    };
    if out.aggregate.is_some() || out.count_only {
        return err(
            400,
            "API_ERROR",
            "Aggregate queries and COUNT() are not supported in Bulk API 2.0 query jobs",
        );
    }
    let mut j = new_job(st, org_id, &out.entity, &op, true, &body);
    j.processed = out.rows.len();
    j.query_rows = Arc::new(out.rows);
    j.query_ast = Some(out.query);
    j.query_obj = out.obj_key;
    j.state = "JobComplete".into();
    j.started = Some(Utc::now());
    j.finished = Some(Utc::now());
    if let Some(o) = st.orgs.get_mut(org_id) {
        o.bulk_query_jobs += 1;
    }
    let mut resp_info = info(&j, v, false);
    resp_info["state"] = json!("UploadComplete");
    st.bulk.jobs.insert(j.id.clone(), j);
    Resp::json(200, &resp_info)
}

fn results(st: &State, id: &str, r: &Req) -> Resp {
    let j = &st.bulk.jobs[id];
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
    let start: usize = r
        .param("locator")
        .filter(|l| !l.is_empty() && l != "null")
        .and_then(|l| b64.decode(l.as_bytes()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let max = r
        .param("maxRecords")
        .and_then(|m| m.parse::<usize>().ok())
        .filter(|m| *m > 0)
        .unwrap_or(50_000);
    let Some(org) = st.orgs.get(&j.org_id) else {
        return Resp::not_found();
    };
    let (Some(so), Some(q)) = (org.objects.get(&j.query_obj), j.query_ast.as_ref()) else {
        return Resp::not_found();
    };
    let paths: Vec<&Vec<String>> = q
        .items
        .iter()
        .filter_map(|i| {
            if let Item::Field(p) = i {
                Some(&p.parts)
            } else {
                None
            }
        })
        .collect();
    let header: Vec<String> = paths.iter().map(|p| p.join(".")).collect();
    let mut out = line(&header.iter().map(String::as_str).collect::<Vec<_>>());
    let end = (start + max).min(j.query_rows.len());
    for row in &j.query_rows[start.min(end)..end] {
        let rec = &so.rows[*row as usize];
        let vals: Vec<String> = paths
            .iter()
            .map(|p| {
                let (v, t) = eval::get_path(org, so, rec, p);
                v.to_csv(t.unwrap_or(crate::schema::FieldType::String))
            })
            .collect();
        out.extend(line(&vals.iter().map(String::as_str).collect::<Vec<_>>()));
    }
    let next = if end < j.query_rows.len() {
        b64.encode(end.to_string())
    } else {
        "null".to_string()
    };
    Resp::typed(200, "text/csv", out)
        .with_header("sforce-locator", &next)
        .with_header(
            "sforce-numberofrecords",
            &(end - start.min(end)).to_string(),
        )
}
