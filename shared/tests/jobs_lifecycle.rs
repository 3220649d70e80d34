//! A job's life against a real database: claim, lease, run, retry, fail, cancel, take-over after a
//! worker dies, and the event of every transition.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use shared::jobs::{self, JobError, JobStatus, NewJob, Outcome, Registry, Worker};
use shared::{AppState, db};
use testkit::{TestApp, eventually};
use uuid::Uuid;

fn no_routes(_: AppState) -> axum::Router {
    axum::Router::new()
}

async fn app_with(tweak: impl FnOnce(&mut shared::Config)) -> TestApp {
    TestApp::with_config(no_routes, tweak).await
}

async fn event_types(app: &TestApp, job_id: Uuid) -> Vec<String> {
    app.owner
        .query(
            "SELECT type FROM events WHERE subject_id = $1 ORDER BY seq",
            &[&job_id],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

async fn job(app: &TestApp, org: Uuid, id: Uuid) -> jobs::Job {
    jobs::get(&app.state, org, id).await.unwrap().unwrap()
}

async fn create(app: &TestApp, org: Uuid, kind: &str, payload: Value) -> jobs::Job {
    let new = NewJob::new(kind, None, payload);
    jobs::create(&app.state, org, Some("tester"), None, &new)
        .await
        .unwrap()
        .job()
        .clone()
}

#[tokio::test]
async fn a_job_runs_to_success_with_an_event_on_every_transition() {
    let app = app_with(|_| {}).await;
    let org = app.org("acme").await;
    let worker = Worker::new(
        app.state.clone(),
        Registry::builtin().add("test.echo", |_s, job| async move { Ok(job.payload) }),
    );
    let j = create(&app, org.id, "test.echo", json!({"answer": 42})).await;
    assert_eq!(j.status, JobStatus::Queued);
    let Outcome::Succeeded(done) = worker.run(j.id).await.unwrap() else {
        panic!("the job did not succeed")
    };
    assert_eq!(done.result, Some(json!({"answer": 42})));
    assert_eq!(done.attempts, 1);
    assert!(done.lease_token.is_none() && done.finished_at.is_some());
    assert_eq!(
        event_types(&app, j.id).await,
        ["job.queued", "job.running", "job.succeeded"]
    );
    // A second delivery of the same message finds nothing to do.
    assert!(matches!(worker.run(j.id).await.unwrap(), Outcome::Skipped));
    assert!(matches!(
        worker.run(Uuid::new_v4()).await.unwrap(),
        Outcome::Missing
    ));
}

#[tokio::test]
async fn a_job_of_an_unknown_kind_fails_at_once() {
    let app = app_with(|_| {}).await;
    let org = app.org("acme").await;
    let worker = Worker::new(app.state.clone(), Registry::builtin());
    let j = create(&app, org.id, "nobody.runs.this", json!({})).await;
    let Outcome::Failed(failed) = worker.run(j.id).await.unwrap() else {
        panic!("expected a failure")
    };
    assert_eq!(failed.error.unwrap()["code"], "unknown_kind");
    assert_eq!(
        event_types(&app, j.id).await,
        ["job.queued", "job.running", "job.failed"]
    );
}

#[tokio::test]
async fn a_retryable_failure_is_retried_with_backoff_until_attempts_run_out() {
    let app = app_with(|c| c.job_backoff_base_ms = 1).await;
    let org = app.org("acme").await;
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let worker = Worker::new(
        app.state.clone(),
        Registry::empty().add("test.flaky", move |_s, _job| {
            counter.fetch_add(1, Ordering::SeqCst);
            async {
                Err(JobError::retryable(
                    "upstream_timeout",
                    "Salesforce timed out",
                ))
            }
        }),
    );
    let mut new = NewJob::new("test.flaky", None, json!({}));
    new.max_attempts = 3;
    let j = jobs::create(&app.state, org.id, None, None, &new)
        .await
        .unwrap()
        .job()
        .clone();
    for attempt in 1..=2 {
        let outcome = eventually("the retry to be due", || {
            let worker = worker.clone();
            async move {
                match worker.run(j.id).await.unwrap() {
                    Outcome::Skipped => None,
                    other => Some(other),
                }
            }
        })
        .await;
        let Outcome::Retrying { job: queued, delay } = outcome else {
            panic!("attempt {attempt} was not retried")
        };
        assert_eq!(queued.status, JobStatus::Queued);
        assert_eq!(delay.as_millis(), 1 << (attempt - 1));
        assert_eq!(queued.error.unwrap()["code"], "upstream_timeout");
    }
    let last = eventually("the last attempt to be due", || {
        let worker = worker.clone();
        async move {
            match worker.run(j.id).await.unwrap() {
                Outcome::Skipped => None,
                other => Some(other),
            }
        }
    })
    .await;
    let Outcome::Failed(failed) = last else {
        panic!("the last attempt did not fail the job")
    };
    assert_eq!(failed.attempts, 3);
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    assert_eq!(
        event_types(&app, j.id).await,
        [
            "job.queued",
            "job.running",
            "job.retrying",
            "job.running",
            "job.retrying",
            "job.running",
            "job.failed"
        ]
    );
}

/// The test's side-effect table: one row per job, written idempotently.
async fn effects_table(app: &TestApp) {
    app.owner
        .batch_execute(
            "CREATE TABLE test_effects (job_id uuid PRIMARY KEY, writes integer NOT NULL DEFAULT 1);
             GRANT SELECT, INSERT, UPDATE ON test_effects TO sfdc_app;",
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_job_whose_worker_dies_mid_run_is_taken_over_after_its_lease_and_takes_effect_once() {
    let app = app_with(|c| c.job_lease_seconds = 1).await;
    effects_table(&app).await;
    let org = app.org("acme").await;
    let started = Arc::new(tokio::sync::Notify::new());
    let signal = started.clone();
    // Records its effect idempotently, then (on its first attempt) hangs as a dying worker would.
    let registry = Registry::empty().add("test.effect", move |state: AppState, job| {
        let signal = signal.clone();
        async move {
            let conn = db::conn(state.db()).await?;
            conn.execute(
                "INSERT INTO test_effects (job_id) VALUES ($1) ON CONFLICT (job_id) DO NOTHING",
                &[&job.id],
            )
            .await?;
            if job.attempts == 1 {
                signal.notify_one();
                std::future::pending::<()>().await;
            }
            Ok(json!({"effect": "recorded"}))
        }
    });
    let j = create(&app, org.id, "test.effect", json!({})).await;

    let first = Worker::new(app.state.clone(), registry.clone());
    let dying = tokio::spawn(async move { first.run(j.id).await });
    started.notified().await;
    // Another delivery while the lease lives is a no-op.
    let second = Worker::new(app.state.clone(), registry);
    assert!(matches!(second.run(j.id).await.unwrap(), Outcome::Skipped));
    dying.abort();
    let _ = dying.await;

    let outcome = eventually("the lease to expire and the job to be taken over", || {
        let second = second.clone();
        async move {
            match second.run(j.id).await.unwrap() {
                Outcome::Skipped => None,
                other => Some(other),
            }
        }
    })
    .await;
    let Outcome::Succeeded(done) = outcome else {
        panic!("the job was not taken over: {outcome:?}")
    };
    assert_eq!(done.attempts, 2);
    assert_eq!(done.result, Some(json!({"effect": "recorded"})));
    let effects: i64 = app
        .owner
        .query_one("SELECT count(*) FROM test_effects", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(effects, 1);
    assert_eq!(
        event_types(&app, j.id).await,
        ["job.queued", "job.running", "job.running", "job.succeeded"]
    );
}

#[tokio::test]
async fn a_run_that_lost_its_lease_writes_nothing() {
    let app = app_with(|c| c.job_lease_seconds = 1).await;
    let org = app.org("acme").await;
    let release = Arc::new(tokio::sync::Notify::new());
    let started = Arc::new(tokio::sync::Notify::new());
    let (gate, signal) = (release.clone(), started.clone());
    let registry = Registry::empty().add("test.gate", move |_s, _job| {
        let (gate, signal) = (gate.clone(), signal.clone());
        async move {
            signal.notify_one();
            gate.notified().await;
            Ok(json!({"from": "the canceled run"}))
        }
    });
    let worker = Worker::new(app.state.clone(), registry);
    let j = create(&app, org.id, "test.gate", json!({})).await;
    let w = worker.clone();
    let run = tokio::spawn(async move { w.run(j.id).await });
    started.notified().await;
    let canceled = jobs::cancel(&app.state, org.id, j.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(canceled.status, JobStatus::Canceled);
    // The run notices at its next renewal and stops without writing.
    let outcome = run.await.unwrap().unwrap();
    assert!(matches!(outcome, Outcome::LeaseLost), "{outcome:?}");
    let after = job(&app, org.id, j.id).await;
    assert_eq!(after.status, JobStatus::Canceled);
    assert_eq!(after.result, None);
    assert_eq!(
        event_types(&app, j.id).await,
        ["job.queued", "job.running", "job.canceled"]
    );
    assert!(
        jobs::cancel(&app.state, org.id, j.id)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn progress_is_recorded_while_the_run_holds_its_lease() {
    let app = app_with(|_| {}).await;
    let org = app.org("acme").await;
    let registry = Registry::empty().add("test.steps", |state: AppState, job| async move {
        for done in 1..=3 {
            assert!(jobs::progress(&state, &job, done, Some(3)).await?);
        }
        Ok(json!({}))
    });
    let worker = Worker::new(app.state.clone(), registry);
    let j = create(&app, org.id, "test.steps", json!({})).await;
    let Outcome::Succeeded(done) = worker.run(j.id).await.unwrap() else {
        panic!()
    };
    assert_eq!((done.progress_done, done.progress_total), (3, Some(3)));
    // Another org cannot see the job, even by id.
    let other = app.org("other").await;
    assert!(
        jobs::get(&app.state, other.id, j.id)
            .await
            .unwrap()
            .is_none()
    );
}
