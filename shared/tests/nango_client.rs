//! The Nango client against wiremock: requests, connection parsing, the error mapping, and
//! webhook signatures.

use std::time::Duration;

use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use shared::nango::{AuthOperation, NangoClient, NangoError, NangoWebhook};
use uuid::Uuid;
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "nango-secret-key";
const WEBHOOK_KEY: &str = "webhook-signing-key";

fn client(server: &MockServer) -> NangoClient {
    NangoClient::new(
        reqwest::Client::new(),
        &format!("{}/", server.uri()),
        SECRET.to_string().into(),
        "salesforce",
        WEBHOOK_KEY.to_string().into(),
    )
}

fn rendered(e: NangoError) -> (u16, Value) {
    match shared::ApiError::from(e) {
        shared::ApiError::Detail { status, detail } => (status.as_u16(), detail),
        other => panic!("expected a detail error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_connect_session_is_opened_for_one_integration_tagged_with_org_and_client() {
    let server = MockServer::start().await;
    let org = Uuid::parse_str("11111111-1111-4111-8111-111111111111").unwrap();
    let client_id = Uuid::parse_str("22222222-2222-4222-8222-222222222222").unwrap();
    Mock::given(method("POST"))
        .and(path("/connect/sessions"))
        .and(header("authorization", format!("Bearer {SECRET}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"allowed_integrations": ["salesforce-sandbox"],
            "tags": {"org_id": org.to_string(), "client_id": client_id.to_string()}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"data": {
            "token": "nango_connect_session_abc", "connect_link": "https://connect.nango.dev?session_token=nango_connect_session_abc",
            "expires_at": "2026-01-01T00:30:00.000Z"}})))
        .expect(1)
        .mount(&server)
        .await;
    let session = client(&server)
        .create_connect_session(org, client_id, Some("salesforce-sandbox"))
        .await
        .unwrap();
    assert_eq!(session.token, "nango_connect_session_abc");
    assert_eq!(
        session.expires_at.as_deref(),
        Some("2026-01-01T00:30:00.000Z")
    );
}

#[tokio::test]
async fn a_session_answer_without_data_is_a_502_invalid_response() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/sessions"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"token": "x"})))
        .mount(&server)
        .await;
    let err = client(&server)
        .create_connect_session(Uuid::new_v4(), Uuid::new_v4(), None)
        .await
        .unwrap_err();
    assert_eq!(
        rendered(err),
        (
            502,
            json!({"code": "nango_invalid_response",
                     "message": "Nango connect session response was missing data", "provider": "salesforce"})
        )
    );
}

#[tokio::test]
async fn get_connection_escapes_the_id_and_reads_token_instance_tags_and_identity() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/connections/client%2F1%20x"))
        .and(query_param("provider_config_key", "salesforce"))
        .and(query_param_is_missing("force_refresh"))
        .and(header("authorization", format!("Bearer {SECRET}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 7, "connection_id": "client/1 x", "provider_config_key": "salesforce", "provider": "salesforce",
            "tags": {"org_id": "o-1", "client_id": "c-1"},
            "connection_config": {"instance_url": "https://acme.my.salesforce.com"},
            "credentials": {"type": "OAUTH2", "access_token": "00D!tok",
                "raw": {"access_token": "00D!tok", "refresh_token": "r", "signature": "s",
                        "id": "https://login.salesforce.com/id/00Dxx0000001gPL/005xx000001Sv6m"}}})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server)
        .get_connection("client/1 x", None, false)
        .await
        .unwrap();
    assert_eq!(
        c.instance_url.as_deref(),
        Some("https://acme.my.salesforce.com")
    );
    assert_eq!(
        secrecy::ExposeSecret::expose_secret(c.access_token.as_ref().unwrap()),
        "00D!tok"
    );
    assert_eq!(c.tag("org_id"), Some("o-1"));
    assert_eq!(c.identity.org_id.as_deref(), Some("00Dxx0000001gPL"));
    assert_eq!(c.identity.user_id.as_deref(), Some("005xx000001Sv6m"));
    // No credential survives in what we keep, nor in a debug print.
    assert!(c.raw.get("access_token").is_none() && c.raw.get("refresh_token").is_none());
    assert!(!format!("{c:?}").contains("00D!tok"));
}

#[tokio::test]
async fn force_refresh_is_sent_when_asked() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/connections/c-1"))
        .and(query_param("provider_config_key", "salesforce"))
        .and(query_param("force_refresh", "true"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"connection_id": "c-1", "credentials": {}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server)
        .get_connection("c-1", None, true)
        .await
        .unwrap();
    assert!(c.access_token.is_none() && c.instance_url.is_none());
}

#[tokio::test]
async fn nango_404_answers_404_nango_connection_not_found_with_nangos_body() {
    let server = MockServer::start().await;
    let body = json!({"error": {"code": "not_found", "message": "Failed to find connection"}});
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(body.clone()))
        .mount(&server)
        .await;
    let err = client(&server)
        .get_connection("c-1", Some("sf-2"), false)
        .await
        .unwrap_err();
    assert_eq!(
        rendered(err),
        (
            404,
            json!({"code": "nango_connection_not_found", "message": "Nango connection does not exist",
                     "provider": "sf-2", "nango_error": body})
        )
    );
}

