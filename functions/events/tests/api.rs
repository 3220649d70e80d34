//! Handler tests for `/api/jobs/*`, `/api/events/list` and `/api/webhooks/*`: the check order
//! (401 → 422 → 403 → 404), client scope, cross-org 404s, and following events with a cursor.

use serde_json::{Value, json};
use shared::auth::Role;
use shared::jobs::{self, NewJob, Registry, Worker};
use testkit::TestApp;
use uuid::Uuid;

async fn app() -> TestApp {
    TestApp::new(events::router).await
}

/// `events/list` once it answers at least `n` events. Events of a transaction become visible
/// only when every older transaction of the cluster has ended (so a follower never skips one),
/// and other tests run transactions at the same time.
async fn events_list(app: &TestApp, token: &str, body: Value, n: usize) -> testkit::Reply {
    testkit::eventually("events to become visible", || {
        let body = body.clone();
        async move {
            let r = app.post("/api/events/list", token, body).await;
            (r.status != 200 || r.json["data"].as_array().is_some_and(|d| d.len() >= n))
                .then_some(r)
        }
    })
    .await
}

async fn job(app: &TestApp, org: Uuid, client: Option<Uuid>, kind: &str) -> Uuid {
    jobs::create(
        &app.state,
        org,
        Some("t"),
        None,
        &NewJob::new(kind, client, json!({})),
    )
    .await
    .unwrap()
    .job()
    .id
}

const ROUTES: [&str; 6] = [
    "/api/jobs/get",
    "/api/jobs/list",
    "/api/events/list",
    "/api/webhooks/create",
    "/api/webhooks/list",
    "/api/webhooks/delete",
];

#[tokio::test]
async fn every_route_needs_a_credential() {
    let app = app().await;
    for path in ROUTES {
        let r = app
            .call(http::Method::POST, path, None, Some(json!({})))
            .await;
        r.assert_error(401, "Missing authentication token");
        let r = app.post(path, "sfx_nope", json!({})).await;
        r.assert_error(401, "Invalid authentication credentials");
    }
}

#[tokio::test]
async fn malformed_bodies_are_422_before_permissions() {
    let app = app().await;
    let org = app.org("acme").await;
    let client = app.insert_client(org.id, "Globex").await;
    let member = app
        .principal(org.id, Role::CompanyMember, Some(client))
        .await;
    for (path, body, loc) in [
        ("/api/jobs/get", json!({}), json!(["body", "id"])),
        (
            "/api/jobs/get",
            json!({"id": "nope"}),
            json!(["body", "id"]),
        ),
        (
            "/api/jobs/list",
            json!({"status": "done"}),
            json!(["body", "status"]),
        ),
        (
            "/api/jobs/list",
            json!({"limit": 0}),
            json!(["body", "limit"]),
        ),
        (
            "/api/events/list",
            json!({"limit": 1001}),
            json!(["body", "limit"]),
        ),
        (
            "/api/events/list",
            json!({"types": "job.queued"}),
            json!(["body", "types"]),
        ),
        ("/api/webhooks/create", json!({}), json!(["body", "url"])),
        (
            "/api/webhooks/create",
            json!({"url": "http://hooks.example.com"}),
            json!(["body", "url"]),
        ),
        (
            "/api/webhooks/create",
            json!({"url": "https://h.example.com", "types": []}),
            json!(["body", "types"]),
        ),
        (
            "/api/webhooks/create",
            json!({"url": "https://h.example.com", "types": ["Job Done"]}),
            json!(["body", "types", 0]),
        ),
        (
            "/api/webhooks/delete",
            json!({"id": 5}),
            json!(["body", "id"]),
        ),
    ] {
        let r = app.post(path, &member.token, body.clone()).await;
        assert_eq!(r.status, 422, "{path} {body}: {}", r.text);
        assert_eq!(r.json["detail"][0]["loc"], loc, "{path} {body}: {}", r.text);
    }
}

#[tokio::test]
async fn webhooks_need_org_manage() {
    let app = app().await;
    let org = app.org("acme").await;
    let client = app.insert_client(org.id, "Globex").await;
    for role in [Role::CompanyAdmin, Role::CompanyMember] {
        let p = app.principal(org.id, role, Some(client)).await;
        for (path, body) in [
            (
                "/api/webhooks/create",
                json!({"url": "https://hooks.example.com/x"}),
            ),
            ("/api/webhooks/list", json!({})),
            ("/api/webhooks/delete", json!({"id": Uuid::new_v4()})),
        ] {
            app.post(path, &p.token, body)
                .await
                .assert_error(403, "Insufficient permissions");
        }
    }
}

