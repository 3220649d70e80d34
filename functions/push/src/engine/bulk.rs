//! Bulk API 2.0 upserts for large pushes. Records are read from the [`Source`] in slices and
//! written as CSV straight into the upload buffer (no JSON of the whole push in memory); one
//! ingest job takes up to [`MAX_UPLOAD_BYTES`] of CSV (Salesforce: 150 MB base64, ~100 MB raw).
//! Per job: create, upload, close, a few polls spaced by the job's size, then only the failed
//! results (successes are Salesforce's own count) and, if the job did not complete, the
//! unprocessed rows. Results are read one CSV row at a time.

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Map, Value};
use shared::db::push_logs::Failure;
use shared::salesforce::bulk::each_csv_row;
use shared::salesforce::{
    BulkOperation, FailedRecord, IngestJobRequest, IngestResults, JobInfo, JobState, LineEnding,
    SalesforceClient, SalesforceError,
};

use super::{Source, Tally};

/// CSV bytes per ingest job (Salesforce takes 150 MB base64-encoded, about 100 MB raw).
pub const MAX_UPLOAD_BYTES: usize = 100_000_000;
/// Records read from the source at a time.
const SLICE: usize = 5_000;
/// How long one ingest job may run before it is aborted.
pub const MAX_WAIT: Duration = Duration::from_secs(2 * 3600);
/// Bulk's null marker.
const NULL: &str = "#N/A";

/// Upserts every record of `source` on `external_id_field` through Bulk API 2.0.
pub async fn upsert(
    sf: &SalesforceClient,
    object: &str,
    external_id_field: &str,
    source: &dyn Source,
    max_upload: usize,
    progress: impl Fn(usize, usize),
) -> Result<Tally, SalesforceError> {
    let total = source.len();
    let columns = columns(source);
    let ext_col = columns
        .iter()
        .position(|c| c.eq_ignore_ascii_case(external_id_field));
    let mut tally = Tally {
        total,
        ..Tally::default()
    };
    // Upload every job first (Salesforce processes them in parallel), then collect.
    let mut jobs: Vec<(String, usize)> = Vec::new();
    let mut start = 0;
    while start < total {
        let (csv, rows, next) = write_csv(source, &columns, start, max_upload)?;
        let request = IngestJobRequest {
            object: object.to_string(),
            operation: BulkOperation::Upsert,
            external_id_field_name: Some(external_id_field.to_string()),
            line_ending: LineEnding::Lf,
            assignment_rule_id: None,
        };
        let job = sf.create_ingest_job(&request).await?;
        sf.upload_job_data(&job.id, csv).await?;
        sf.close_ingest_job(&job.id).await?;
        tally.bulk_jobs.push(job.id.clone());
        jobs.push((job.id, rows));
        start = next;
    }
    let mut done = 0;
    for (job_id, rows) in jobs {
        let info = wait(sf, &job_id, rows).await?;
        collect(sf, &info, rows, ext_col, &columns, &mut tally).await?;
        done += rows;
        progress(done, total);
    }
    Ok(tally)
}

/// The CSV columns: every key of every record in first-seen order, a nested object (a
/// relationship reference such as `{"Account": {"Ext__c": "x"}}`) as `Account.Ext__c`.
fn columns(source: &dyn Source) -> Vec<String> {
    let mut seen: HashMap<String, ()> = HashMap::new();
    let mut out = Vec::new();
    let mut start = 0;
    while start < source.len() {
        let end = (start + SLICE).min(source.len());
        for record in source.slice(start, end) {
            for (k, v) in &record {
                let mut add = |name: String| {
                    if seen.insert(name.clone(), ()).is_none() {
                        out.push(name);
                    }
                };
                match v {
                    Value::Object(inner) => {
                        for ik in inner.keys().filter(|k| *k != "attributes") {
                            add(format!("{k}.{ik}"));
                        }
                    }
                    _ => add(k.clone()),
                }
            }
        }
        start = end;
    }
    out
}

