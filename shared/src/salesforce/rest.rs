//! REST API calls (SALESFORCE.md §1): describes, composite batch, sObject Collections, SOQL
//! queries and `/limits`.

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::client::{Call, SalesforceClient, Target};
use super::error::SalesforceError;

/// Composite batch takes at most this many subrequests (SALESFORCE.md §1.3).
pub const MAX_BATCH_SUBREQUESTS: usize = 25;
/// The batch size asked of queries (Salesforce's default and maximum).
pub const DEFAULT_QUERY_BATCH_SIZE: u32 = 2000;

/// A describe answer: changed since the given date (with its `Last-Modified`), or not.
#[derive(Debug, Clone, PartialEq)]
pub enum Described<T> {
    Modified {
        value: T,
        last_modified: Option<DateTime<Utc>>,
    },
    NotModified,
}

/// `GET /sobjects/`: the org's objects. Each entry is Salesforce's JSON, kept whole.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GlobalDescribe {
    #[serde(default)]
    pub encoding: Option<String>,
    #[serde(default)]
    pub max_batch_size: Option<u32>,
    pub sobjects: Vec<Value>,
}

impl GlobalDescribe {
    /// The `name` of every object.
    pub fn names(&self) -> Vec<String> {
        self.sobjects
            .iter()
            .filter_map(|o| o.get("name").and_then(Value::as_str))
            .map(str::to_string)
            .collect()
    }
}

/// One subrequest of a composite batch; `url` is version-relative (`v60.0/sobjects/...`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchSubrequest {
    pub method: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rich_input: Option<Value>,
    /// Per-subrequest headers (`If-Modified-Since` on describes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_headers: Option<Value>,
}

/// The result of one subrequest, in request order.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchResult {
    pub status_code: u16,
    #[serde(default)]
    pub result: Value,
}

/// `POST /composite/batch` answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchResponse {
    pub has_errors: bool,
    pub results: Vec<BatchResult>,
}

/// A page of query results.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPage {
    pub total_size: u64,
    pub done: bool,
    #[serde(default)]
    pub next_records_url: Option<String>,
    pub records: Vec<Value>,
    /// The `Sforce-Limit-Info` header of the response that carried this page.
    #[serde(skip)]
    pub sforce_limit_info: Option<String>,
}

impl QueryPage {
    fn from_reply(reply: &super::client::Reply) -> Result<QueryPage, SalesforceError> {
        let mut page: QueryPage = reply.json("Salesforce query")?;
        page.sforce_limit_info = reply.header("sforce-limit-info").map(str::to_string);
        Ok(page)
    }
}

impl SalesforceClient {
    /// `GET /sobjects/` (describeGlobal), with `If-Modified-Since` when given.
    pub async fn describe_global(
        &self,
        if_modified_since: Option<DateTime<Utc>>,
    ) -> Result<Described<GlobalDescribe>, SalesforceError> {
        let call = with_if_modified_since(
            Call::get(Target::slash(self.data_path(&["sobjects"]))),
            if_modified_since,
        );
        let reply = self.execute(&call).await?;
        if reply.status == StatusCode::NOT_MODIFIED {
            return Ok(Described::NotModified);
        }
        let value: GlobalDescribe = reply.json("Salesforce list sobjects").map_err(|_| {
            SalesforceError::InvalidResponse(
                "Salesforce list sobjects response missing sobjects".into(),
            )
        })?;
        Ok(Described::Modified {
            value,
            last_modified: last_modified(&reply),
        })
    }

    /// `GET /sobjects/{name}/describe/`, with `If-Modified-Since` when given.
    pub async fn describe(
        &self,
        name: &str,
        if_modified_since: Option<DateTime<Utc>>,
    ) -> Result<Described<Value>, SalesforceError> {
        let call = with_if_modified_since(
            Call::get(Target::slash(
                self.data_path(&["sobjects", name, "describe"]),
            )),
            if_modified_since,
        );
        let reply = self.execute(&call).await?;
        if reply.status == StatusCode::NOT_MODIFIED {
            return Ok(Described::NotModified);
        }
        let value: Value = reply.json("Salesforce describe")?;
        if !value.is_object() {
            return Err(SalesforceError::InvalidResponse(
                "Salesforce describe response was not an object".into(),
            ));
        }
        Ok(Described::Modified {
            value,
            last_modified: last_modified(&reply),
        })
    }

    /// `POST /composite/batch` with at most 25 independent subrequests. The whole call succeeds
    /// (200) even when subrequests fail; read each result's `status_code`.
    pub async fn composite_batch(
        &self,
        requests: &[BatchSubrequest],
        halt_on_error: bool,
    ) -> Result<BatchResponse, SalesforceError> {
        if requests.len() > MAX_BATCH_SUBREQUESTS {
            return Err(SalesforceError::InvalidRequest(format!(
                "composite batch takes at most {MAX_BATCH_SUBREQUESTS} subrequests, got {}",
                requests.len()
            )));
        }
        let body = json!({"haltOnError": halt_on_error, "batchRequests": requests});
        // Idempotent only when every subrequest is a read.
        let idempotent = requests
            .iter()
            .all(|r| r.method.eq_ignore_ascii_case("GET"));
        let call = Call::new(
            Method::POST,
            Target::path(self.data_path(&["composite", "batch"])),
            idempotent,
        )
        .json(&body);
        self.execute(&call)
            .await?
            .json("Salesforce composite batch")
    }

