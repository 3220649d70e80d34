//! Background processing of an ingest job, one chunk of rows at a time, writing successful and
//! failed result CSVs.

use chrono::Utc;

use super::ingest::take_rows;
use super::{CHUNK, line};
use crate::Simulator;
use crate::dml::{self, SfError, Undo, UpsertFail, input};
use crate::state::State;
use crate::values::Val;

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
