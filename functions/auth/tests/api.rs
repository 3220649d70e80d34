//! Handler tests for `/api/auth/*`.

use serde_json::json;
use shared::auth::Role;
use testkit::TestApp;

async fn app() -> TestApp {
    TestApp::new(auth::router).await
}

#[tokio::test]
async fn login_issues_a_session_that_me_recognises() {
    let app = app().await;
    let org = app.org("acme").await;
    let client = app.insert_client(org.id, "C").await;
    app.insert_user(org.id, "ann@example.com", Role::CompanyMember, Some(client))
        .await;
    let r = app
        .call(
            http::Method::POST,
            "/api/auth/login",
            None,
            Some(json!({"email": "ANN@example.com ", "password": "password123"})),
        )
        .await;
    let s = r.ok().clone();
    assert_eq!(s["token_type"], "bearer");
    assert!(s["expires_at"].is_string());
    let token = s["access_token"].as_str().unwrap();
    let me = app.get("/api/auth/me", Some(token)).await;
    let me = me.ok();
    assert_eq!(me["org_id"], org.id.to_string());
    assert_eq!(me["role"], "company_member");
    assert_eq!(me["client_id"], client.to_string());
    assert_eq!(me["auth_method"], "session");
    assert_eq!(
        me["permissions"],
        json!(["connections.read", "topology.read", "crm.read"])
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = app().await;
    let org = app.org("acme").await;
    app.insert_user(org.id, "ann@example.com", Role::OrgAdmin, None)
        .await;
    for body in [
        json!({"email": "ann@example.com", "password": "wrong-password"}),
        json!({"email": "nobody@example.com", "password": "password123"}),
        json!({"email": "ann@example.com", "password": "x".repeat(200)}),
    ] {
        app.call(http::Method::POST, "/api/auth/login", None, Some(body))
            .await
            .assert_error(401, "Invalid email or password");
    }
    let r = app
        .call(
            http::Method::POST,
            "/api/auth/login",
            None,
            Some(json!({"email": "a"})),
        )
        .await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn me_reports_an_api_token_principal() {
    let app = app().await;
    let org = app.org("acme").await;
    let me = app.get("/api/auth/me", Some(&org.admin.token)).await;
    let me = me.ok();
    assert_eq!(me["auth_method"], "api_token");
    assert_eq!(me["user_id"], org.admin.user_id.to_string());
    assert_eq!(me["role"], "org_admin");
    assert_eq!(me["client_id"], serde_json::Value::Null);
    assert_eq!(me["permissions"].as_array().unwrap().len(), 9);
    app.get("/api/auth/me", None)
        .await
        .assert_error(401, "Missing authentication token");
}

#[tokio::test]
async fn a_deactivated_user_cannot_log_in() {
    let app = app().await;
    let org = app.org("acme").await;
    app.insert_user(org.id, "ann@example.com", Role::OrgAdmin, None)
        .await;
    app.owner
        .execute(
            "UPDATE users SET is_active = false WHERE email = 'ann@example.com'",
            &[],
        )
        .await
        .unwrap();
    app.call(
        http::Method::POST,
        "/api/auth/login",
        None,
        Some(json!({"email": "ann@example.com", "password": "password123"})),
    )
    .await
    .assert_error(401, "Invalid email or password");
}