#[tokio::test]
async fn a_job_is_read_back_with_its_result_and_other_orgs_get_404() {
    let app = app().await;
    let org = app.org("acme").await;
    let other = app.org("other").await;
    let id = job(&app, org.id, None, "noop").await;
    let worker = Worker::new(app.state.clone(), Registry::builtin());
    worker.run(id).await.unwrap();
    let got = app
        .post("/api/jobs/get", &org.admin.token, json!({"id": id}))
        .await;
    let j = got.ok();
    assert_eq!(j["id"], id.to_string());
    assert_eq!(j["kind"], "noop");
    assert_eq!(j["status"], "succeeded");
    assert_eq!(j["result"], json!({}));
    assert_eq!(j["error"], Value::Null);
    assert_eq!(j["progress"], json!({"done": 0, "total": null}));
    assert!(j["finished_at"].as_str().unwrap().ends_with("+00:00"));
    for (token, id) in [(&other.admin.token, id), (&org.admin.token, Uuid::new_v4())] {
        app.post("/api/jobs/get", token, json!({"id": id}))
            .await
            .assert_error(404, "Job not found");
    }
    let theirs = app
        .post("/api/jobs/list", &other.admin.token, json!({}))
        .await;
    assert_eq!(theirs.ok()["data"], json!([]));
}

#[tokio::test]
async fn company_principals_see_only_their_clients_jobs_and_events() {
    let app = app().await;
    let org = app.org("acme").await;
    let mine = app.insert_client(org.id, "Globex").await;
    let theirs = app.insert_client(org.id, "Initech").await;
    let member = app.principal(org.id, Role::CompanyMember, Some(mine)).await;
    let my_job = job(&app, org.id, Some(mine), "noop").await;
    let their_job = job(&app, org.id, Some(theirs), "noop").await;
    let org_job = job(&app, org.id, None, "noop").await;

    app.post("/api/jobs/get", &member.token, json!({"id": my_job}))
        .await
        .ok();
    for id in [their_job, org_job] {
        app.post("/api/jobs/get", &member.token, json!({"id": id}))
            .await
            .assert_error(404, "Job not found");
    }
    let listed = app.post("/api/jobs/list", &member.token, json!({})).await;
    let ids: Vec<&str> = listed.ok()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [my_job.to_string()]);
    app.post(
        "/api/jobs/list",
        &member.token,
        json!({"client_id": theirs}),
    )
    .await
    .assert_error(404, "Client not found");
    app.post(
        "/api/events/list",
        &member.token,
        json!({"client_id": theirs}),
    )
    .await
    .assert_error(404, "Client not found");

    let events = events_list(&app, &member.token, json!({}), 1).await;
    let subjects: Vec<&str> = events.ok()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["subject_id"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, [my_job.to_string()]);
    // Another client's event id is not a cursor this principal may use.
    let all = events_list(&app, &org.admin.token, json!({}), 3).await;
    let their_event = all.ok()["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["subject_id"] == their_job.to_string())
        .unwrap()["id"]
        .clone();
    app.post(
        "/api/events/list",
        &member.token,
        json!({"since": their_event}),
    )
    .await
    .assert_error(404, "Event not found");
}

#[tokio::test]
async fn jobs_list_filters_and_pages() {
    let app = app().await;
    let org = app.org("acme").await;
    let client = app.insert_client(org.id, "Globex").await;
    let a = job(&app, org.id, Some(client), "noop").await;
    let b = job(&app, org.id, None, "other.kind").await;
    let c = job(&app, org.id, Some(client), "noop").await;
    let t = &org.admin.token;
    let ids = |r: &testkit::Reply| -> Vec<String> {
        r.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["id"].as_str().unwrap().to_string())
            .collect()
    };
    let all = app.post("/api/jobs/list", t, json!({})).await;
    assert_eq!(ids(&all), [c.to_string(), b.to_string(), a.to_string()]);
    let noop = app
        .post(
            "/api/jobs/list",
            t,
            json!({"kind": "noop", "status": "queued"}),
        )
        .await;
    assert_eq!(ids(&noop), [c.to_string(), a.to_string()]);
    let of_client = app
        .post("/api/jobs/list", t, json!({"client_id": client}))
        .await;
    assert_eq!(ids(&of_client), [c.to_string(), a.to_string()]);
    let none = app
        .post("/api/jobs/list", t, json!({"status": "failed"}))
        .await;
    assert!(ids(&none).is_empty());
    let page1 = app.post("/api/jobs/list", t, json!({"limit": 2})).await;
    assert_eq!(ids(&page1), [c.to_string(), b.to_string()]);
    let cursor = page1.json["next_cursor"].clone();
    let page2 = app
        .post("/api/jobs/list", t, json!({"limit": 2, "cursor": cursor}))
        .await;
    assert_eq!(ids(&page2), [a.to_string()]);
    assert_eq!(page2.json["next_cursor"], Value::Null);
}

