//! The worker's entry points against a real database: SQS batches (twice-delivered messages,
//! malformed ones), the schedules, the in-process local worker, SQS itself (moto), and real SQS
//! and EventBridge event JSON through the `api-jobs` binary.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use jobs::local::{self, LocalOptions};
use jobs::{Probe, Schedule};
use serde_json::{Value, json};
use shared::jobs::{self as sj, JobStatus, NewJob, Queue, Registry, SqsQueue, Worker};
use shared::{AppState, db};
use testkit::lambda::{FakeRuntime, Outcome};
use testkit::{TestApp, eventually};
use tokio::sync::Notify;
use uuid::Uuid;

fn no_routes(_: AppState) -> axum::Router {
    axum::Router::new()
}

async fn create(app: &TestApp, org: Uuid, kind: &str) -> Uuid {
    sj::create(
        &app.state,
        org,
        None,
        None,
        &NewJob::new(kind, None, json!({})),
    )
    .await
    .unwrap()
    .job()
    .id
}

async fn status(app: &TestApp, org: Uuid, id: Uuid) -> sj::Job {
    sj::get(&app.state, org, id).await.unwrap().unwrap()
}

/// An SQS event as AWS sends it to a Lambda, one record per body.
fn sqs_event(bodies: &[(&str, String)]) -> Value {
    let records: Vec<Value> = bodies
        .iter()
        .map(|(id, body)| {
            json!({
                "messageId": id,
                "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1545082649183",
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": "1545082649185"
                },
                "messageAttributes": {},
                "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:sfdc-engine-x-jobs",
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    json!({ "Records": records })
}

fn message(job_id: Uuid) -> String {
    json!({ "job_id": job_id }).to_string()
}

#[tokio::test]
async fn the_same_sqs_message_delivered_twice_never_runs_a_job_twice_at_once() {
    let app = TestApp::new(no_routes).await;
    let org = app.org("acme").await;
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let runs = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    let (r, m, n, s, g) = (
        running.clone(),
        most.clone(),
        runs.clone(),
        started.clone(),
        release.clone(),
    );
    let registry = Registry::empty().add("test.slow", move |_state, _job| {
        let (r, m, n, s, g) = (r.clone(), m.clone(), n.clone(), s.clone(), g.clone());
        async move {
            n.fetch_add(1, Ordering::SeqCst);
            let now = r.fetch_add(1, Ordering::SeqCst) + 1;
            m.fetch_max(now, Ordering::SeqCst);
            s.notify_one();
            g.notified().await;
            r.fetch_sub(1, Ordering::SeqCst);
            Ok(json!({"ran": true}))
        }
    });
    let worker = Worker::new(app.state.clone(), registry);
    let id = create(&app, org.id, "test.slow").await;
    let event: SqsEvent = serde_json::from_value(sqs_event(&[("m-1", message(id))])).unwrap();
    let again: SqsEvent = serde_json::from_value(sqs_event(&[("m-2", message(id))])).unwrap();

    let w = worker.clone();
    let first = tokio::spawn(async move { jobs::handle_sqs_with(&w, event).await });
    started.notified().await;
    // The duplicate arrives while the first run holds the lease: it is done, without running.
    let second = jobs::handle_sqs_with(&worker, again.clone()).await;
    assert!(second.batch_item_failures.is_empty());
    release.notify_one();
    let first = first.await.unwrap();
    assert!(first.batch_item_failures.is_empty());
    // And once more after the job finished.
    let third = jobs::handle_sqs_with(&worker, again).await;
    assert!(third.batch_item_failures.is_empty());

    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(most.load(Ordering::SeqCst), 1);
    let done = status(&app, org.id, id).await;
    assert_eq!(done.status, JobStatus::Succeeded);
    assert_eq!(done.attempts, 1);
}

#[tokio::test]
async fn a_batch_reports_only_the_messages_it_could_not_handle() {
    let app = TestApp::new(no_routes).await;
    let org = app.org("acme").await;
    let ok = create(&app, org.id, "noop").await;
    let event: SqsEvent = serde_json::from_value(sqs_event(&[
        ("good", message(ok)),
        ("garbled", "not json".into()),
        ("unknown-job", message(Uuid::new_v4())),
    ]))
    .unwrap();
    let answer = jobs::handle_sqs(&app.state, event).await;
    let failed: Vec<&str> = answer
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["garbled"]);
    assert_eq!(status(&app, org.id, ok).await.status, JobStatus::Succeeded);
    let wire = serde_json::to_value(&answer).unwrap();
    assert_eq!(
        wire,
        json!({"batchItemFailures": [{"itemIdentifier": "garbled"}]})
    );
}

#[tokio::test]
async fn the_local_worker_runs_jobs_and_takes_over_from_a_worker_that_died() {
    let app = TestApp::with_config(no_routes, |c| c.job_lease_seconds = 1).await;
    let org = app.org("acme").await;
    let attempts = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(Notify::new());
    let (a, s) = (attempts.clone(), started.clone());
    let registry = Registry::builtin().add("test.hang_once", move |_state, job| {
        let (a, s) = (a.clone(), s.clone());
        async move {
            a.fetch_add(1, Ordering::SeqCst);
            if job.attempts == 1 {
                s.notify_one();
                std::future::pending::<()>().await;
            }
            Ok(json!({"attempt": job.attempts}))
        }
    });
    let options = LocalOptions {
        concurrency: 4,
        poll_interval: Duration::from_millis(50),
        schedules: false,
    };
    let first = local::spawn_with(
        Worker::new(app.state.clone(), registry.clone()),
        options.clone(),
    );
    let noop = create(&app, org.id, "noop").await;
    let hang = create(&app, org.id, "test.hang_once").await;
    started.notified().await;
    eventually("the noop job to finish", || async {
        (status(&app, org.id, noop).await.status == JobStatus::Succeeded).then_some(())
    })
    .await;
    // The worker dies with the job half done.
    first.stop().await;
    assert_eq!(status(&app, org.id, hang).await.status, JobStatus::Running);

    let second = local::spawn_with(Worker::new(app.state.clone(), registry), options);
    let done = eventually("another worker to take the job over", || async {
        let j = status(&app, org.id, hang).await;
        (j.status == JobStatus::Succeeded).then_some(j)
    })
    .await;
    assert_eq!(done.result, Some(json!({"attempt": 2})));
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    second.stop().await;
}

#[tokio::test]
async fn the_lease_sweeper_sends_stale_jobs_again_and_forgets_old_keys() {
    let app = TestApp::new(no_routes).await;
    let org = app.org("acme").await;
    let fresh = create(&app, org.id, "noop").await;
    let stale = create(&app, org.id, "noop").await;
    let expired = create(&app, org.id, "noop").await;
    app.owner
        .execute(
            "UPDATE jobs SET run_after = now() - interval '2 minutes' WHERE id = $1",
            &[&stale],
        )
        .await
        .unwrap();
    app.owner
        .execute(
            "UPDATE jobs SET status = 'running', lease_token = gen_random_uuid(),
                 lease_expires_at = now() - interval '1 second' WHERE id = $1",
            &[&expired],
        )
        .await
        .unwrap();
    app.owner
        .execute(
            "INSERT INTO idempotency_keys (org_id, key, job_id, request_hash, expires_at)
             VALUES ($1, 'old', $2, 'h', now() - interval '1 hour')",
            &[&org.id, &fresh],
        )
        .await
        .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    app.state.jobs().set_queue(Queue::Local(tx));
    let report = jobs::handle_schedule(&app.state, "lease_sweeper")
        .await
        .unwrap();
    assert_eq!(report["schedule"], "lease_sweeper");
    assert_eq!(report["jobs_sent"], 2);
    assert_eq!(report["idempotency_keys_purged"], 1);
    let mut sent = vec![rx.recv().await.unwrap(), rx.recv().await.unwrap()];
    sent.sort();
    let mut expected = vec![stale, expired];
    expected.sort();
    assert_eq!(sent, expected);
    // The expired lease is taken over by whoever gets the message.
    let w = jobs::worker(app.state.clone());
    assert!(matches!(
        w.run(expired).await.unwrap(),
        sj::Outcome::Succeeded(_)
    ));
}

async fn connection(app: &TestApp, org: Uuid, client: Uuid, auto_refresh: bool) -> Uuid {
    app.owner
        .query_one(
            "INSERT INTO crm_connections (org_id, client_id, status, nango_connection_id, auto_refresh)
             VALUES ($1, $2, 'connected', $3, $4) RETURNING id",
            &[&org, &client, &format!("nango-{client}"), &auto_refresh],
        )
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn the_health_check_expires_connections_the_probe_finds_dead() {
    let app = TestApp::new(no_routes).await;
    let org = app.org("acme").await;
    let a = app.insert_client(org.id, "Alive").await;
    let d = app.insert_client(org.id, "Dead").await;
    let alive = connection(&app, org.id, a, false).await;
    let dead = connection(&app, org.id, d, false).await;
    let worker = jobs::worker(app.state.clone());
    let probe = move |c: db::jobs::ScheduledConnection| async move {
        if c.connection_id == dead {
            Probe::Expired("Nango answered 424: refresh token revoked".into())
        } else {
            Probe::Healthy
        }
    };
    let report = jobs::run_schedule(&worker, Schedule::ConnectionHealth, &probe)
        .await
        .unwrap();
    assert_eq!(report["checked"], 2);
    assert_eq!(report["expired"], 1);
    assert_eq!(report["healthy"], 1);
    let rows = app
        .owner
        .query(
            "SELECT id, status::text, error_message FROM crm_connections ORDER BY status",
            &[],
        )
        .await
        .unwrap();
    let state: Vec<(Uuid, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert!(state.contains(&(alive, "connected".into())));
    assert!(state.contains(&(dead, "expired".into())));
    let event: (String, Value, Option<Uuid>) = app
        .owner
        .query_one(
            "SELECT type, data, client_id FROM events WHERE subject_id = $1",
            &[&dead],
        )
        .await
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .unwrap();
    assert_eq!(event.0, "connection.expired");
    assert_eq!(event.2, Some(d));
    assert_eq!(event.1["previous_status"], "connected");
    assert_eq!(
        event.1["error_message"],
        "Nango answered 424: refresh token revoked"
    );
    // A second run finds the dead connection no longer connected.
    let again = jobs::run_schedule(&worker, Schedule::ConnectionHealth, &probe)
        .await
        .unwrap();
    assert_eq!(again["checked"], 1);
    // The production probe does not judge yet (the Nango client lands separately).
    let real = jobs::handle_schedule(&app.state, "connection_health")
        .await
        .unwrap();
    assert_eq!(real["unknown"], 1);
}

#[tokio::test]
async fn the_nightly_refresh_creates_one_pull_per_auto_refresh_connection_per_day() {
    let app = TestApp::new(no_routes).await;
    let org = app.org("acme").await;
    let a = app.insert_client(org.id, "Auto").await;
    let m = app.insert_client(org.id, "Manual").await;
    let auto = connection(&app, org.id, a, true).await;
    connection(&app, org.id, m, false).await;
    // The build's worker runs topology.pull: the first run creates the day's job.
    assert!(jobs::registry().contains(jobs::TOPOLOGY_PULL));
    let report = jobs::handle_schedule(&app.state, "topology_refresh")
        .await
        .unwrap();
    assert_eq!(report["jobs_created"], 1);
    let registry = jobs::registry().add(
        jobs::TOPOLOGY_PULL,
        |_s, job| async move { Ok(job.payload) },
    );
    let worker = Worker::new(app.state.clone(), registry);
    for expected in [0, 0] {
        let report = jobs::run_schedule(
            &worker,
            Schedule::TopologyRefresh,
            &jobs::nango_probe(worker.state()),
        )
        .await
        .unwrap();
        assert_eq!(report["jobs_created"], expected);
    }
    let payload: Value = app
        .owner
        .query_one("SELECT payload FROM jobs WHERE kind = 'topology.pull'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(payload["connection_id"], auto.to_string());
}

#[tokio::test]
async fn the_push_purge_nulls_old_payloads_and_keeps_counts() {
    let app = TestApp::new(no_routes).await;
    let org = app.org("acme").await;
    let c = app.insert_client(org.id, "Globex").await;
    let conn = connection(&app, org.id, c, false).await;
    for age in ["40 days", "1 day"] {
        app.owner
            .execute(
                &format!(
                    "INSERT INTO crm_push_logs (org_id, client_id, connection_id, object_type,
                         records_total, payload, created_at)
                     VALUES ($1, $2, $3, 'Contact', 2, '[{{\"Email\": \"a@b.c\"}}]', now() - interval '{age}')"
                ),
                &[&org.id, &c, &conn],
            )
            .await
            .unwrap();
    }
    let report = jobs::handle_schedule(&app.state, "push-purge")
        .await
        .unwrap();
    assert_eq!(report["payloads_purged"], 1);
    let rows = app
        .owner
        .query(
            "SELECT payload IS NULL, payload_purged_at IS NOT NULL, records_total
             FROM crm_push_logs ORDER BY created_at",
            &[],
        )
        .await
        .unwrap();
    let got: Vec<(bool, bool, i32)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(got, [(true, true, 2), (false, false, 2)]);
    assert!(jobs::handle_schedule(&app.state, "coffee").await.is_err());
}

#[tokio::test]
async fn jobs_are_sent_to_sqs() {
    let Ok(endpoint) = std::env::var("TEST_AWS_ENDPOINT") else {
        eprintln!("skipped: TEST_AWS_ENDPOINT is not set (scripts/test starts moto and sets it)");
        return;
    };
    let conf = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .region(aws_sdk_sqs::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_sqs::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .build();
    let client = aws_sdk_sqs::Client::from_conf(conf);
    let queue = client
        .create_queue()
        .queue_name(format!("jobs-{}", Uuid::new_v4().simple()))
        .send()
        .await
        .unwrap();
    let url = queue.queue_url().unwrap().to_string();
    let app = TestApp::new(no_routes).await;
    app.state
        .jobs()
        .set_queue(Queue::Sqs(SqsQueue::with_client(client.clone(), &url)));
    let org = app.org("acme").await;
    let id = create(&app, org.id, "noop").await;
    let received = eventually("the message to arrive", || {
        let (client, url) = (client.clone(), url.clone());
        async move {
            let out = client
                .receive_message()
                .queue_url(url)
                .wait_time_seconds(1)
                .send()
                .await
                .unwrap();
            out.messages.unwrap_or_default().into_iter().next()
        }
    })
    .await;
    let body: Value = serde_json::from_str(received.body().unwrap()).unwrap();
    assert_eq!(body, json!({"job_id": id}));
    // The received message runs through the handler like the Lambda event it becomes.
    let event: SqsEvent = serde_json::from_value(sqs_event(&[(
        received.message_id().unwrap(),
        received.body().unwrap().to_string(),
    )]))
    .unwrap();
    assert!(
        jobs::handle_sqs(&app.state, event)
            .await
            .batch_item_failures
            .is_empty()
    );
    assert_eq!(status(&app, org.id, id).await.status, JobStatus::Succeeded);
}

#[tokio::test]
async fn real_sqs_and_eventbridge_events_run_through_the_api_jobs_binary() {
    let app = TestApp::new(no_routes).await;
    let org = app.org("acme").await;
    let id = create(&app, org.id, "noop").await;
    let scheduled = json!({
        "version": "0",
        "id": "89d1a02d-5ec7-412e-82f5-13505f849b41",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-02-19T00:01:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/sfdc-engine-x-LeaseSweeper-1ABCDEF"],
        "detail": {}
    });
    let events = vec![
        sqs_event(&[
            ("059f36b4-87a3-44ab-83d2-661975830a7d", message(id)),
            ("bad-1", "{}".into()),
        ]),
        scheduled,
        json!({"schedule": "push_purge"}),
    ];
    let mut runtime = FakeRuntime::start(events).await;
    let db_url = testkit::url_for(
        &testkit::admin_url(),
        &app.database,
        Some(testkit::APP_ROLE),
    );
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_api-jobs"))
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", runtime.api())
        .env("AWS_LAMBDA_FUNCTION_NAME", "api-jobs")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "stream")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "group")
        .env("DATABASE_URL", db_url)
        .env("JWT_SECRET", testkit::JWT_SECRET)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut outcomes = Vec::new();
    for _ in 0..3 {
        let (_, outcome) = tokio::time::timeout(testkit::EVENTUALLY, runtime.outcome())
            .await
            .expect("the function did not answer");
        outcomes.push(outcome);
    }
    let _ = child.kill().await;
    let answers: Vec<Value> = outcomes
        .into_iter()
        .map(|o| match o {
            Outcome::Response(v) => v,
            Outcome::Error(e) => panic!("the function failed: {e}"),
        })
        .collect();
    assert_eq!(
        answers[0],
        json!({"batchItemFailures": [{"itemIdentifier": "bad-1"}]})
    );
    assert_eq!(status(&app, org.id, id).await.status, JobStatus::Succeeded);
    assert_eq!(answers[1]["schedule"], "lease_sweeper");
    assert_eq!(answers[2]["schedule"], "push_purge");
}