    /// A describe subrequest for a composite batch (the object name escaped as a path segment).
    pub fn describe_subrequest(&self, name: &str) -> BatchSubrequest {
        BatchSubrequest {
            method: "GET".into(),
            url: format!(
                "{}/sobjects/{}/describe",
                self.api_version(),
                escape_segment(name)
            ),
            rich_input: None,
            http_headers: None,
        }
    }

    /// A describe subrequest answered 304 when the object has not changed since `since`.
    pub fn describe_subrequest_since(
        &self,
        name: &str,
        since: Option<DateTime<Utc>>,
    ) -> BatchSubrequest {
        let mut sub = self.describe_subrequest(name);
        sub.http_headers = since.map(|t| json!({"If-Modified-Since": http_date(t)}));
        sub
    }

    /// Describes many objects, 25 per composite batch: each name with its describe, or the
    /// subrequest's status and error body.
    pub async fn describe_many(
        &self,
        names: &[String],
    ) -> Result<Vec<(String, Result<Value, BatchResult>)>, SalesforceError> {
        let mut out = Vec::with_capacity(names.len());
        for chunk in names.chunks(MAX_BATCH_SUBREQUESTS) {
            let requests: Vec<BatchSubrequest> =
                chunk.iter().map(|n| self.describe_subrequest(n)).collect();
            let response = self.composite_batch(&requests, false).await?;
            if response.results.len() != chunk.len() {
                return Err(SalesforceError::InvalidResponse(
                    "composite batch answered a different number of results".into(),
                ));
            }
            for (name, result) in chunk.iter().zip(response.results) {
                let outcome = if result.status_code == 200 {
                    Ok(result.result)
                } else {
                    Err(result)
                };
                out.push((name.clone(), outcome));
            }
        }
        Ok(out)
    }

    /// `GET /query/?q=…` with `Sforce-Query-Options: batchSize=…` (200–2000; default 2000).
    pub async fn query(&self, soql: &str) -> Result<QueryPage, SalesforceError> {
        self.query_with_batch_size(soql, DEFAULT_QUERY_BATCH_SIZE)
            .await
    }

    /// [`Self::query`] with another batch size (Salesforce clamps it to 200–2000).
    pub async fn query_with_batch_size(
        &self,
        soql: &str,
        batch_size: u32,
    ) -> Result<QueryPage, SalesforceError> {
        let target = Target::slash(self.data_path(&["query"])).query("q", soql);
        let call = Call::get(target).header(
            "Sforce-Query-Options",
            format!("batchSize={}", batch_size.clamp(200, 2000)),
        );
        QueryPage::from_reply(&self.execute(&call).await?)
    }

    /// The next page: `GET {nextRecordsUrl}` as Salesforce gave it.
    pub async fn query_more(&self, next_records_url: &str) -> Result<QueryPage, SalesforceError> {
        let call = Call::get(Target::Relative(next_records_url.to_string()));
        QueryPage::from_reply(&self.execute(&call).await?)
    }

    /// Every record of a query, following `nextRecordsUrl` until `done`, stopping at `limit`
    /// records when given.
    pub async fn query_all_pages(
        &self,
        soql: &str,
        limit: Option<usize>,
    ) -> Result<Vec<Value>, SalesforceError> {
        let mut page = self.query(soql).await?;
        let mut records = std::mem::take(&mut page.records);
        while let (false, Some(next)) = (page.done, page.next_records_url.clone()) {
            if limit.is_some_and(|l| records.len() >= l) {
                break;
            }
            page = self.query_more(&next).await?;
            records.append(&mut page.records);
        }
        if let Some(limit) = limit {
            records.truncate(limit);
        }
        Ok(records)
    }

    /// `GET /limits/`: `{LimitName: {"Max", "Remaining"}}`.
    pub async fn limits_resource(&self) -> Result<Map<String, Value>, SalesforceError> {
        let call = Call::get(Target::slash(self.data_path(&["limits"])));
        self.execute(&call).await?.json("Salesforce limits")
    }
}

fn with_if_modified_since(call: Call, since: Option<DateTime<Utc>>) -> Call {
    match since {
        // `EEE, dd MMM yyyy HH:mm:ss z` (SALESFORCE.md §1.2), always in GMT.
        Some(t) => call.header(
            "If-Modified-Since",
            t.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        ),
        None => call,
    }
}

/// An HTTP date, `EEE, dd MMM yyyy HH:mm:ss GMT` (SALESFORCE.md §1.2).
fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn last_modified(reply: &super::client::Reply) -> Option<DateTime<Utc>> {
    let value = reply.header("last-modified")?;
    DateTime::parse_from_rfc2822(value)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Percent-escapes one path segment, as inside a composite subrequest URL.
pub(crate) fn escape_segment(segment: &str) -> String {
    let mut url = reqwest::Url::parse("http://x/").expect("a constant URL parses");
    if let Ok(mut path) = url.path_segments_mut() {
        path.clear().push(segment);
    }
    url.path().trim_start_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_in_subrequest_urls_are_escaped() {
        assert_eq!(escape_segment("Account"), "Account");
        assert_eq!(escape_segment("a/b c"), "a%2Fb%20c");
    }
}
