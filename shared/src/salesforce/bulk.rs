//! Bulk API 2.0 (SALESFORCE.md §4): ingest jobs (create, upload CSV, close, poll, results) and
//! query jobs (create, poll, results paged by `Sforce-Locator`).

use std::collections::BTreeMap;

use bytes::Bytes;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::client::{Call, SalesforceClient, Target};
use super::error::SalesforceError;

/// An ingest operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BulkOperation {
    Insert,
    Update,
    Upsert,
    Delete,
    HardDelete,
}

/// The line ending of uploaded CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineEnding {
    #[serde(rename = "LF")]
    Lf,
    #[serde(rename = "CRLF")]
    Crlf,
}

/// What an ingest job is created with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestJobRequest {
    pub object: String,
    pub operation: BulkOperation,
    /// Required for upserts.
    pub external_id_field_name: Option<String>,
    pub line_ending: LineEnding,
    pub assignment_rule_id: Option<String>,
}

/// A job's state.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub enum JobState {
    Open,
    UploadComplete,
    InProgress,
    JobComplete,
    Failed,
    Aborted,
    #[serde(other)]
    Unknown,
}

impl JobState {
    /// Whether the job will not change any more.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            JobState::JobComplete | JobState::Failed | JobState::Aborted
        )
    }
}

/// Job info, for ingest and query jobs alike (fields absent in a state are `None`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobInfo {
    pub id: String,
    pub state: JobState,
    #[serde(default)]
    pub operation: Option<String>,
    #[serde(default)]
    pub object: Option<String>,
    #[serde(default)]
    pub external_id_field_name: Option<String>,
    /// `services/data/vNN.0/jobs/ingest/750…/batches` (no leading slash).
    #[serde(default)]
    pub content_url: Option<String>,
    #[serde(default)]
    pub line_ending: Option<String>,
    #[serde(default)]
    pub column_delimiter: Option<String>,
    #[serde(default)]
    pub job_type: Option<String>,
    #[serde(default)]
    pub api_version: Option<f64>,
    #[serde(default)]
    pub created_date: Option<String>,
    #[serde(default)]
    pub system_modstamp: Option<String>,
    #[serde(default)]
    pub number_records_processed: Option<u64>,
    #[serde(default)]
    pub number_records_failed: Option<u64>,
    #[serde(default)]
    pub retries: Option<u64>,
    #[serde(default)]
    pub error_message: Option<String>,
}

/// A row of a results CSV, by column name.
pub type CsvRow = BTreeMap<String, String>;

/// A row of `successfulResults/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuccessfulRecord {
    pub id: String,
    pub created: bool,
    /// The uploaded columns.
    pub fields: CsvRow,
}

/// A row of `failedResults/`. `sf__Error` is `STATUS_CODE:message:fields`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRecord {
    /// Empty for a failed insert.
    pub id: Option<String>,
    pub error: String,
    pub fields: CsvRow,
}

impl FailedRecord {
    /// `INVALID_CROSS_REFERENCE_KEY` of `INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--`.
    pub fn status_code(&self) -> &str {
        self.error.split(':').next().unwrap_or_default()
    }

    /// The message between the code and the trailing field list (which ends in `--`).
    pub fn message(&self) -> &str {
        let rest = self
            .error
            .split_once(':')
            .map(|(_, r)| r)
            .unwrap_or_default();
        match rest.rsplit_once(':') {
            Some((message, fields)) if fields.trim_end().ends_with("--") => message,
            _ => rest,
        }
    }
}

/// One page of a query job's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryResultsPage {
    pub columns: Vec<String>,
    pub rows: Vec<CsvRow>,
    /// The locator of the next page; `None` when this was the last (`Sforce-Locator: null`).
    pub next_locator: Option<String>,
    pub number_of_records: Option<u64>,
}

impl SalesforceClient {
    /// `POST /jobs/ingest`: an Open job.
    pub async fn create_ingest_job(
        &self,
        request: &IngestJobRequest,
    ) -> Result<JobInfo, SalesforceError> {
        let mut body = json!({
            "object": request.object,
            "contentType": "CSV",
            "operation": request.operation,
            "lineEnding": request.line_ending,
            "columnDelimiter": "COMMA",
        });
        if let Some(field) = &request.external_id_field_name {
            body["externalIdFieldName"] = Value::from(field.as_str());
        }
        if let Some(rule) = &request.assignment_rule_id {
            body["assignmentRuleId"] = Value::from(rule.as_str());
        }
        let call = Call::new(
            Method::POST,
            Target::path(self.data_path(&["jobs", "ingest"])),
            false,
        )
        .json(&body);
        self.execute(&call).await?.json("Bulk ingest job")
    }

