//! Nango flows (sessions, connections, token rotation, signed webhooks) and fault injection.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::HeaderMap;
use reqwest::Method;
use serde_json::{Value, json};
use simulator::{FaultRule, SimConfig, Simulator};

type Seen = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

async fn receiver() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let s2 = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |h: HeaderMap, body: Bytes| {
            let s = s2.clone();
            async move {
                let sig = h
                    .get("x-nango-hmac-sha256")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                s.lock().unwrap().push((sig, body.to_vec()));
                "ok"
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    (url, seen)
}

async fn wait_for(seen: &Seen, n: usize) -> Vec<(String, Vec<u8>)> {
    for _ in 0..100 {
        if seen.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    seen.lock().unwrap().clone()
}

fn nango(http: &reqwest::Client, method: Method, url: String) -> reqwest::RequestBuilder {
    http.request(method, url).bearer_auth("sim-nango-secret")
}

#[tokio::test]
async fn a_completed_connect_session_creates_a_tagged_connection_and_sends_a_signed_creation_webhook()
 {
    let (hook, seen) = receiver().await;
    let (sim, base) = Simulator::spawn(SimConfig {
        webhook_url: Some(hook),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let r = nango(&http, Method::POST, format!("{base}/nango/connect/sessions"))
        .json(&json!({"allowed_integrations": ["salesforce"], "tags": {"org_id": "o-1", "Client_Id": "c-1"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let b: Value = r.json().await.unwrap();
    let token = b["data"]["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("nango_connect_session_"));
    assert_eq!(token.len(), "nango_connect_session_".len() + 64);
    assert!(
        b["data"]["connect_link"]
            .as_str()
            .unwrap()
            .ends_with(&format!("session_token={token}"))
    );
    // Bad tags are refused.
    let r = nango(
        &http,
        Method::POST,
        format!("{base}/nango/connect/sessions"),
    )
    .json(&json!({"tags": {"1bad": "x"}}))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let r = http
        .post(format!("{base}/_sim/connect-sessions/complete"))
        .json(&json!({"session_token": token, "connection_id": "conn-42"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let done: Value = r.json().await.unwrap();
    let got = wait_for(&seen, 1).await;
    assert_eq!(got.len(), 1);
    let (sig, body) = &got[0];
    assert_eq!(
        sig,
        &simulator::nango::sign("sim-nango-webhook-secret", body)
    );
    let hook: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(hook["type"], "auth");
    assert_eq!(hook["operation"], "creation");
    assert_eq!(hook["success"], true);
    assert_eq!(hook["connectionId"], "conn-42");
    assert_eq!(hook["tags"], json!({"org_id": "o-1", "client_id": "c-1"}));
    // Stable sorted-key JSON: keys appear in sorted order in the raw body.
    let raw = String::from_utf8(body.clone()).unwrap();
    assert!(raw.find("\"authMode\"").unwrap() < raw.find("\"connectionId\"").unwrap());
    // The connection reads back in the ConnectionFull shape.
    let r = nango(
        &http,
        Method::GET,
        format!("{base}/nango/connections/conn-42?provider_config_key=salesforce"),
    )
    .send()
    .await
    .unwrap();
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["connection_config"]["instance_url"], base);
    assert_eq!(c["tags"]["client_id"], "c-1");
    let org_id = done["org_id"].as_str().unwrap();
    assert!(
        c["credentials"]["raw"]["id"]
            .as_str()
            .unwrap()
            .starts_with(&format!("https://login.salesforce.com/id/{org_id}/005"))
    );
    assert!(c["credentials"].get("expires_at").is_none());
    assert!(c["credentials"]["raw"].get("refresh_token").is_none());
    drop(sim);
}

#[tokio::test]
async fn nango_errors_match_the_real_shapes() {
    let e = common::env().await;
    let h = &e.http;
    let r = h
        .get(format!(
            "{}/nango/connections/conn-1?provider_config_key=salesforce",
            e.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let (s, b) = e.nango_token("nope", false).await;
    assert_eq!(s, 404);
    assert_eq!(b["error"]["code"], "not_found");
    let r = nango(
        h,
        Method::GET,
        format!(
            "{}/nango/connections/conn-1?provider_config_key=salesforce&bogus=1",
            e.base
        ),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let r = nango(
        h,
        Method::DELETE,
        format!(
            "{}/nango/connections/nope?provider_config_key=salesforce",
            e.base
        ),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "unknown_connection"
    );
    let r = nango(
        h,
        Method::DELETE,
        format!(
            "{}/nango/connections/conn-1?provider_config_key=salesforce",
            e.base
        ),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"success": true}));
    assert_eq!(e.nango_token("conn-1", false).await.0, 404);
}

#[tokio::test]
async fn an_expired_token_answers_401_until_a_forced_refresh_mints_a_new_one() {
    let e = common::env().await;
    assert_eq!(e.get_json("/limits").await.0, 200);
    e.sim.expire_token(&e.org_id);
    let (s, b) = e.get_json("/limits").await;
    assert_eq!(s, 401);
    assert_eq!(
        b,
        json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
    );
    // Without force_refresh Nango hands back the same dead token.
    let (_, c) = e.nango_token("conn-1", false).await;
    assert_eq!(c["credentials"]["access_token"], e.token.as_str());
    let (_, c) = e.nango_token("conn-1", true).await;
    let fresh = c["credentials"]["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(fresh, e.token);
    let r = e
        .http
        .get(format!("{}/limits", e.v()))
        .bearer_auth(&fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let log = e.sim.request_log(&e.org_id);
    let tail: Vec<(u16, Option<String>)> =
        log.iter().map(|l| (l.status, l.token_id.clone())).collect();
    assert_eq!(
        tail,
        vec![
            (200, Some("t1".into())),
            (401, Some("t1".into())),
            (200, Some("t2".into()))
        ]
    );
}

#[tokio::test]
async fn a_failing_refresh_answers_424_and_sends_a_refresh_failure_webhook() {
    let (hook, seen) = receiver().await;
    let e = common::env().await;
    e.sim.set_webhook_url(Some(&hook));
    assert!(e.sim.fail_refresh("conn-1"));
    let (s, b) = e.nango_token("conn-1", true).await;
    assert_eq!(s, 424);
    assert_eq!(b["error"]["code"], "invalid_credentials");
    let got = wait_for(&seen, 1).await;
    let hook: Value = serde_json::from_slice(&got[0].1).unwrap();
    assert_eq!(
        (hook["operation"].clone(), hook["success"].clone()),
        (json!("refresh"), json!(false))
    );
    assert_eq!(hook["error"]["type"], "refresh_token_external_error");
}

#[tokio::test]
async fn an_injected_fault_rate_is_deterministic_and_next_n_faults_are_spent() {
    let e = common::env().await;
    e.sim.add_fault(
        serde_json::from_value::<FaultRule>(
            json!({"path_prefix": "/services/data/v60.0/sobjects", "rate": 0.1, "status": 503}),
        )
        .unwrap(),
    );
    let mut failures = Vec::new();
    for i in 0..200 {
        let (s, b) = e.get_json("/sobjects/Account/describe").await;
        if s != 200 {
            assert_eq!(s, 503);
            assert_eq!(b[0]["errorCode"], "SERVER_UNAVAILABLE");
            failures.push(i);
        }
    }
    assert!((8..=35).contains(&failures.len()), "{}", failures.len());
    // Limits are not under the prefix.
    assert_eq!(e.get_json("/limits").await.0, 200);
    e.sim.clear_faults();
    e.sim.add_fault(serde_json::from_value::<FaultRule>(json!({"path_prefix": "/services/data/v60.0/query", "next": 2, "status": 400, "error_code": "UNABLE_TO_LOCK_ROW"})).unwrap());
    let soql = "SELECT Id FROM Account";
    assert_eq!(e.query(soql).await.1[0]["errorCode"], "UNABLE_TO_LOCK_ROW");
    assert_eq!(e.query(soql).await.0, 400);
    assert_eq!(e.query(soql).await.0, 200);
    // Same seed, same sequence: a second simulator fails the same calls.
    let e2 = common::env().await;
    e2.sim.add_fault(
        serde_json::from_value::<FaultRule>(
            json!({"path_prefix": "/services/data/v60.0/sobjects", "rate": 0.1}),
        )
        .unwrap(),
    );
    let mut again = Vec::new();
    for i in 0..200 {
        if e2.get_json("/sobjects/Account/describe").await.0 != 200 {
            again.push(i);
        }
    }
    assert_eq!(again, failures);
}

#[tokio::test]
async fn control_endpoints_create_orgs_connections_and_inject_faults_over_http() {
    let (_sim, base) = Simulator::spawn(SimConfig::default()).await.unwrap();
    let h = reqwest::Client::new();
    let r = h
        .post(format!("{base}/_sim/orgs"))
        .json(&json!({"extra_objects": 3, "seed_records": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let org: Value = r.json().await.unwrap();
    assert!(org["org_id"].as_str().unwrap().starts_with("00D"));
    assert_eq!(org["instance_url"], base);
    let r = h
        .post(format!("{base}/_sim/connections"))
        .json(&json!({"connection_id": "x", "org_id": org["org_id"], "tags": {"org_id": "a"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let c: Value = nango(
        &h,
        Method::GET,
        format!("{base}/nango/connections/x?provider_config_key=salesforce"),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let tok = c["credentials"]["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, g): (u16, Value) = {
        let r = h
            .get(format!("{base}/services/data/v60.0/sobjects"))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    };
    assert_eq!(g["sobjects"].as_array().unwrap().len(), 15);
    h.post(format!("{base}/_sim/faults"))
        .json(&json!({"path_prefix": "/nango", "next": 1, "status": 500}))
        .send()
        .await
        .unwrap();
    let r = nango(
        &h,
        Method::GET,
        format!("{base}/nango/connections/x?provider_config_key=salesforce"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 500);
    let dump: Value = h
        .get(format!("{base}/_sim/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(dump["orgs"][0]["object_count"], 15);
    let counts: Value = h
        .get(format!(
            "{base}/_sim/orgs/{}/counts",
            org["org_id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counts["describeGlobal"], 1);
    h.post(format!("{base}/_sim/reset")).send().await.unwrap();
    let dump: Value = h
        .get(format!("{base}/_sim/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(dump["orgs"], json!([]));
}
