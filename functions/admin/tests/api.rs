//! Handler tests for `/api/super-admin/*`.

use http::Method;
use serde_json::json;
use testkit::{SUPER_ADMIN_SECRET, TestApp};

async fn app() -> TestApp {
    TestApp::new(admin::router).await
}

#[tokio::test]
async fn the_super_admin_creates_an_org_and_its_first_admin() {
    let app = app().await;
    let org = app
        .post(
            "/api/super-admin/orgs",
            SUPER_ADMIN_SECRET,
            json!({"name": "Acme RevOps", "slug": "acme"}),
        )
        .await;
    let org = org.ok().clone();
    assert_eq!(org["slug"], "acme");
    assert_eq!(org["is_active"], true);
    let user = app
        .post(
            "/api/super-admin/users",
            SUPER_ADMIN_SECRET,
            json!({"org_id": org["id"], "email": "Boss@Acme.com", "password": "password123", "role": "org_admin"}),
        )
        .await;
    let user = user.ok();
    assert_eq!(user["email"], "boss@acme.com");
    assert_eq!(user["org_id"], org["id"]);
    assert_eq!(user["role"], "org_admin");
    assert_eq!(user["client_id"], serde_json::Value::Null);
}

#[tokio::test]
async fn a_duplicate_slug_is_a_400() {
    let app = app().await;
    let body = json!({"name": "A", "slug": "dup"});
    app.post("/api/super-admin/orgs", SUPER_ADMIN_SECRET, body.clone())
        .await
        .ok();
    app.post("/api/super-admin/orgs", SUPER_ADMIN_SECRET, body)
        .await
        .assert_error(400, "Organization slug already exists");
}

#[tokio::test]
async fn anything_but_the_exact_secret_is_refused() {
    let app = app().await;
    for token in [None, Some("wrong"), Some("test-super-admin-secre")] {
        app.call(
            Method::POST,
            "/api/super-admin/orgs",
            token,
            Some(json!({"name": "A", "slug": "a"})),
        )
        .await
        .assert_error(401, "Invalid super-admin token");
    }
    // A normal API token is not the super-admin.
    let org = app.org("acme").await;
    app.post(
        "/api/super-admin/orgs",
        &org.admin.token,
        json!({"name": "A", "slug": "a"}),
    )
    .await
    .assert_error(401, "Invalid super-admin token");
}

#[tokio::test]
async fn an_empty_configured_secret_refuses_everyone() {
    let app = TestApp::with_config(admin::router, |c| {
        c.super_admin_secret = String::new().into()
    })
    .await;
    app.call(
        Method::POST,
        "/api/super-admin/orgs",
        Some(""),
        Some(json!({"name": "A", "slug": "a"})),
    )
    .await
    .assert_error(401, "Invalid super-admin token");
}

#[tokio::test]
async fn super_admin_users_follow_the_scope_rules() {
    let app = app().await;
    let org = app.org("acme").await;
    let client = app.insert_client(org.id, "C").await;
    let other = app.org("other").await;
    let theirs = app.insert_client(other.id, "T").await;
    let body = |org_id: uuid::Uuid, role: &str, client: Option<uuid::Uuid>| json!({"org_id": org_id, "email": "u@x.com", "password": "password123", "role": role, "client_id": client});
    let s = SUPER_ADMIN_SECRET;
    app.post(
        "/api/super-admin/users",
        s,
        body(org.id, "company_member", None),
    )
    .await
    .assert_error(400, "company_member users must include client_id");
    app.post(
        "/api/super-admin/users",
        s,
        body(org.id, "org_admin", Some(client)),
    )
    .await
    .assert_error(400, "org_admin users cannot have client_id");
    app.post(
        "/api/super-admin/users",
        s,
        body(uuid::Uuid::new_v4(), "org_admin", None),
    )
    .await
    .assert_error(404, "Organization not found");
    app.post(
        "/api/super-admin/users",
        s,
        body(org.id, "company_admin", Some(theirs)),
    )
    .await
    .assert_error(404, "Client not found");
    let r = app
        .post("/api/super-admin/users", s, body(org.id, "chief", None))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.detail()[0]["loc"], json!(["body", "role"]));
    let ok = app
        .post(
            "/api/super-admin/users",
            s,
            body(org.id, "company_admin", Some(client)),
        )
        .await;
    assert_eq!(ok.ok()["client_id"], client.to_string());
    app.post(
        "/api/super-admin/users",
        s,
        body(org.id, "company_admin", Some(client)),
    )
    .await
    .assert_error(400, "User email already exists in organization");
    let r = app
        .post("/api/super-admin/users", s, json!({"org_id": org.id, "email": "v@x.com", "password": "p".repeat(100), "role": "org_admin"}))
        .await;
    assert_eq!(r.status, 422);
    let r = app
        .post("/api/super-admin/users", s, json!({"org_id": "nope", "email": "v@x.com", "password": "password123", "role": "org_admin"}))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.detail()[0]["type"], "uuid_parsing");
}
