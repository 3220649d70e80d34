//! The handler side of jobs: 200 with the final body within the wait budget, 202 over it or when
//! asked, the failed job's error as the synchronous call would answer it, and `Idempotency-Key`.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;

use http::Request;
use serde::Deserialize;
use serde_json::{Value, json};
use shared::auth::AuthContext;
use shared::http::{Json, Validate};
use shared::jobs::{self, JobError, JobRequest, NewJob, Registry};
use shared::{ApiError, AppState};
use testkit::sim::spawn_worker;
use testkit::{Reply, TestApp};
use tokio::sync::Notify;

#[derive(Deserialize)]
struct Start {
    kind: String,
    #[serde(default)]
    payload: Value,
}

impl Validate for Start {}

/// A job-creating endpoint as a group crate writes one.
async fn start(
    State(state): State<AppState>,
    ctx: AuthContext,
    req: JobRequest,
    Json(body): Json<Start>,
) -> Result<Response, ApiError> {
    jobs::respond(
        &state,
        &ctx,
        &req,
        NewJob::new(body.kind, None, body.payload),
    )
    .await
}

fn router(state: AppState) -> axum::Router {
    axum::Router::new()
        .route("/api/test/start", axum::routing::post(start))
        .with_state(state)
}

/// A gate the `test.gate` kind waits at until the test opens it.
fn registry(gate: Arc<Notify>) -> Registry {
    Registry::builtin()
        .add("test.echo", |_s, job| async move { Ok(job.payload) })
        .add("test.red", |_s, _job| async {
            Err(JobError::permanent(
                409,
                "conflict_red",
                "Conflict report is red; pass \"force\": true to deploy anyway",
            ))
        })
        .add("test.gate", move |_s, _job| {
            let gate = gate.clone();
            async move {
                gate.notified().await;
                Ok(json!({"opened": true}))
            }
        })
}

async fn post(app: &TestApp, token: &str, headers: &[(&str, &str)], body: Value) -> Reply {
    let mut req = Request::builder()
        .method("POST")
        .uri("/api/test/start")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    app.send(req.body(axum::body::Body::from(body.to_string())).unwrap())
        .await
}

#[tokio::test]
async fn within_the_wait_budget_the_call_answers_200_with_the_final_body() {
    let app = TestApp::new(router).await;
    spawn_worker(&app.state, registry(Arc::default()));
    let org = app.org("acme").await;
    let body =
        json!({"kind": "test.echo", "payload": {"deployment_id": "d-1", "status": "failed"}});
    let r = post(&app, &org.admin.token, &[], body).await;
    // Exactly the job's result, also when the domain outcome is a failure.
    assert_eq!(r.ok(), &json!({"deployment_id": "d-1", "status": "failed"}));
}

#[tokio::test]
async fn over_the_wait_budget_the_call_answers_202_with_the_job_state() {
    let app = TestApp::with_config(router, |c| c.sync_wait_seconds = 1).await;
    let gate = Arc::new(Notify::new());
    spawn_worker(&app.state, registry(gate.clone()));
    let org = app.org("acme").await;
    let r = post(&app, &org.admin.token, &[], json!({"kind": "test.gate"})).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(r.json["kind"], "test.gate");
    assert!(["queued", "running"].contains(&r.json["status"].as_str().unwrap()));
    assert_eq!(r.json["progress"], json!({"done": 0, "total": null}));
    assert_eq!(r.json["status_url"], "/api/jobs/get");
    let id: uuid::Uuid = r.json["job_id"].as_str().unwrap().parse().unwrap();
    // The work goes on and finishes.
    gate.notify_one();
    let done = jobs::wait(&app.state, org.id, id, testkit::EVENTUALLY)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.result, Some(json!({"opened": true})));
}

#[tokio::test]
async fn prefer_respond_async_answers_202_at_once() {
    let app = TestApp::new(router).await;
    let org = app.org("acme").await;
    // No worker: a synchronous wait would last the whole budget.
    let r = post(
        &app,
        &org.admin.token,
        &[("prefer", "respond-async")],
        json!({"kind": "noop"}),
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(r.json["status"], "queued");
    assert_eq!(r.json["kind"], "noop");
}

#[tokio::test]
async fn a_failed_job_answers_what_the_synchronous_call_would_have() {
    let app = TestApp::new(router).await;
    spawn_worker(&app.state, registry(Arc::default()));
    let org = app.org("acme").await;
    post(&app, &org.admin.token, &[], json!({"kind": "test.red"}))
        .await
        .assert_error(
            409,
            "Conflict report is red; pass \"force\": true to deploy anyway",
        );
}

#[tokio::test]
async fn a_repeated_idempotency_key_returns_the_same_job() {
    let app = TestApp::new(router).await;
    let org = app.org("acme").await;
    let other = app.org("other").await;
    let key = [
        ("idempotency-key", "deploy-42"),
        ("prefer", "respond-async"),
    ];
    let body = json!({"kind": "noop", "payload": {"a": 1, "b": 2}});
    let first = post(&app, &org.admin.token, &key, body.clone()).await;
    assert_eq!(first.status, 202);
    let again = post(
        &app,
        &org.admin.token,
        &key,
        json!({"kind": "noop", "payload": {"b": 2, "a": 1}}),
    )
    .await;
    assert_eq!(again.status, 202);
    assert_eq!(again.json["job_id"], first.json["job_id"]);
    // Keys are per org.
    let theirs = post(&app, &other.admin.token, &key, body).await;
    assert_ne!(theirs.json["job_id"], first.json["job_id"]);
    let count: i64 = app
        .owner
        .query_one("SELECT count(*) FROM jobs WHERE org_id = $1", &[&org.id])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 1);
    // The same key with another request is refused, clearly.
    post(
        &app,
        &org.admin.token,
        &key,
        json!({"kind": "noop", "payload": {"a": 2}}),
    )
    .await
    .assert_error(
        422,
        "Idempotency-Key was already used for a different request",
    );
}

#[tokio::test]
async fn concurrent_requests_with_one_idempotency_key_create_one_job() {
    let app = TestApp::new(router).await;
    let org = app.org("acme").await;
    let key = [("idempotency-key", "same"), ("prefer", "respond-async")];
    let replies = futures_join(
        (0..8)
            .map(|_| post(&app, &org.admin.token, &key, json!({"kind": "noop"})))
            .collect(),
    )
    .await;
    let ids: std::collections::HashSet<String> = replies
        .iter()
        .map(|r| r.json["job_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 1, "{replies:?}");
}

async fn futures_join<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut out = Vec::new();
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, slot) in pinned.iter_mut().zip(done.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.extend(done.into_iter().flatten());
    out
}

#[tokio::test]
async fn a_malformed_idempotency_key_is_a_422_after_authentication() {
    let app = TestApp::new(router).await;
    let org = app.org("acme").await;
    let long = "k".repeat(300);
    let r = post(
        &app,
        &org.admin.token,
        &[("idempotency-key", long.as_str())],
        json!({"kind": "noop"}),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json["detail"][0]["loc"],
        json!(["header", "Idempotency-Key"])
    );
    let r = post(
        &app,
        "wrong",
        &[("idempotency-key", long.as_str())],
        json!({}),
    )
    .await;
    assert_eq!(r.status, 401);
}
