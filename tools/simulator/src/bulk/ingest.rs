//! Bulk ingest jobs: creation, CSV uploads, the UploadComplete / Aborted state changes, and
//! reading the stored upload back a chunk of rows at a time.

use chrono::Utc;
use serde_json::Value;

use super::{Job, csv_resp, err, info, line, new_job};
use crate::http::{After, Req, Resp};
use crate::state::State;

pub(super) fn create_ingest(st: &mut State, org_id: &str, v: &str, r: &Req) -> Resp {
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

pub(super) fn upload(st: &mut State, id: &str, r: &Req) -> Resp {
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

pub(super) fn patch(st: &mut State, org_id: &str, v: &str, id: &str, r: &Req) -> Resp {
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

pub(super) fn unprocessed(j: &Job) -> Resp {
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
pub(super) fn take_rows(j: &mut Job, n: usize) -> Vec<csv::StringRecord> {
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
