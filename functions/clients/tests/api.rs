//! Handler tests for `/api/clients/*` against a real database, plus the check order every
//! authenticated endpoint shares (401 → 422 → 403 → 404).

use http::{Method, Request};
use serde_json::json;
use shared::auth::Role;
use testkit::TestApp;

async fn app() -> TestApp {
    TestApp::new(clients::router).await
}

#[tokio::test]
async fn an_org_admin_creates_lists_and_gets_a_client() {
    let app = app().await;
    let org = app.org("acme").await;
    let created = app
        .post(
            "/api/clients/create",
            &org.admin.token,
            json!({"name": "Globex", "domain": "globex.com"}),
        )
        .await;
    let c = created.ok().clone();
    assert_eq!(c["name"], "Globex");
    assert_eq!(c["domain"], "globex.com");
    assert_eq!(c["is_active"], true);
    let id = c["id"].as_str().unwrap();
    assert_eq!(id.len(), 36);

    let list = app
        .post("/api/clients/list", &org.admin.token, json!({}))
        .await;
    assert_eq!(list.ok()["data"][0]["id"], id);
    assert_eq!(list.json["next_cursor"], serde_json::Value::Null);

    let got = app
        .post("/api/clients/get", &org.admin.token, json!({"id": id}))
        .await;
    assert_eq!(got.ok()["name"], "Globex");
    assert!(got.json["updated_at"].is_string());
}

#[tokio::test]
async fn a_duplicate_domain_in_the_same_org_is_a_400_not_a_500() {
    let app = app().await;
    let org = app.org("acme").await;
    let body = json!({"name": "A", "domain": "a.com"});
    app.post("/api/clients/create", &org.admin.token, body.clone())
        .await
        .ok();
    app.post("/api/clients/create", &org.admin.token, body)
        .await
        .assert_error(400, "Client domain already exists in organization");
    // Another org may use the same domain.
    let other = app.org("other").await;
    app.post(
        "/api/clients/create",
        &other.admin.token,
        json!({"name": "A", "domain": "a.com"}),
    )
    .await
    .ok();
}

#[tokio::test]
async fn unknown_other_org_and_inactive_clients_are_not_found() {
    let app = app().await;
    let org = app.org("acme").await;
    let other = app.org("other").await;
    let theirs = app.insert_client(other.id, "Theirs").await;
    let inactive = app.insert_client(org.id, "Old").await;
    app.owner
        .execute(
            "UPDATE clients SET is_active = false WHERE id = $1",
            &[&inactive],
        )
        .await
        .unwrap();
    for id in [uuid::Uuid::new_v4(), theirs, inactive] {
        app.post("/api/clients/get", &org.admin.token, json!({"id": id}))
            .await
            .assert_error(404, "Client not found");
    }
    let list = app
        .post("/api/clients/list", &org.admin.token, json!({}))
        .await;
    assert_eq!(list.ok()["data"], json!([]));
}

#[tokio::test]
async fn lists_page_with_limit_and_cursor() {
    let app = app().await;
    let org = app.org("acme").await;
    for i in 0..5 {
        app.post(
            "/api/clients/create",
            &org.admin.token,
            json!({"name": format!("c{i}")}),
        )
        .await
        .ok();
    }
    let mut names = Vec::new();
    let mut cursor = serde_json::Value::Null;
    loop {
        let page = app
            .post(
                "/api/clients/list",
                &org.admin.token,
                json!({"limit": 2, "cursor": cursor}),
            )
            .await;
        let body = page.ok();
        let data = body["data"].as_array().unwrap();
        assert!(data.len() <= 2);
        names.extend(data.iter().map(|c| c["name"].as_str().unwrap().to_string()));
        cursor = body["next_cursor"].clone();
        if cursor.is_null() {
            break;
        }
    }
    assert_eq!(names, ["c4", "c3", "c2", "c1", "c0"]);
    let bad = app
        .post("/api/clients/list", &org.admin.token, json!({"limit": 0}))
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.detail()[0]["loc"], json!(["body", "limit"]));
    let bad = app
        .post(
            "/api/clients/list",
            &org.admin.token,
            json!({"cursor": "zzz"}),
        )
        .await;
    assert_eq!(bad.detail()[0]["loc"], json!(["body", "cursor"]));
}

#[tokio::test]
async fn authentication_comes_first_then_validation_then_permission() {
    let app = app().await;
    let org = app.org("acme").await;
    let client = app.insert_client(org.id, "C").await;
    let member = app
        .principal(org.id, Role::CompanyMember, Some(client))
        .await;

    // 401: no header, wrong scheme, unknown token.
    let r = app
        .call(Method::POST, "/api/clients/list", None, Some(json!({})))
        .await;
    r.assert_error(401, "Missing authentication token");
    let req = Request::builder()
        .method("POST")
        .uri("/api/clients/list")
        .header("authorization", format!("bearer {}", org.admin.token))
        .body(axum::body::Body::from("{}"))
        .unwrap();
    app.send(req)
        .await
        .assert_error(401, "Missing authentication token");
    app.post("/api/clients/list", "sfx_not-a-real-token", json!({}))
        .await
        .assert_error(401, "Invalid authentication credentials");
    // 401 beats 422.
    let r = app
        .call(
            Method::POST,
            "/api/clients/create",
            None,
            Some(json!({"nme": 1})),
        )
        .await;
    assert_eq!(r.status, 401);
    // 422 beats 403: a company member with a bad body.
    let r = app
        .post("/api/clients/create", &member.token, json!({"name": 5}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.detail()[0]["type"], "string_type");
    // 403 with a good body.
    app.post("/api/clients/create", &member.token, json!({"name": "x"}))
        .await
        .assert_error(403, "Insufficient permissions");
    // A missing body is a 422 too.
    let r = app
        .call(
            Method::POST,
            "/api/clients/create",
            Some(&org.admin.token),
            None,
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.detail()[0]["loc"], json!(["body"]));
}

#[tokio::test]
async fn a_revoked_or_expired_token_is_refused() {
    let app = app().await;
    let org = app.org("acme").await;
    app.post("/api/clients/list", &org.admin.token, json!({}))
        .await
        .ok();
    app.owner
        .execute("UPDATE api_tokens SET is_active = false", &[])
        .await
        .unwrap();
    app.post("/api/clients/list", &org.admin.token, json!({}))
        .await
        .assert_error(401, "Invalid authentication credentials");
    let fresh = app.insert_token(org.id, org.admin.user_id).await;
    app.owner
        .execute(
            "UPDATE api_tokens SET is_active = true, expires_at = now() - interval '1 second'",
            &[],
        )
        .await
        .unwrap();
    app.post("/api/clients/list", &fresh, json!({}))
        .await
        .assert_error(401, "Invalid authentication credentials");
}

#[tokio::test]
async fn a_session_jwt_works_like_a_token() {
    let app = app().await;
    let org = app.org("acme").await;
    let jwt = app.session(org.id, org.admin.user_id, Role::OrgAdmin, None);
    app.post("/api/clients/create", &jwt, json!({"name": "via jwt"}))
        .await
        .ok();
    let forged = format!("{}x", jwt);
    app.post("/api/clients/list", &forged, json!({}))
        .await
        .assert_error(401, "Invalid authentication credentials");
}
