//! `/health`, the OpenAPI document, and the Lambda entry point driven by a real API Gateway event.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};
use testkit::TestApp;
use testkit::lambda::{FakeRuntime, Outcome, http_api_event};

#[tokio::test]
async fn health_answers_ok_with_a_timestamp() {
    let app = TestApp::new(health::router).await;
    let r = app.get("/health", None).await;
    assert_eq!(r.ok()["status"], "ok");
    assert!(r.json["timestamp"].as_str().unwrap().ends_with("+00:00"));
    assert!(r.json.get("database").is_none());
    let deep = app.get("/health?deep=true", None).await;
    assert_eq!(deep.ok()["database"], "ok");
}

#[tokio::test]
async fn a_deep_check_reports_an_unreachable_database() {
    let app = TestApp::with_config(health::router, |c| {
        c.database_url = "postgresql://nobody@127.0.0.1:1/none".to_string().into();
    })
    .await;
    let r = app.get("/health?deep=true", None).await;
    assert_eq!(r.status, 503);
    assert_eq!(r.json["database"], "unreachable");
    assert_eq!(r.json["status"], "degraded");
}

fn documented() -> BTreeSet<(String, String)> {
    let doc: Value = serde_json::to_value(health::document()).unwrap();
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.insert((method.to_uppercase(), path.clone()));
        }
    }
    out
}

#[tokio::test]
async fn every_documented_route_is_mounted_by_its_group() {
    let app = TestApp::new(health::router).await;
    for (name, api) in health::GROUPS {
        let router = shared::http::openapi::into_router(api(), app.state.clone());
        let doc = serde_json::to_value(shared::http::openapi::document(api())).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        assert!(!paths.is_empty(), "group {name} documents no route");
        for (path, item) in paths {
            for method in item.as_object().unwrap().keys() {
                let req = http::Request::builder()
                    .method(method.to_uppercase().as_str())
                    .uri(path)
                    .body(axum::body::Body::empty())
                    .unwrap();
                let res = tower::ServiceExt::oneshot(router.clone(), req)
                    .await
                    .unwrap();
                assert!(
                    res.status() != 404 && res.status() != 405,
                    "{method} {path} of {name} is documented but not mounted ({})",
                    res.status()
                );
            }
        }
    }
}

#[test]
fn the_document_lists_every_route_of_the_contract_so_far() {
    let doc = documented();
    for (m, p) in [
        ("GET", "/health"),
        ("GET", "/openapi.json"),
        ("POST", "/api/super-admin/orgs"),
        ("POST", "/api/super-admin/users"),
        ("POST", "/api/auth/login"),
        ("GET", "/api/auth/me"),
        ("POST", "/api/clients/create"),
        ("POST", "/api/clients/list"),
        ("POST", "/api/clients/get"),
        ("POST", "/api/users/create"),
        ("POST", "/api/users/list"),
        ("POST", "/api/tokens/create"),
        ("POST", "/api/tokens/list"),
        ("POST", "/api/tokens/revoke"),
        ("POST", "/api/connections/create"),
        ("POST", "/api/connections/callback"),
        ("POST", "/api/connections/list"),
        ("POST", "/api/connections/get"),
        ("POST", "/api/connections/refresh"),
        ("POST", "/api/connections/revoke"),
        ("POST", "/api/connections/update"),
        ("POST", "/api/connections/limits"),
        ("POST", "/api/connections/webhook"),
        ("POST", "/api/jobs/get"),
        ("POST", "/api/jobs/list"),
        ("POST", "/api/events/list"),
        ("POST", "/api/webhooks/create"),
        ("POST", "/api/webhooks/list"),
        ("POST", "/api/webhooks/delete"),
        ("POST", "/api/query/soql"),
        ("POST", "/api/query/more"),
        ("POST", "/api/query/bulk"),
        ("POST", "/api/query/bulk-results"),
        ("POST", "/api/crm/search"),
        ("POST", "/api/crm/count"),
        ("POST", "/api/crm/associations"),
        ("POST", "/api/crm/contact-roles"),
        ("POST", "/api/crm/campaign-members"),
        ("POST", "/api/crm/lead-conversions"),
        ("POST", "/api/crm/pipelines"),
        ("POST", "/api/crm/activities"),
        ("POST", "/api/deploy/execute"),
        ("POST", "/api/deploy/custom-objects"),
        ("POST", "/api/deploy/validate"),
        ("POST", "/api/deploy/status"),
        ("POST", "/api/deploy/history"),
        ("POST", "/api/deploy/rollback"),
        ("POST", "/api/deploy/analytics"),
        ("POST", "/api/deploy/analytics-rollback"),
        ("POST", "/api/deploy/workflows"),
        ("POST", "/api/workflows/list"),
        ("POST", "/api/workflows/deploy"),
        ("POST", "/api/workflows/remove"),
    ] {
        assert!(
            doc.contains(&(m.to_string(), p.to_string())),
            "{m} {p} is missing from /openapi.json"
        );
    }
    let v: Value = serde_json::to_value(health::document()).unwrap();
    assert!(v["openapi"].as_str().unwrap().starts_with("3.1"));
}

