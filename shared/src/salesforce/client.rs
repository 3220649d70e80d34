//! The transport every Salesforce call goes through: URL building with escaped path segments,
//! the bearer token (or SOAP session header), usage recording, one forced token refresh on an
//! invalid session, and bounded retries of transient failures.
//!
//! The API groups (REST, Tooling, SOAP Metadata, Bulk 2.0) live in their own files as further
//! `impl SalesforceClient` blocks; each describes its request as a [`Call`] and reads the
//! [`Reply`] (see `call.rs`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{StatusCode, Url};

pub(crate) use super::call::{Call, Payload, Reply, SoapBody, Target};
use super::error::SalesforceError;
use super::limits::LimitObserver;
use super::retry::RetryPolicy;
use super::soap;
use super::token::{AccessToken, TokenSource};

/// The default per-attempt timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A Salesforce client for one connection; cheap to clone (the HTTP client, the token source and
/// the usage observer are shared handles).
#[derive(Clone)]
pub struct SalesforceClient {
    http: reqwest::Client,
    /// `v60.0`, for REST paths.
    rest_version: Arc<str>,
    /// `60.0`, for the SOAP endpoint and package.xml.
    soap_version: Arc<str>,
    tokens: TokenSource,
    limits: LimitObserver,
    retry: RetryPolicy,
    timeout: Duration,
}

