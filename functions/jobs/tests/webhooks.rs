//! Webhook deliveries end to end: a receiver started by the test gets signed POSTs of the org's
//! events through the local worker, retried until it answers 2xx, exactly once per event; and a
//! target that became private is refused without a request.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use jobs::local::{self, LocalOptions, LocalWorker};
use serde_json::{Value, json};
use shared::jobs::{self as sj, JobStatus, NewJob, Outcome, webhook};
use testkit::{TestApp, eventually};
use uuid::Uuid;

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    signature: String,
    event_header: String,
    body: Vec<u8>,
    answered: u16,
}

#[derive(Clone, Default)]
struct Receiver {
    log: Arc<Mutex<Vec<Received>>>,
    /// Requests still to answer with a 500.
    failures_left: Arc<AtomicUsize>,
}

impl Receiver {
    fn requests(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }
}

async fn hook(
    State(r): State<Receiver>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let fail = r
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    let status = if fail {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    r.log.lock().unwrap().push(Received {
        signature: header("x-sfdc-engine-signature"),
        event_header: header("x-sfdc-engine-event"),
        body: body.to_vec(),
        answered: status.as_u16(),
    });
    status
}

/// A receiver on a loopback port; answers 500 to its first `failures` requests.
async fn receiver(failures: usize) -> (Receiver, String) {
    let r = Receiver::default();
    r.failures_left.store(failures, Ordering::SeqCst);
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(hook))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (r, format!("http://{addr}/hook"))
}

/// The events API (for webhooks/create) and a local worker, with plain-http loopback webhooks
/// allowed and a 10 ms backoff base.
async fn setup() -> (TestApp, LocalWorker) {
    let app = TestApp::with_config(events::router, |c| {
        c.allow_http_webhooks = true;
        c.job_backoff_base_ms = 10;
    })
    .await;
    let worker = local::spawn_with(
        jobs::worker(app.state.clone()),
        LocalOptions {
            concurrency: 8,
            poll_interval: Duration::from_millis(50),
            schedules: false,
        },
    );
    (app, worker)
}