#[test]
fn routes_are_only_mounted_through_the_documented_router() {
    // A raw axum `.route(` would serve an undocumented endpoint; every group uses `routes!`.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    for group in std::fs::read_dir(root).unwrap() {
        let src = group.unwrap().path().join("src");
        for file in walk(&src) {
            let text = std::fs::read_to_string(&file).unwrap();
            assert!(
                !text.contains(".route("),
                "{} mounts a route outside routes!()",
                file.display()
            );
        }
    }
}

#[test]
fn every_http_group_folder_is_in_groups() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut folders: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "jobs")
        .collect();
    folders.sort();
    let mut groups: Vec<String> = health::GROUPS.iter().map(|(n, _)| n.to_string()).collect();
    groups.sort();
    assert_eq!(folders, groups);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out
}

/// Runs the `api-health` binary under a fake Lambda runtime with `env`, feeding it one event.
async fn invoke_binary(env: &[(&str, String)], event: Value) -> Value {
    let mut runtime = FakeRuntime::start(vec![event]).await;
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_api-health"));
    cmd.env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", runtime.api())
        .env("AWS_LAMBDA_FUNCTION_NAME", "api-health")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "stream")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "group")
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let (id, outcome) = tokio::time::timeout(Duration::from_secs(30), runtime.outcome())
        .await
        .expect("the function did not answer");
    let _ = child.kill().await;
    assert_eq!(id, "req-1");
    match outcome {
        Outcome::Response(res) => res,
        Outcome::Error(e) => panic!("the function failed: {e}"),
    }
}

fn deep_health_event() -> Value {
    http_api_event(
        "GET",
        "/health",
        "deep=true",
        json!({"accept": "application/json", "host": "id.execute-api.us-east-1.amazonaws.com"}),
        None,
    )
}

#[tokio::test]
async fn the_lambda_entry_point_serves_a_real_api_gateway_v2_event() {
    let app = TestApp::new(health::router).await;
    let db_url = testkit::url_for(
        &testkit::admin_url(),
        &app.database,
        Some(testkit::APP_ROLE),
    );
    let res = invoke_binary(
        &[
            ("DATABASE_URL", db_url),
            ("JWT_SECRET", testkit::JWT_SECRET.to_string()),
        ],
        deep_health_event(),
    )
    .await;
    assert_eq!(res["statusCode"], 200, "{res}");
    let body: Value = serde_json::from_str(res["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
    assert_eq!(res["headers"]["content-type"], "application/json");
}

#[tokio::test]
async fn a_cold_start_reads_its_configuration_from_secrets_manager() {
    let Ok(endpoint) = std::env::var("TEST_AWS_ENDPOINT") else {
        eprintln!("TEST_AWS_ENDPOINT is not set: run scripts/test (it starts moto)");
        return;
    };
    let app = TestApp::new(health::router).await;
    let db_url = testkit::url_for(
        &testkit::admin_url(),
        &app.database,
        Some(testkit::APP_ROLE),
    );
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_secretsmanager::config::Credentials::new(
            "test", "test", None, None, "static",
        ))
        .load()
        .await;
    let created = aws_sdk_secretsmanager::Client::new(&sdk)
        .create_secret()
        .name(format!("sfdc-health-{}", uuid::Uuid::new_v4()))
        .secret_string(
            json!({"DATABASE_URL": db_url, "JWT_SECRET": testkit::JWT_SECRET}).to_string(),
        )
        .send()
        .await
        .unwrap();
    let res = invoke_binary(
        &[
            ("SECRETS_ARN", created.arn().unwrap().to_string()),
            ("AWS_ENDPOINT_URL", endpoint),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ],
        deep_health_event(),
    )
    .await;
    let body: Value = serde_json::from_str(res["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        body["database"], "ok",
        "the DATABASE_URL came from the secret: {res}"
    );
}
