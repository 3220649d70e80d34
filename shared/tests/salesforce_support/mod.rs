//! Shared set-up of the Salesforce client tests: one wiremock server plays both Nango
//! (`/connections/...`) and the org (`/services/...`).

#![allow(dead_code)]

use std::time::Duration;

use serde_json::{Value, json};
use shared::nango::NangoClient;
use shared::salesforce::{LimitObserver, RetryPolicy, SalesforceClient, TokenCache};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const CONNECTION: &str = "conn-1";
pub const TOKEN: &str = "00Dxx0000001gPL!AR.first";
pub const FRESH_TOKEN: &str = "00Dxx0000001gPL!AR.second";
pub const NANGO_SECRET: &str = "nango-secret-key";

/// Retries fast enough for tests.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        total_budget: Duration::from_secs(5),
    }
}

/// Nango's `GET /connections/{id}` body for a Salesforce connection on `instance_url`.
pub fn nango_connection(token: &str, instance_url: &str) -> Value {
    json!({
        "id": 1, "connection_id": CONNECTION, "provider_config_key": "salesforce",
        "provider": "salesforce", "errors": [], "end_user": null,
        "tags": {"org_id": "o-1", "client_id": "c-1"}, "metadata": null,
        "connection_config": {"instance_url": instance_url},
        "credentials": {"type": "OAUTH2", "access_token": token,
            "raw": {"access_token": token, "signature": "sig", "scope": "refresh_token api",
                    "instance_url": instance_url,
                    "id": "https://login.salesforce.com/id/00Dxx0000001gPL/005xx000001Sv6m",
                    "token_type": "Bearer", "issued_at": "1278448832702"}}
    })
}

pub fn nango(server: &MockServer) -> NangoClient {
    NangoClient::new(
        reqwest::Client::new(),
        &server.uri(),
        NANGO_SECRET.to_string().into(),
        "salesforce",
        "webhook-signing-key".to_string().into(),
    )
}

/// Nango hands out [`TOKEN`]; a forced refresh hands out [`FRESH_TOKEN`]. Each expects to be
/// called `plain` and `forced` times.
pub async fn mount_nango(server: &MockServer, plain: u64, forced: u64) {
    Mock::given(method("GET"))
        .and(path(format!("/connections/{CONNECTION}")))
        .and(query_param("provider_config_key", "salesforce"))
        .and(query_param_is_missing("force_refresh"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(nango_connection(TOKEN, &server.uri())),
        )
        .expect(plain)
        .named("nango get connection")
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/connections/{CONNECTION}")))
        .and(query_param("provider_config_key", "salesforce"))
        .and(query_param("force_refresh", "true"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(nango_connection(FRESH_TOKEN, &server.uri())),
        )
        .expect(forced)
        .named("nango forced refresh")
        .mount(server)
        .await;
}

/// A client for [`CONNECTION`] whose tokens come from Nango on `server`.
pub fn client(server: &MockServer) -> SalesforceClient {
    let cache = TokenCache::new(nango(server));
    SalesforceClient::new(
        reqwest::Client::new(),
        "v60.0",
        cache.source(CONNECTION, None),
    )
    .with_retry(fast_retry())
    .with_limits(LimitObserver::new())
}

/// A server and a client, with Nango answering once without refresh.
pub async fn org() -> (MockServer, SalesforceClient) {
    let server = MockServer::start().await;
    mount_nango(&server, 1, 0).await;
    let client = client(&server);
    (server, client)
}

/// A response carrying Salesforce's JSON content type and usage header.
pub fn json_reply(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("content-type", "application/json;charset=UTF-8")
        .insert_header("sforce-limit-info", "api-usage=10018/100000")
        .set_body_string(body.to_string())
}

/// The `detail` status and body an `ApiError` renders.
pub fn rendered(e: shared::ApiError) -> (u16, Value) {
    match e {
        shared::ApiError::Detail { status, detail } => (status.as_u16(), detail),
        other => panic!("expected a detail error, got {other:?}"),
    }
}

/// Matches a header's whole raw value (wiremock's `header` splits values on commas, which an
/// HTTP date contains).
pub fn raw_header(
    name: &'static str,
    value: &'static str,
) -> impl Fn(&wiremock::Request) -> bool + Send + Sync + 'static {
    move |r: &wiremock::Request| r.headers.get(name).and_then(|v| v.to_str().ok()) == Some(value)
}