    /// `PUT /jobs/ingest/{id}/batches`, `text/csv` (201). One upload per job; the bytes are
    /// kept so a retry or a token refresh can send them again.
    pub async fn upload_job_data(&self, job_id: &str, csv: Bytes) -> Result<(), SalesforceError> {
        let target = Target::path(self.data_path(&["jobs", "ingest", job_id, "batches"]));
        self.execute(&Call::new(Method::PUT, target, true).csv(csv))
            .await?;
        Ok(())
    }

    /// `PATCH /jobs/ingest/{id}` `{"state":"UploadComplete"}`: processing starts.
    pub async fn close_ingest_job(&self, job_id: &str) -> Result<JobInfo, SalesforceError> {
        self.set_ingest_state(job_id, "UploadComplete").await
    }

    /// `PATCH /jobs/ingest/{id}` `{"state":"Aborted"}`.
    pub async fn abort_ingest_job(&self, job_id: &str) -> Result<JobInfo, SalesforceError> {
        self.set_ingest_state(job_id, "Aborted").await
    }

    async fn set_ingest_state(
        &self,
        job_id: &str,
        state: &str,
    ) -> Result<JobInfo, SalesforceError> {
        let target = Target::path(self.data_path(&["jobs", "ingest", job_id]));
        let call = Call::new(Method::PATCH, target, true).json(&json!({"state": state}));
        self.execute(&call).await?.json("Bulk ingest job")
    }

    /// `GET /jobs/ingest/{id}`.
    pub async fn ingest_job(&self, job_id: &str) -> Result<JobInfo, SalesforceError> {
        let target = Target::path(self.data_path(&["jobs", "ingest", job_id]));
        self.execute(&Call::get(target))
            .await?
            .json("Bulk ingest job")
    }

    /// `DELETE /jobs/ingest/{id}` (terminal jobs only).
    pub async fn delete_ingest_job(&self, job_id: &str) -> Result<(), SalesforceError> {
        let target = Target::path(self.data_path(&["jobs", "ingest", job_id]));
        self.execute(&Call::new(Method::DELETE, target, true))
            .await?;
        Ok(())
    }

    /// `GET /jobs/ingest/{id}/successfulResults/`: `sf__Id`, `sf__Created`, the uploaded columns.
    pub async fn successful_results(
        &self,
        job_id: &str,
    ) -> Result<Vec<SuccessfulRecord>, SalesforceError> {
        let (_, rows) = self.results_csv(job_id, "successfulResults").await?;
        Ok(rows
            .into_iter()
            .map(|mut row| SuccessfulRecord {
                id: row.remove("sf__Id").unwrap_or_default(),
                created: row.remove("sf__Created").is_some_and(|c| c == "true"),
                fields: row,
            })
            .collect())
    }

    /// `GET /jobs/ingest/{id}/failedResults/`: `sf__Id`, `sf__Error`, the uploaded columns.
    pub async fn failed_results(&self, job_id: &str) -> Result<Vec<FailedRecord>, SalesforceError> {
        let (_, rows) = self.results_csv(job_id, "failedResults").await?;
        Ok(rows
            .into_iter()
            .map(|mut row| FailedRecord {
                id: row.remove("sf__Id").filter(|id| !id.is_empty()),
                error: row.remove("sf__Error").unwrap_or_default(),
                fields: row,
            })
            .collect())
    }

    /// `GET /jobs/ingest/{id}/unprocessedrecords/`: the uploaded columns of rows never
    /// processed (job aborted or failed).
    pub async fn unprocessed_records(&self, job_id: &str) -> Result<Vec<CsvRow>, SalesforceError> {
        Ok(self.results_csv(job_id, "unprocessedrecords").await?.1)
    }

    /// `GET /jobs/ingest/{id}/{successfulResults|failedResults|unprocessedrecords}/` as the
    /// raw CSV, for callers that read millions of rows one at a time with [`each_csv_row`]
    /// instead of collecting them.
    pub async fn ingest_results_raw(
        &self,
        job_id: &str,
        which: IngestResults,
    ) -> Result<Bytes, SalesforceError> {
        let target = Target::slash(self.data_path(&["jobs", "ingest", job_id, which.path()]));
        let reply = self
            .execute(&Call::get(target).header("Accept", "text/csv"))
            .await?;
        Ok(reply.body)
    }

