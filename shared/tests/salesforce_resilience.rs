//! Token refresh on an invalid session, retries of transient failures, timeouts, unreachable
//! hosts, and usage recording.

mod salesforce_support;

use std::time::Duration;

use salesforce_support::*;
use secrecy::SecretString;
use serde_json::json;
use shared::salesforce::{
    AccessToken, LimitObserver, RetryPolicy, SalesforceClient, SalesforceError, TokenSource,
};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const DESCRIBE: &str = "/services/data/v60.0/sobjects/Account/describe/";

fn expired() -> ResponseTemplate {
    json_reply(
        401,
        json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]),
    )
}

#[tokio::test]
async fn an_invalid_session_forces_one_nango_refresh_and_one_retry_with_the_new_token() {
    let server = MockServer::start().await;
    mount_nango(&server, 1, 1).await;
    Mock::given(method("GET"))
        .and(path(DESCRIBE))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(expired())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(DESCRIBE))
        .and(header(
            "authorization",
            format!("Bearer {FRESH_TOKEN}").as_str(),
        ))
        .respond_with(json_reply(200, json!({"name": "Account"})))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    client.describe("Account", None).await.unwrap();
    // The refreshed token is cached: the next call goes straight to Salesforce with it.
    client.describe("Account", None).await.unwrap();
}

#[tokio::test]
async fn a_second_invalid_session_is_surfaced_not_looped() {
    let server = MockServer::start().await;
    mount_nango(&server, 1, 1).await;
    Mock::given(method("GET"))
        .and(path(DESCRIBE))
        .respond_with(expired())
        .expect(2)
        .mount(&server)
        .await;
    let err = client(&server).describe("Account", None).await.unwrap_err();
    assert!(err.is_invalid_session(), "{err:?}");
    assert_eq!(
        rendered(err.into()),
        (
            502,
            json!({"code": "INVALID_SESSION_ID", "message": "Session expired or invalid"})
        )
    );
}

#[tokio::test]
async fn a_soap_invalid_session_fault_also_refreshes_once_and_retries() {
    let server = MockServer::start().await;
    mount_nango(&server, 1, 1).await;
    let fault = r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session</faultstring><detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault"><sf:exceptionCode>INVALID_SESSION_ID</sf:exceptionCode><sf:exceptionMessage>Invalid Session ID found in SessionHeader: Illegal Session</sf:exceptionMessage></sf:UnexpectedErrorFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#;
    let ok = r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata"><soapenv:Body><cancelDeployResponse><result><done>false</done><id>0Af1</id></result></cancelDeployResponse></soapenv:Body></soapenv:Envelope>"#;
    Mock::given(method("POST"))
        .and(path("/services/Soap/m/60.0"))
        .and(|r: &wiremock::Request| String::from_utf8_lossy(&r.body).contains(TOKEN))
        .respond_with(ResponseTemplate::new(500).set_body_string(fault))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/services/Soap/m/60.0"))
        .and(|r: &wiremock::Request| String::from_utf8_lossy(&r.body).contains(FRESH_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_string(ok))
        .expect(1)
        .mount(&server)
        .await;
    let out = client(&server).cancel_deploy("0Af1").await.unwrap();
    assert_eq!(out.id, "0Af1");
}

#[tokio::test]
async fn a_503_is_retried_and_the_next_answer_is_used() {
    let (server, client) = org().await;
    Mock::given(method("GET"))
        .and(path(DESCRIBE))
        .respond_with(json_reply(
            503,
            json!([{"message": "down", "errorCode": "SERVER_UNAVAILABLE"}]),
        ))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(DESCRIBE))
        .respond_with(json_reply(200, json!({"name": "Account"})))
        .expect(1)
        .mount(&server)
        .await;
    client.describe("Account", None).await.unwrap();
}

#[tokio::test]
async fn retries_stop_at_the_policy_attempt_count() {
    let (server, client) = org().await;
    Mock::given(method("GET"))
        .and(path(DESCRIBE))
        .respond_with(
            ResponseTemplate::new(503).set_body_string("<html>Service Unavailable</html>"),
        )
        .expect(3)
        .mount(&server)
        .await;
    let err = client.describe("Account", None).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.code(), Some("salesforce_request_failed"));
}

#[tokio::test]
async fn a_400_is_never_retried() {
    let (server, client) = org().await;
    Mock::given(method("GET"))
        .and(path(DESCRIBE))
        .respond_with(json_reply(
            400,
            json!([{"message": "bad", "errorCode": "INVALID_TYPE"}]),
        ))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(
        client.describe("Account", None).await.unwrap_err().code(),
        Some("INVALID_TYPE")
    );
}

