//! Handler tests for `/api/tokens/*`.

use serde_json::json;
use shared::auth::Role;
use testkit::TestApp;

async fn app() -> TestApp {
    TestApp::new(tokens::router).await
}

#[tokio::test]
async fn a_created_token_is_shown_once_stored_hashed_and_authenticates() {
    let app = app().await;
    let org = app.org("acme").await;
    let r = app
        .post(
            "/api/tokens/create",
            &org.admin.token,
            json!({"label": "ci", "expires_in_days": 30}),
        )
        .await;
    let created = r.ok().clone();
    let raw = created["token"].as_str().unwrap().to_string();
    assert!(raw.starts_with("sfx_") && raw.len() == 47);
    assert!(created["expires_at"].is_string());
    let stored: String = app
        .owner
        .query_one("SELECT token_hash FROM api_tokens WHERE label = 'ci'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, shared::auth::secrets::hash_token(&raw));
    assert_ne!(stored, raw);

    let list = app.post("/api/tokens/list", &raw, json!({})).await;
    let data = list.ok()["data"].as_array().unwrap().clone();
    assert_eq!(data.len(), 2);
    assert!(
        data.iter()
            .all(|t| t.get("token").is_none() && t.get("token_hash").is_none())
    );
    assert_eq!(data[0]["label"], "ci");
    assert_eq!(data[0]["expired"], false);
}

#[tokio::test]
async fn expires_in_days_must_be_at_least_one() {
    let app = app().await;
    let org = app.org("acme").await;
    for d in [0, -3] {
        let r = app
            .post(
                "/api/tokens/create",
                &org.admin.token,
                json!({"expires_in_days": d}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.detail()[0]["loc"], json!(["body", "expires_in_days"]));
    }
    let r = app
        .post(
            "/api/tokens/create",
            &org.admin.token,
            json!({"expires_in_days": "x"}),
        )
        .await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn list_flags_expired_tokens() {
    let app = app().await;
    let org = app.org("acme").await;
    let other = app.insert_token(org.id, org.admin.user_id).await;
    app.owner
        .execute(
            "UPDATE api_tokens SET expires_at = now() - interval '1 day' WHERE token_hash = $1",
            &[&shared::auth::secrets::hash_token(&other)],
        )
        .await
        .unwrap();
    let list = app
        .post("/api/tokens/list", &org.admin.token, json!({}))
        .await;
    let expired: Vec<bool> = list.ok()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["expired"].as_bool().unwrap())
        .collect();
    assert_eq!(expired.iter().filter(|e| **e).count(), 1);
}

#[tokio::test]
async fn revoke_is_idempotent_scoped_to_the_org_and_takes_effect_at_once() {
    let app = app().await;
    let org = app.org("acme").await;
    let other = app.org("other").await;
    let created = app
        .post("/api/tokens/create", &org.admin.token, json!({}))
        .await;
    let id = created.ok()["id"].as_str().unwrap().to_string();
    let raw = created.json["token"].as_str().unwrap().to_string();
    app.post("/api/tokens/revoke", &other.admin.token, json!({"id": id}))
        .await
        .assert_error(404, "API token not found");
    for _ in 0..2 {
        let r = app
            .post("/api/tokens/revoke", &org.admin.token, json!({"id": id}))
            .await;
        assert_eq!(r.ok(), &json!({"id": id, "is_active": false}));
    }
    app.post("/api/tokens/list", &raw, json!({}))
        .await
        .assert_error(401, "Invalid authentication credentials");
    app.post(
        "/api/tokens/revoke",
        &org.admin.token,
        json!({"id": uuid::Uuid::new_v4()}),
    )
    .await
    .assert_error(404, "API token not found");
}

#[tokio::test]
async fn a_session_from_another_identity_provider_cannot_own_a_token() {
    let app = app().await;
    let org = app.org("acme").await;
    let stranger = uuid::Uuid::new_v4();
    let jwt = app.session(org.id, stranger, Role::OrgAdmin, None);
    app.post("/api/tokens/create", &jwt, json!({}))
        .await
        .assert_error(400, "API tokens can only be created by local users");
}

#[tokio::test]
async fn last_used_at_is_stamped_on_use() {
    let app = app().await;
    let org = app.org("acme").await;
    let before: Option<chrono::DateTime<chrono::Utc>> = app
        .owner
        .query_one("SELECT last_used_at FROM api_tokens", &[])
        .await
        .unwrap()
        .get(0);
    assert!(before.is_none());
    app.post("/api/tokens/list", &org.admin.token, json!({}))
        .await
        .ok();
    let after: Option<chrono::DateTime<chrono::Utc>> = app
        .owner
        .query_one("SELECT last_used_at FROM api_tokens", &[])
        .await
        .unwrap()
        .get(0);
    assert!(after.is_some());
}