    async fn results_csv(
        &self,
        job_id: &str,
        kind: &str,
    ) -> Result<(Vec<String>, Vec<CsvRow>), SalesforceError> {
        let target = Target::slash(self.data_path(&["jobs", "ingest", job_id, kind]));
        let reply = self
            .execute(&Call::get(target).header("Accept", "text/csv"))
            .await?;
        parse_csv(&reply.body)
    }

    /// `POST /jobs/query`: `queryAll` includes deleted and archived rows.
    pub async fn create_query_job(
        &self,
        soql: &str,
        query_all: bool,
    ) -> Result<JobInfo, SalesforceError> {
        let body = json!({
            "operation": if query_all { "queryAll" } else { "query" },
            "query": soql,
            "contentType": "CSV",
            "columnDelimiter": "COMMA",
            "lineEnding": "LF",
        });
        let call = Call::new(
            Method::POST,
            Target::path(self.data_path(&["jobs", "query"])),
            false,
        )
        .json(&body);
        self.execute(&call).await?.json("Bulk query job")
    }

    /// `GET /jobs/query/{id}`.
    pub async fn query_job(&self, job_id: &str) -> Result<JobInfo, SalesforceError> {
        let target = Target::path(self.data_path(&["jobs", "query", job_id]));
        self.execute(&Call::get(target))
            .await?
            .json("Bulk query job")
    }

    /// `GET /jobs/query/{id}/results?locator=…&maxRecords=…`: one page of CSV and the locator
    /// of the next.
    pub async fn query_job_results(
        &self,
        job_id: &str,
        locator: Option<&str>,
        max_records: Option<u32>,
    ) -> Result<QueryResultsPage, SalesforceError> {
        let mut target = Target::path(self.data_path(&["jobs", "query", job_id, "results"]));
        if let Some(locator) = locator {
            target = target.query("locator", locator);
        }
        if let Some(max) = max_records {
            target = target.query("maxRecords", max.to_string());
        }
        let reply = self
            .execute(&Call::get(target).header("Accept", "text/csv"))
            .await?;
        let (columns, rows) = parse_csv(&reply.body)?;
        Ok(QueryResultsPage {
            columns,
            rows,
            next_locator: reply
                .header("sforce-locator")
                .map(str::trim)
                .filter(|l| !l.is_empty() && *l != "null")
                .map(str::to_string),
            number_of_records: reply
                .header("sforce-numberofrecords")
                .and_then(|n| n.trim().parse().ok()),
        })
    }
}

/// The result sets of an ingest job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestResults {
    Successful,
    Failed,
    Unprocessed,
}

impl IngestResults {
    fn path(self) -> &'static str {
        match self {
            IngestResults::Successful => "successfulResults",
            IngestResults::Failed => "failedResults",
            IngestResults::Unprocessed => "unprocessedrecords",
        }
    }
}

/// Calls `f(header, row)` for every row of a CSV body, one row in memory at a time.
pub fn each_csv_row(
    body: &[u8],
    mut f: impl FnMut(&csv::StringRecord, &csv::StringRecord),
) -> Result<(), SalesforceError> {
    let invalid = |e: csv::Error| SalesforceError::InvalidResponse(format!("Bulk CSV: {e}"));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(body);
    let header = reader.headers().map_err(invalid)?.clone();
    let mut row = csv::StringRecord::new();
    while reader.read_record(&mut row).map_err(invalid)? {
        f(&header, &row);
    }
    Ok(())
}

/// Parses a results CSV (header row, quoted values that may hold commas and newlines).
pub fn parse_csv(body: &[u8]) -> Result<(Vec<String>, Vec<CsvRow>), SalesforceError> {
    let invalid = |e: csv::Error| SalesforceError::InvalidResponse(format!("Bulk CSV: {e}"));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(body);
    let columns: Vec<String> = reader
        .headers()
        .map_err(invalid)?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(invalid)?;
        rows.push(
            columns
                .iter()
                .cloned()
                .zip(record.iter().map(str::to_string))
                .collect(),
        );
    }
    Ok((columns, rows))
}