#[tokio::test]
async fn events_are_followed_oldest_first_after_a_cursor() {
    let app = app().await;
    let org = app.org("acme").await;
    let t = &org.admin.token;
    let id = job(&app, org.id, None, "noop").await;
    Worker::new(app.state.clone(), Registry::builtin())
        .run(id)
        .await
        .unwrap();
    let first = events_list(&app, t, json!({"limit": 2}), 2).await;
    let types = |r: &testkit::Reply| -> Vec<String> {
        r.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(types(&first), ["job.queued", "job.running"]);
    let e = &first.json["data"][0];
    assert_eq!(e["org_id"], org.id.to_string());
    assert_eq!(e["subject_id"], id.to_string());
    assert_eq!(e["data"]["job_id"], id.to_string());
    assert_eq!(e["data"]["kind"], "noop");
    assert!(e["occurred_at"].as_str().unwrap().ends_with("+00:00"));
    let cursor = first.json["next_cursor"].clone();
    assert_eq!(cursor, first.json["data"][1]["id"]);
    let rest = events_list(&app, t, json!({"since": cursor}), 1).await;
    assert_eq!(types(&rest), ["job.succeeded"]);
    // At the end, the cursor stays put so a follower can poll with it.
    let end_cursor = rest.json["next_cursor"].clone();
    let empty = app
        .post("/api/events/list", t, json!({"since": end_cursor}))
        .await;
    assert_eq!(types(&empty), Vec::<String>::new());
    assert_eq!(empty.json["next_cursor"], end_cursor);
    let only = events_list(&app, t, json!({"types": ["job.succeeded"]}), 1).await;
    assert_eq!(types(&only), ["job.succeeded"]);
    // Another org's event id is not a cursor here.
    let other = app.org("other").await;
    app.post(
        "/api/events/list",
        &other.admin.token,
        json!({"since": cursor}),
    )
    .await
    .assert_error(404, "Event not found");
}

#[tokio::test]
async fn a_webhook_is_created_with_its_secret_once_listed_without_it_and_deleted() {
    let app = app().await;
    let org = app.org("acme").await;
    let client = app.insert_client(org.id, "Globex").await;
    let t = &org.admin.token;
    let created = app
        .post(
            "/api/webhooks/create",
            t,
            json!({"url": "https://hooks.example.com/in", "types": ["job.succeeded"], "client_id": client}),
        )
        .await;
    let w = created.ok().clone();
    let id: Uuid = w["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(w["url"], "https://hooks.example.com/in");
    assert_eq!(w["types"], json!(["job.succeeded"]));
    assert_eq!(w["client_id"], client.to_string());
    let secret = w["secret"].as_str().unwrap();
    assert_eq!(
        secret,
        jobs::webhook::secret(testkit::WEBHOOK_SIGNING_KEY, id)
    );
    // Only the hash is stored.
    let stored: String = app
        .owner
        .query_one("SELECT secret_hash FROM webhooks WHERE id = $1", &[&id])
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, jobs::webhook::secret_hash(secret));
    assert!(!stored.contains(secret));

    let listed = app.post("/api/webhooks/list", t, json!({})).await;
    assert_eq!(listed.ok()["data"][0]["id"], id.to_string());
    assert!(listed.json["data"][0].get("secret").is_none());

    let other = app.org("other").await;
    app.post(
        "/api/webhooks/delete",
        &other.admin.token,
        json!({"id": id}),
    )
    .await
    .assert_error(404, "Webhook not found");
    assert_eq!(
        app.post("/api/webhooks/list", &other.admin.token, json!({}))
            .await
            .ok()["data"],
        json!([])
    );
    let deleted = app.post("/api/webhooks/delete", t, json!({"id": id})).await;
    assert_eq!(deleted.ok(), &json!({"id": id, "deleted": true}));
    app.post("/api/webhooks/delete", t, json!({"id": id}))
        .await
        .assert_error(404, "Webhook not found");
}

#[tokio::test]
async fn a_webhook_for_another_orgs_client_is_404() {
    let app = app().await;
    let org = app.org("acme").await;
    let other = app.org("other").await;
    let theirs = app.insert_client(other.id, "Theirs").await;
    app.post(
        "/api/webhooks/create",
        &org.admin.token,
        json!({"url": "https://hooks.example.com/x", "client_id": theirs}),
    )
    .await
    .assert_error(404, "Client not found");
}

#[tokio::test]
async fn webhook_urls_that_could_reach_internal_services_are_refused() {
    let app = app().await;
    let org = app.org("acme").await;
    for url in [
        "http://hooks.example.com/x",
        "https://127.0.0.1/x",
        "https://10.0.0.5/x",
        "https://192.168.0.10/x",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/x",
        "https://[fe80::1]/x",
        "https://0.0.0.0/x",
        "https://localhost:8443/x",
        "file:///etc/passwd",
    ] {
        let r = app
            .post(
                "/api/webhooks/create",
                &org.admin.token,
                json!({"url": url}),
            )
            .await;
        assert_eq!(r.status, 422, "{url}: {}", r.text);
        assert_eq!(r.json["detail"][0]["loc"], json!(["body", "url"]));
    }
    // Local runs may allow them.
    let local = TestApp::with_config(events::router, |c| c.allow_http_webhooks = true).await;
    let org = local.org("acme").await;
    local
        .post(
            "/api/webhooks/create",
            &org.admin.token,
            json!({"url": "http://127.0.0.1:9000/hook"}),
        )
        .await
        .ok();
}