#[tokio::test]
async fn nango_424_answers_424_nango_refresh_exhausted() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(424)
                .set_body_json(json!({"error": {"code": "invalid_credentials",
            "payload": {"code": "connection_refresh_exhausted"}}})),
        )
        .mount(&server)
        .await;
    let err = client(&server)
        .get_connection("c-1", None, true)
        .await
        .unwrap_err();
    let (status, detail) = rendered(err);
    assert_eq!(status, 424);
    assert_eq!(detail["code"], "nango_refresh_exhausted");
    assert_eq!(detail["message"], "Nango could not refresh credentials");
    assert_eq!(
        detail["nango_error"]["error"]["payload"]["code"],
        "connection_refresh_exhausted"
    );
}

#[tokio::test]
async fn other_nango_errors_answer_502_nango_request_failed_with_text_bodies_kept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_string("  upstream exploded \n"))
        .mount(&server)
        .await;
    let err = client(&server)
        .get_connection("c-1", None, false)
        .await
        .unwrap_err();
    assert_eq!(
        rendered(err),
        (
            502,
            json!({"code": "nango_request_failed", "message": "Nango API request failed",
                     "provider": "salesforce", "nango_error": "upstream exploded"})
        )
    );
}

#[tokio::test]
async fn deleting_an_unknown_connection_is_success_but_other_400s_are_not() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/connections/gone"))
        .and(query_param("provider_config_key", "salesforce"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": {"code": "unknown_connection"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/connections/bad"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": {"code": "invalid_query_params"}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/connections/live"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    let nango = client(&server);
    nango.delete_connection("gone", None).await.unwrap();
    nango.delete_connection("live", None).await.unwrap();
    let err = nango.delete_connection("bad", None).await.unwrap_err();
    assert_eq!(rendered(err).1["code"], "nango_request_failed");
}

#[tokio::test]
async fn an_unreachable_nango_answers_502_upstream_unreachable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let nango = NangoClient::new(
        reqwest::Client::new(),
        &format!("http://127.0.0.1:{port}"),
        SECRET.to_string().into(),
        "salesforce",
        WEBHOOK_KEY.to_string().into(),
    );
    let err = nango.get_connection("c-1", None, false).await.unwrap_err();
    assert_eq!(
        rendered(err),
        (
            502,
            json!({"code": "upstream_unreachable", "message": "Nango could not be reached", "upstream": "nango"})
        )
    );
}

#[tokio::test]
async fn a_slow_nango_answers_504_upstream_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({}))
                .set_delay(Duration::from_millis(500)),
        )
        .mount(&server)
        .await;
    let err = client(&server)
        .with_timeout(Duration::from_millis(50))
        .get_connection("c-1", None, false)
        .await
        .unwrap_err();
    assert_eq!(rendered(err).0, 504);
}

#[tokio::test]
async fn without_a_secret_key_nothing_is_sent_and_the_answer_is_500_not_configured() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let nango = NangoClient::new(
        reqwest::Client::new(),
        &server.uri(),
        String::new().into(),
        "salesforce",
        WEBHOOK_KEY.to_string().into(),
    );
    let err = nango.get_connection("c-1", None, false).await.unwrap_err();
    assert_eq!(
        rendered(err),
        (
            500,
            json!({"code": "nango_not_configured", "message": "NANGO_SECRET_KEY is not configured"})
        )
    );
}

fn sign(key: &str, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn a_webhook_signed_with_the_signing_key_is_accepted_and_anything_else_refused() {
    let server = MockServer::start().await;
    let nango = client(&server);
    let body = br#"{"connectionId":"c-1","from":"nango","operation":"creation","providerConfigKey":"salesforce","success":true,"tags":{"client_id":"c","org_id":"o"},"type":"auth"}"#;
    let good = sign(WEBHOOK_KEY, body);
    assert!(nango.verify_webhook(body, Some(&good)));
    assert!(nango.verify_webhook(body, Some(&good.to_uppercase())));
    assert!(!nango.verify_webhook(body, Some(&sign("another-key", body))));
    let mut tampered = body.to_vec();
    tampered[10] ^= 1;
    assert!(!nango.verify_webhook(&tampered, Some(&good)));
    assert!(!nango.verify_webhook(body, None));
    assert!(!nango.verify_webhook(body, Some("not hex")));
    let keyless = NangoClient::new(
        reqwest::Client::new(),
        &server.uri(),
        SECRET.to_string().into(),
        "salesforce",
        String::new().into(),
    );
    assert!(!keyless.verify_webhook(body, Some(&sign("", body))));
}

#[test]
fn auth_webhooks_parse_and_other_types_are_passed_over() {
    let created = NangoWebhook::parse(br#"{"from":"nango","type":"auth","operation":"creation","connectionId":"c-1","providerConfigKey":"salesforce","authMode":"OAUTH2","provider":"salesforce","environment":"prod","success":true,"tags":{"org_id":"o","client_id":"c"},"endUser":{"endUserId":"u"}}"#).unwrap();
    let NangoWebhook::Auth(created) = created else {
        panic!("auth expected")
    };
    assert_eq!(created.operation, AuthOperation::Creation);
    assert_eq!(created.tag("org_id"), Some("o"));
    assert!(created.success);

    let failed = NangoWebhook::parse(br#"{"type":"auth","operation":"refresh","connectionId":"c-1","providerConfigKey":"salesforce","success":false,"error":{"type":"refresh_token_external_error","description":"invalid_grant"}}"#).unwrap();
    let NangoWebhook::Auth(failed) = failed else {
        panic!("auth expected")
    };
    assert_eq!(failed.operation, AuthOperation::Refresh);
    assert_eq!(
        failed.error.unwrap().description.as_deref(),
        Some("invalid_grant")
    );

    let sync = NangoWebhook::parse(br#"{"type":"sync","connectionId":"c-1"}"#).unwrap();
    assert_eq!(
        sync,
        NangoWebhook::Other {
            kind: "sync".into()
        }
    );
}