fn cell(record: &Map<String, Value>, column: &str) -> String {
    let value = match column.split_once('.') {
        Some((rel, field)) => record.get(rel).and_then(|r| r.get(field)),
        None => record.get(column),
    };
    match value {
        None => String::new(),
        Some(Value::Null) => NULL.to_string(),
        Some(v) => super::text(v).unwrap_or_default(),
    }
}

/// CSV of records from `start` until the buffer reaches `max_bytes`; answers the bytes, the
/// rows written and where the next job starts.
fn write_csv(
    source: &dyn Source,
    columns: &[String],
    start: usize,
    max_bytes: usize,
) -> Result<(Bytes, usize, usize), SalesforceError> {
    let invalid = |e: csv::Error| SalesforceError::InvalidRequest(format!("CSV: {e}"));
    let mut w = csv::WriterBuilder::new().from_writer(Vec::with_capacity(1 << 20));
    w.write_record(columns).map_err(invalid)?;
    let mut at = start;
    let mut row: Vec<String> = Vec::with_capacity(columns.len());
    'outer: while at < source.len() {
        let end = (at + SLICE).min(source.len());
        for record in source.slice(at, end) {
            row.clear();
            row.extend(columns.iter().map(|c| cell(&record, c)));
            w.write_record(&row).map_err(invalid)?;
            // Into the Vec, so its length is the upload's size (a copy of one row).
            w.flush()
                .map_err(|e| SalesforceError::InvalidRequest(format!("CSV: {e}")))?;
            at += 1;
            if w.get_ref().len() >= max_bytes {
                break 'outer;
            }
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| SalesforceError::InvalidRequest(format!("CSV: {e}")))?;
    Ok((Bytes::from(bytes), at - start, at))
}

/// Polls until the job ends: the first poll after a delay that grows with the job's size, then
/// doubling up to 30 s, so a million rows cost a handful of polls. A job still running after
/// [`MAX_WAIT`] is aborted; its unprocessed rows become failed records.
async fn wait(
    sf: &SalesforceClient,
    job_id: &str,
    rows: usize,
) -> Result<JobInfo, SalesforceError> {
    let started = std::time::Instant::now();
    let mut delay = Duration::from_millis(500 + rows as u64 / 200);
    loop {
        tokio::time::sleep(delay).await;
        let info = sf.ingest_job(job_id).await?;
        if info.state.is_terminal() {
            return Ok(info);
        }
        if started.elapsed() > MAX_WAIT {
            tracing::warn!(job_id, "a Bulk ingest job outlived its wait; aborting it");
            sf.abort_ingest_job(job_id).await?;
            return sf.ingest_job(job_id).await;
        }
        delay = (delay * 2).min(Duration::from_secs(30));
    }
}

