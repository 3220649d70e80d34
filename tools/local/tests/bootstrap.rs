//! The newcomer's path through the local server over real HTTP: bootstrap an org and its admin
//! with the super-admin secret, log in, create an API token, and ask who that token is.

use serde_json::{Value, json};
use testkit::{SUPER_ADMIN_SECRET, TestApp};

async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = local::app(app.state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

async fn post(http: &reqwest::Client, url: String, bearer: &str, body: Value) -> (u16, Value) {
    let res = http
        .post(url)
        .bearer_auth(bearer)
        .json(&body)
        .send()
        .await
        .unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn bootstrap_login_token_and_me_work_over_http() {
    let app = TestApp::new(local::app).await;
    let base = serve(&app).await;
    let http = reqwest::Client::new();

    let health: Value = http
        .get(format!("{base}/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");

    let (s, org) = post(
        &http,
        format!("{base}/api/super-admin/orgs"),
        SUPER_ADMIN_SECRET,
        json!({"name": "Acme", "slug": "acme"}),
    )
    .await;
    assert_eq!(s, 200, "{org}");
    let (s, user) = post(
        &http,
        format!("{base}/api/super-admin/users"),
        SUPER_ADMIN_SECRET,
        json!({"org_id": org["id"], "email": "admin@acme.test", "password": "change-me-please", "role": "org_admin"}),
    )
    .await;
    assert_eq!(s, 200, "{user}");
    let login: Value = http
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"email": "admin@acme.test", "password": "change-me-please"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session = login["access_token"].as_str().unwrap();
    let (s, token) = post(
        &http,
        format!("{base}/api/tokens/create"),
        session,
        json!({"label": "cli"}),
    )
    .await;
    assert_eq!(s, 200, "{token}");
    let raw = token["token"].as_str().unwrap();
    let me: Value = http
        .get(format!("{base}/api/auth/me"))
        .bearer_auth(raw)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["auth_method"], "api_token");
    assert_eq!(me["user_id"], user["id"]);
    assert_eq!(me["org_id"], org["id"]);

    let doc: Value = http
        .get(format!("{base}/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/tokens/create"]["post"].is_object());
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_error_envelope() {
    let app = TestApp::new(local::app).await;
    let base = serve(&app).await;
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{base}/api/nothing/here"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"detail": "Not Found"})
    );
    let res = http
        .get(format!("{base}/api/clients/list"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"detail": "Method Not Allowed"})
    );
}