#[tokio::test]
async fn request_limit_exceeded_is_surfaced_without_a_retry() {
    let (server, client) = org().await;
    Mock::given(method("GET"))
        .and(path(DESCRIBE))
        .respond_with(json_reply(403, json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])))
        .expect(1)
        .mount(&server)
        .await;
    let err = client.describe("Account", None).await.unwrap_err();
    assert_eq!(
        rendered(err.into()),
        (
            502,
            json!({"code": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit exceeded."})
        )
    );
}

#[tokio::test]
async fn a_row_lock_on_create_is_retried_but_a_500_on_create_is_not() {
    let (server, client) = org().await;
    Mock::given(method("POST"))
        .and(path("/services/data/v60.0/composite/sobjects"))
        .respond_with(json_reply(400, json!([{"message": "unable to obtain exclusive access to this record", "errorCode": "UNABLE_TO_LOCK_ROW"}])))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/services/data/v60.0/composite/sobjects"))
        .respond_with(json_reply(
            500,
            json!([{"message": "boom", "errorCode": "UNKNOWN_EXCEPTION"}]),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .create_records("Account", &[json!({"Name": "A"})], false)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("UNKNOWN_EXCEPTION"));
}

#[tokio::test]
async fn a_timeout_answers_504_upstream_timeout() {
    let (server, client) = org().await;
    Mock::given(method("GET"))
        .and(path(DESCRIBE))
        .respond_with(json_reply(200, json!({})).set_delay(Duration::from_millis(500)))
        .mount(&server)
        .await;
    let client = client
        .with_timeout(Duration::from_millis(50))
        .with_retry(RetryPolicy::none());
    let err = client.describe("Account", None).await.unwrap_err();
    assert!(matches!(err, SalesforceError::Timeout), "{err:?}");
    assert_eq!(
        rendered(err.into()),
        (
            504,
            json!({"code": "upstream_timeout", "message": "Salesforce did not answer in time", "upstream": "salesforce"})
        )
    );
}

#[tokio::test]
async fn an_unreachable_instance_answers_502_upstream_unreachable() {
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let token = AccessToken::new(SecretString::from("t"), &format!("http://127.0.0.1:{port}"));
    let client = SalesforceClient::new(
        reqwest::Client::new(),
        "v60.0",
        TokenSource::fixed("c", token),
    )
    .with_retry(fast_retry());
    let err = client.describe("Account", None).await.unwrap_err();
    assert!(
        matches!(err, SalesforceError::Unreachable { connect: true, .. }),
        "{err:?}"
    );
    assert_eq!(rendered(err.into()).1["code"], "upstream_unreachable");
}

#[tokio::test]
async fn sforce_limit_info_is_recorded_for_the_connection() {
    let server = MockServer::start().await;
    mount_nango(&server, 1, 0).await;
    Mock::given(method("GET"))
        .and(path(DESCRIBE))
        .respond_with(json_reply(
            400,
            json!([{"message": "x", "errorCode": "INVALID_TYPE"}]),
        ))
        .mount(&server)
        .await;
    let observer = LimitObserver::new();
    let client = client(&server).with_limits(observer.clone());
    assert!(observer.latest(CONNECTION).is_none());
    // Recorded from error answers too: they count against the limit as well.
    client.describe("Account", None).await.unwrap_err();
    let usage = observer.latest(CONNECTION).unwrap();
    assert_eq!((usage.used, usage.max), (10018, 100000));
}

#[tokio::test]
async fn the_token_is_fetched_from_nango_once_for_many_calls() {
    let (server, client) = org().await;
    Mock::given(method("GET"))
        .and(path(DESCRIBE))
        .respond_with(json_reply(200, json!({"name": "Account"})))
        .expect(3)
        .mount(&server)
        .await;
    for _ in 0..3 {
        client.describe("Account", None).await.unwrap();
    }
}

#[tokio::test]
async fn a_connection_missing_in_nango_answers_502_nango_connection_unavailable() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/connections/{CONNECTION}")))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"error": {"code": "not_found", "message": "Failed to find connection"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).describe("Account", None).await.unwrap_err();
    let (status, detail) = rendered(err.into());
    assert_eq!(status, 502);
    assert_eq!(detail["code"], "nango_connection_unavailable");
    assert_eq!(detail["nango_status_code"], 404);
    assert_eq!(detail["nango_error"]["code"], "nango_connection_not_found");
}

#[tokio::test]
async fn a_connection_without_instance_url_answers_nango_invalid_credentials() {
    let server = MockServer::start().await;
    let mut body = nango_connection(TOKEN, "x");
    body["connection_config"] = json!({});
    Mock::given(method("GET"))
        .and(path(format!("/connections/{CONNECTION}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let err = client(&server).describe("Account", None).await.unwrap_err();
    assert_eq!(rendered(err.into()).1["code"], "nango_invalid_credentials");
}
