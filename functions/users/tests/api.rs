//! Handler tests for `/api/users/*`.

use serde_json::json;
use shared::auth::Role;
use testkit::TestApp;

async fn app() -> TestApp {
    TestApp::new(users::router).await
}

#[tokio::test]
async fn users_are_created_with_normalised_emails_and_listed() {
    let app = app().await;
    let org = app.org("acme").await;
    let client = app.insert_client(org.id, "C").await;
    let r = app
        .post(
            "/api/users/create",
            &org.admin.token,
            json!({"email": "  Ann@Example.COM ", "password": "password123", "role": "company_admin", "client_id": client, "name": "Ann"}),
        )
        .await;
    let u = r.ok();
    assert_eq!(u["email"], "ann@example.com");
    assert_eq!(u["role"], "company_admin");
    assert_eq!(u["client_id"], client.to_string());
    assert_eq!(u["org_id"], org.id.to_string());
    let hash: String = app
        .owner
        .query_one(
            "SELECT password_hash FROM users WHERE email = 'ann@example.com'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(
        hash.starts_with("$2b$"),
        "stored a bcrypt hash, not the password"
    );

    let list = app
        .post("/api/users/list", &org.admin.token, json!({}))
        .await;
    let data = list.ok()["data"].as_array().unwrap().clone();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["email"], "ann@example.com");
    assert!(data[0].get("password_hash").is_none());
}

#[tokio::test]
async fn every_rule_of_the_contract_has_its_answer() {
    let app = app().await;
    let org = app.org("acme").await;
    let client = app.insert_client(org.id, "C").await;
    let other = app.org("other").await;
    let their_client = app.insert_client(other.id, "T").await;
    let t = &org.admin.token;
    let base = |role: &str, client: Option<uuid::Uuid>| json!({"email": "x@y.z", "password": "password123", "role": role, "client_id": client});
    app.post("/api/users/create", t, base("org_admin", Some(client)))
        .await
        .assert_error(400, "org_admin users cannot have client_id");
    app.post("/api/users/create", t, base("company_member", None))
        .await
        .assert_error(400, "company_member users must include client_id");
    app.post(
        "/api/users/create",
        t,
        base("company_admin", Some(their_client)),
    )
    .await
    .assert_error(404, "Client not found");
    app.post("/api/users/create", t, base("boss", None))
        .await
        .assert_error(400, "Invalid role");
    app.post("/api/users/create", t, base("org_admin", None))
        .await
        .ok();
    app.post(
        "/api/users/create",
        t,
        json!({"email": "X@Y.Z", "password": "password123", "role": "org_admin"}),
    )
    .await
    .assert_error(400, "User email already exists in organization");
}

#[tokio::test]
async fn passwords_outside_8_to_72_bytes_are_422() {
    let app = app().await;
    let org = app.org("acme").await;
    for (pw, kind) in [
        ("x".repeat(73), "string_too_long"),
        ("short".to_string(), "string_too_short"),
    ] {
        let r = app
            .post(
                "/api/users/create",
                &org.admin.token,
                json!({"email": "a@b.c", "password": pw, "role": "org_admin"}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.detail()[0]["type"], kind);
        assert_eq!(r.detail()[0]["loc"], json!(["body", "password"]));
    }
}

#[tokio::test]
async fn company_users_cannot_manage_users_and_orgs_see_only_their_own() {
    let app = app().await;
    let org = app.org("acme").await;
    let other = app.org("other").await;
    let client = app.insert_client(org.id, "C").await;
    let admin = app
        .principal(org.id, Role::CompanyAdmin, Some(client))
        .await;
    app.post("/api/users/list", &admin.token, json!({}))
        .await
        .assert_error(403, "Insufficient permissions");
    let list = app
        .post("/api/users/list", &other.admin.token, json!({}))
        .await;
    let data = list.ok()["data"].as_array().unwrap().clone();
    assert_eq!(data.len(), 1, "only the other org's own admin: {data:?}");
    let _ = Role::OrgAdmin;
}