impl SalesforceClient {
    /// A client for the connection behind `tokens`; `api_version` is `v60.0` or `60.0`.
    pub fn new(http: reqwest::Client, api_version: &str, tokens: TokenSource) -> Self {
        let bare = api_version.trim().trim_start_matches(['v', 'V']);
        SalesforceClient {
            http,
            rest_version: format!("v{bare}").into(),
            soap_version: bare.into(),
            tokens,
            limits: LimitObserver::new(),
            retry: RetryPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Records usage into a shared observer (the one in `AppState`) instead of a private one.
    pub fn with_limits(mut self, limits: LimitObserver) -> Self {
        self.limits = limits;
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The per-attempt timeout (describes of big orgs may want 60 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// `v60.0`.
    pub fn api_version(&self) -> &str {
        &self.rest_version
    }

    /// `60.0`, as package.xml and the SOAP endpoint want it.
    pub fn metadata_version(&self) -> &str {
        &self.soap_version
    }

    pub fn connection_id(&self) -> &str {
        self.tokens.connection_id()
    }

    pub fn limits(&self) -> &LimitObserver {
        &self.limits
    }

    /// `/services/data/vNN.0/{rest...}` as segments.
    pub(crate) fn data_path(&self, rest: &[&str]) -> Vec<String> {
        let mut segments = vec![
            "services".to_string(),
            "data".to_string(),
            self.rest_version.to_string(),
        ];
        segments.extend(rest.iter().map(|s| s.to_string()));
        segments
    }

    /// Sends a call until it succeeds, fails for good, or the retry policy is spent.
    pub(crate) async fn execute(&self, call: &Call) -> Result<Reply, SalesforceError> {
        let started = Instant::now();
        let mut token = self.tokens.get().await?;
        let mut refreshed = false;
        let mut attempt = 1u32;
        loop {
            let error = match self.send_once(call, &token).await {
                Ok(reply)
                    if reply.status.is_success() || reply.status == StatusCode::NOT_MODIFIED =>
                {
                    return Ok(reply);
                }
                Ok(reply) => reply.error(call.is_soap()),
                Err(e) => e,
            };
            if error.is_invalid_session() && !refreshed {
                // Nango never refreshes Salesforce tokens by itself (they carry no expiry), so
                // an expired session needs a forced refresh; one, then the retry below decides.
                refreshed = true;
                tracing::info!(
                    connection_id = self.connection_id(),
                    "Salesforce session invalid; forcing one token refresh"
                );
                token = self.tokens.refresh_after(&token).await?;
                continue;
            }
            if error.is_transient(call.idempotent) {
                let delay = self.retry.delay(attempt);
                if self.retry.allows(attempt, started.elapsed(), delay) {
                    tracing::warn!(
                        connection_id = self.connection_id(),
                        attempt,
                        status = error.status(),
                        code = error.code(),
                        "transient Salesforce failure; retrying"
                    );
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                    continue;
                }
            }
            return Err(error);
        }
    }

    async fn send_once(&self, call: &Call, token: &AccessToken) -> Result<Reply, SalesforceError> {
        let url = build_url(token.instance_url(), &call.target)?;
        let mut request = self
            .http
            .request(call.method.clone(), url)
            .timeout(call.timeout.unwrap_or(self.timeout));
        request = match &call.payload {
            Payload::Soap(body) => {
                let envelope = soap::envelope(token.expose(), body.as_ref())
                    .map_err(|e| SalesforceError::InvalidRequest(e.to_string()))?;
                request
                    .header(CONTENT_TYPE, "text/xml; charset=UTF-8")
                    .header("SOAPAction", "\"\"")
                    .body(envelope)
            }
            payload => {
                let request = request.bearer_auth(token.expose());
                let request = if call
                    .headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("accept"))
                {
                    request
                } else {
                    request.header(ACCEPT, "application/json")
                };
                match payload {
                    Payload::Json(body) => request
                        .header(CONTENT_TYPE, "application/json")
                        .body(body.clone()),
                    Payload::Csv(body) => {
                        request.header(CONTENT_TYPE, "text/csv").body(body.clone())
                    }
                    Payload::Empty | Payload::Soap(_) => request,
                }
            }
        };
        for (name, value) in &call.headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        if let Some(info) = headers
            .get("sforce-limit-info")
            .and_then(|v| v.to_str().ok())
        {
            self.limits.record_header(self.connection_id(), info);
        }
        let body = response.bytes().await.map_err(transport)?;
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
}

fn build_url(instance_url: &str, target: &Target) -> Result<Url, SalesforceError> {
    let base = Url::parse(instance_url).map_err(|_| {
        SalesforceError::InvalidResponse("the connection's instance URL is not a URL".into())
    })?;
    match target {
        Target::Path {
            segments,
            trailing_slash,
            query,
        } => {
            let mut url = base;
            {
                let mut path = url.path_segments_mut().map_err(|_| {
                    SalesforceError::InvalidResponse("the instance URL cannot take a path".into())
                })?;
                path.clear().extend(segments);
                if *trailing_slash {
                    path.push("");
                }
            }
            if !query.is_empty() {
                url.query_pairs_mut().extend_pairs(query);
            }
            Ok(url)
        }
        Target::Relative(path) => {
            // Only paths on the instance: a URL elsewhere would receive our bearer token.
            if !path.starts_with("/services/") {
                return Err(SalesforceError::InvalidRequest(format!(
                    "not a Salesforce API path: {path}"
                )));
            }
            base.join(path)
                .map_err(|_| SalesforceError::InvalidRequest(format!("bad path: {path}")))
        }
    }
}

/// A transport failure. The URL is dropped from the text: query strings carry SOQL.
fn transport(e: reqwest::Error) -> SalesforceError {
    if e.is_connect() {
        SalesforceError::Unreachable {
            connect: true,
            cause: e.without_url().to_string(),
        }
    } else if e.is_timeout() {
        SalesforceError::Timeout
    } else {
        SalesforceError::Unreachable {
            connect: false,
            cause: e.without_url().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_escaped_one_by_one() {
        let url = build_url(
            "https://acme.my.salesforce.com",
            &Target::path(vec!["sobjects".into(), "Acc/ount".into(), "a b?#%".into()]),
        )
        .unwrap();
        assert_eq!(url.path(), "/sobjects/Acc%2Fount/a%20b%3F%23%25");
    }

    #[test]
    fn a_relative_path_must_stay_on_the_instance() {
        let target = Target::Relative("https://evil.example/services/data".into());
        assert!(build_url("https://acme.my.salesforce.com", &target).is_err());
        let target = Target::Relative("//evil.example/services/data".into());
        assert!(build_url("https://acme.my.salesforce.com", &target).is_err());
        let target = Target::Relative("/services/data/v60.0/query/01g-2000".into());
        assert_eq!(
            build_url("https://acme.my.salesforce.com/", &target)
                .unwrap()
                .as_str(),
            "https://acme.my.salesforce.com/services/data/v60.0/query/01g-2000"
        );
    }
}