async fn create_webhook(app: &TestApp, token: &str, url: &str, types: &[&str]) -> (Uuid, String) {
    let r = app
        .post(
            "/api/webhooks/create",
            token,
            json!({"url": url, "types": types}),
        )
        .await;
    let w = r.ok();
    (
        w["id"].as_str().unwrap().parse().unwrap(),
        w["secret"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_receiver_gets_signed_deliveries_of_job_events() {
    let (app, worker) = setup().await;
    let org = app.org("acme").await;
    let (rx, url) = receiver(0).await;
    let types = ["job.queued", "job.running", "job.succeeded"];
    let (_, secret) = create_webhook(&app, &org.admin.token, &url, &types).await;
    let job = sj::create(
        &app.state,
        org.id,
        None,
        None,
        &NewJob::new("noop", None, json!({})),
    )
    .await
    .unwrap()
    .job()
    .id;
    let got = eventually("three deliveries", || async {
        let r = rx.requests();
        (r.len() >= 3).then_some(r)
    })
    .await;
    let now = chrono::Utc::now().timestamp();
    let mut seen = Vec::new();
    for r in &got {
        assert_eq!(r.answered, 200);
        // What a receiver does: recompute the HMAC over the raw body it received.
        assert!(
            webhook::verify(&secret, &r.signature, &r.body, now, 300),
            "bad signature {}",
            r.signature
        );
        assert!(!webhook::verify(
            "whsec_wrong",
            &r.signature,
            &r.body,
            now,
            300
        ));
        let event: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(event["type"], r.event_header.as_str());
        assert_eq!(event["org_id"], org.id.to_string());
        assert_eq!(event["subject_id"], job.to_string());
        assert_eq!(event["data"]["job_id"], job.to_string());
        seen.push(event["type"].as_str().unwrap().to_string());
    }
    seen.sort();
    assert_eq!(seen, types);
    worker.stop().await;
}

#[tokio::test]
async fn a_receiver_that_fails_three_times_gets_the_event_exactly_once_after_the_retries() {
    let (app, worker) = setup().await;
    let org = app.org("acme").await;
    let (rx, url) = receiver(3).await;
    let (hook_id, secret) = create_webhook(&app, &org.admin.token, &url, &["job.succeeded"]).await;
    let job = sj::create(
        &app.state,
        org.id,
        None,
        None,
        &NewJob::new("noop", None, json!({})),
    )
    .await
    .unwrap()
    .job()
    .id;
    let (delivery_job, attempts) = eventually("the delivery to succeed", || async {
        let row = app
            .owner
            .query_opt(
                "SELECT job_id, attempts FROM webhook_deliveries
                 WHERE webhook_id = $1 AND status = 'succeeded'",
                &[&hook_id],
            )
            .await
            .unwrap()?;
        Some((row.get::<_, Uuid>(0), row.get::<_, i32>(1)))
    })
    .await;
    assert_eq!(attempts, 4);
    let got = rx.requests();
    let answers: Vec<u16> = got.iter().map(|r| r.answered).collect();
    assert_eq!(answers, [500, 500, 500, 200]);
    let bodies: Vec<Value> = got
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert!(bodies.iter().all(|b| b["id"] == bodies[0]["id"]));
    assert_eq!(bodies[0]["type"], "job.succeeded");
    assert_eq!(bodies[0]["subject_id"], job.to_string());
    let now = chrono::Utc::now().timestamp();
    assert!(
        got.iter()
            .all(|r| webhook::verify(&secret, &r.signature, &r.body, now, 300))
    );

    let delivery = sj::get(&app.state, org.id, delivery_job)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(delivery.status, JobStatus::Succeeded);
    assert_eq!(delivery.attempts, 4);
    // Once delivered, never again: a redelivered message finds nothing to run, and fanning the
    // same event out again creates no delivery.
    let w = jobs::worker(app.state.clone());
    assert!(matches!(
        w.run(delivery_job).await.unwrap(),
        Outcome::Skipped
    ));
    let event_id: Uuid = bodies[0]["id"].as_str().unwrap().parse().unwrap();
    let mut conn = shared::db::conn(app.state.db()).await.unwrap();
    let tx = shared::db::begin(&mut conn, org.id).await.unwrap();
    let again = shared::db::webhooks::fan_out(
        &tx,
        org.id,
        event_id,
        "job.succeeded",
        None,
        webhook::DELIVER,
        webhook::MAX_ATTEMPTS,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(again.is_empty());
    jobs::handle_schedule(&app.state, "lease_sweeper")
        .await
        .unwrap();
    worker.stop().await;
    assert_eq!(rx.requests().len(), 4);
}

#[tokio::test]
async fn a_delivery_to_a_private_target_is_refused_without_a_request() {
    // Production settings: https only, no private targets.
    let app = TestApp::new(events::router).await;
    let org = app.org("acme").await;
    let (rx, url) = receiver(0).await;
    // A webhook whose target became private after it was created (DNS changed, or inserted
    // before the rule): the delivery is checked again.
    let https = url.replace("http://", "https://");
    app.owner
        .execute(
            "INSERT INTO webhooks (org_id, url, secret_hash) VALUES ($1, $2, 'h')",
            &[&org.id, &https],
        )
        .await
        .unwrap();
    sj::create(
        &app.state,
        org.id,
        None,
        None,
        &NewJob::new("noop", None, json!({})),
    )
    .await
    .unwrap();
    let delivery_job: Uuid = app
        .owner
        .query_one("SELECT job_id FROM webhook_deliveries", &[])
        .await
        .unwrap()
        .get(0);
    let w = jobs::worker(app.state.clone());
    let Outcome::Failed(failed) = w.run(delivery_job).await.unwrap() else {
        panic!("the delivery was not refused")
    };
    assert_eq!(failed.error.unwrap()["code"], "webhook_target_refused");
    let (status, error): (String, String) = app
        .owner
        .query_one(
            "SELECT status::text, last_error FROM webhook_deliveries",
            &[],
        )
        .await
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    assert_eq!(status, "failed");
    assert!(error.contains("private"), "{error}");
    assert!(rx.requests().is_empty());
}