/// Failed rows into the ledger; successes counted; rows the job never processed become
/// failures too, so every row is accounted for.
async fn collect(
    sf: &SalesforceClient,
    info: &JobInfo,
    rows: usize,
    ext_col: Option<usize>,
    columns: &[String],
    tally: &mut Tally,
) -> Result<(), SalesforceError> {
    let processed = (info.number_records_processed.unwrap_or(0) as usize).min(rows);
    let failed = info.number_records_failed.unwrap_or(0) as usize;
    let before = tally.failures.len();
    if failed > 0 {
        let body = sf
            .ingest_results_raw(&info.id, IngestResults::Failed)
            .await?;
        let ext_name = ext_col.map(|i| columns[i].as_str());
        each_csv_row(&body, |header, row| {
            let get = |name: &str| {
                header
                    .iter()
                    .position(|h| h == name)
                    .and_then(|i| row.get(i))
            };
            let record = FailedRecord {
                id: None,
                error: get("sf__Error").unwrap_or_default().to_string(),
                fields: Default::default(),
            };
            let fields = record
                .error
                .rsplit_once(':')
                .map(|(_, f)| f.trim().trim_end_matches("--").trim())
                .filter(|f| !f.is_empty())
                .map(|f| f.split(',').map(|s| s.trim().to_string()).collect())
                .unwrap_or_default();
            tally.failures.push(Failure {
                record_index: None,
                external_id: ext_name.and_then(get).map(str::to_string),
                status_code: record.status_code().to_string(),
                message: record.message().to_string(),
                fields,
            });
        })?;
    }
    let listed = tally.failures.len() - before;
    // Failures Salesforce counted but did not list are still failures.
    let failed = failed.max(listed);
    for _ in listed..failed {
        tally.failures.push(unprocessed_failure(
            "RESULT_MISSING",
            "Salesforce counted this record as failed but listed no result for it",
            None,
        ));
    }
    tally.succeeded += processed.saturating_sub(failed);
    let unprocessed = rows.saturating_sub(processed.max(failed));
    if unprocessed > 0 {
        let why = info.error_message.clone().unwrap_or_else(|| {
            format!(
                "The Bulk job ended {:?} before processing this record",
                info.state
            )
        });
        let code = if info.state == JobState::JobComplete {
            "RESULT_MISSING"
        } else {
            "BULK_JOB_NOT_COMPLETED"
        };
        let body = match info.state {
            JobState::JobComplete => Bytes::new(),
            _ => sf
                .ingest_results_raw(&info.id, IngestResults::Unprocessed)
                .await
                .unwrap_or_default(),
        };
        let ext_name = ext_col.map(|i| columns[i].as_str());
        let mut listed_unprocessed = 0;
        if !body.is_empty() {
            each_csv_row(&body, |header, row| {
                if listed_unprocessed >= unprocessed {
                    return;
                }
                listed_unprocessed += 1;
                let ext = ext_name
                    .and_then(|n| header.iter().position(|h| h == n))
                    .and_then(|i| row.get(i))
                    .map(str::to_string);
                tally.failures.push(unprocessed_failure(code, &why, ext));
            })?;
        }
        for _ in listed_unprocessed..unprocessed {
            tally.failures.push(unprocessed_failure(code, &why, None));
        }
    }
    Ok(())
}

fn unprocessed_failure(code: &str, why: &str, external_id: Option<String>) -> Failure {
    Failure {
        record_index: None,
        external_id,
        status_code: code.to_string(),
        message: why.to_string(),
        fields: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn source(values: Vec<Value>) -> Vec<Map<String, Value>> {
        values
            .into_iter()
            .map(|v| v.as_object().unwrap().clone())
            .collect()
    }

    #[test]
    fn csv_has_every_column_nulls_as_na_and_relationships_dotted() {
        let s = source(vec![
            json!({"Ext__c": "a", "LastName": "X, \"Y\"", "Email": null}),
            json!({"Ext__c": "b", "Account": {"attributes": {"type": "Account"}, "Ext__c": "acc-1"}}),
        ]);
        let cols = columns(&s);
        // Keys in each record's order (serde_json sorts them), new ones appended.
        assert_eq!(cols, ["Email", "Ext__c", "LastName", "Account.Ext__c"]);
        let (csv, rows, next) = write_csv(&s, &cols, 0, MAX_UPLOAD_BYTES).unwrap();
        assert_eq!((rows, next), (2, 2));
        assert_eq!(
            std::str::from_utf8(&csv).unwrap(),
            "Email,Ext__c,LastName,Account.Ext__c\n#N/A,a,\"X, \"\"Y\"\"\",\n,b,,acc-1\n"
        );
    }

    #[test]
    fn uploads_are_split_at_the_byte_bound() {
        let s = source(
            (0..10)
                .map(|i| json!({"Ext__c": format!("id-{i}")}))
                .collect(),
        );
        let cols = columns(&s);
        let (_, rows, next) = write_csv(&s, &cols, 0, 30).unwrap();
        assert!(rows < 10 && rows > 0);
        let (_, rest, end) = write_csv(&s, &cols, next, MAX_UPLOAD_BYTES).unwrap();
        assert_eq!((rows + rest, end), (10, 10));
    }
}
