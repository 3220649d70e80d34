//! Benchmark of the job pipeline through the in-process local worker, against the database named
//! by `TEST_DATABASE_URL` (a fresh database per run, as the tests make):
//!
//! 1. throughput: `BENCH_JOBS` (default 2000) `noop` jobs created by 8 producers while the local
//!    worker (concurrency `BENCH_CONCURRENCY`, default 8) runs them: jobs completed per second,
//!    from the first creation to the last success;
//! 2. latency: `BENCH_DELIVERIES` (default 200) jobs one after another, each with a webhook on
//!    `job.succeeded` at a receiver on 127.0.0.1: the time from the transition (the event's
//!    `occurred_at`) to the receiver getting the signed POST.
//!
//! `cargo bench -p jobs --bench jobs`

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use jobs::local::{self, LocalOptions};
use serde_json::{Value, json};
use shared::jobs::{self as sj, NewJob};
use testkit::TestApp;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn no_routes(_: shared::AppState) -> axum::Router {
    axum::Router::new()
}

#[tokio::main]
async fn main() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        eprintln!("bench-jobs: set TEST_DATABASE_URL to a superuser URL of a disposable cluster");
        std::process::exit(2);
    }
    let jobs_n = env_or("BENCH_JOBS", 2000);
    let concurrency = env_or("BENCH_CONCURRENCY", 8);
    let deliveries = env_or("BENCH_DELIVERIES", 200);

    let app = TestApp::with_config(no_routes, |c| {
        c.database_pool_size = concurrency * 2 + 8;
        c.allow_http_webhooks = true;
    })
    .await;
    let org = app.org("bench").await;
    let worker = local::spawn_with(
        jobs::worker(app.state.clone()),
        LocalOptions {
            concurrency,
            poll_interval: Duration::from_secs(1),
            schedules: false,
        },
    );

    // 1. Throughput.
    let start = Instant::now();
    let producers = 8;
    let mut tasks = tokio::task::JoinSet::new();
    for p in 0..producers {
        let state = app.state.clone();
        let org = org.id;
        tasks.spawn(async move {
            for _ in (p..jobs_n).step_by(producers) {
                sj::create(
                    &state,
                    org,
                    None,
                    None,
                    &NewJob::new("noop", None, json!({})),
                )
                .await
                .expect("create");
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let created = start.elapsed();
    loop {
        let done: i64 = app
            .owner
            .query_one(
                "SELECT count(*) FROM jobs WHERE status = 'succeeded' AND kind = 'noop'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if done as usize >= jobs_n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let total = start.elapsed();
    println!(
        "throughput: {jobs_n} noop jobs, worker concurrency {concurrency}: created in {:.2} s \
         ({:.0}/s), all succeeded after {:.2} s: {:.0} jobs completed per second",
        created.as_secs_f64(),
        jobs_n as f64 / created.as_secs_f64(),
        total.as_secs_f64(),
        jobs_n as f64 / total.as_secs_f64()
    );

    // 2. Transition → webhook delivery latency.
    type Arrivals = Arc<Mutex<Vec<(Value, chrono::DateTime<chrono::Utc>)>>>;
    let arrivals: Arrivals = Arc::default();
    async fn receive(State(a): State<Arrivals>, body: axum::body::Bytes) -> &'static str {
        let at = chrono::Utc::now();
        if let Ok(v) = serde_json::from_slice(&body) {
            a.lock().unwrap().push((v, at));
        }
        "ok"
    }
    let router = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(arrivals.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    app.owner
        .execute(
            "INSERT INTO webhooks (org_id, url, types, secret_hash)
             VALUES ($1, $2, ARRAY['job.succeeded'], 'h')",
            &[&org.id, &format!("http://{addr}/hook")],
        )
        .await
        .unwrap();
    for i in 0..deliveries {
        sj::create(
            &app.state,
            org.id,
            None,
            None,
            &NewJob::new("noop", None, json!({})),
        )
        .await
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while arrivals.lock().unwrap().len() <= i {
            assert!(Instant::now() < deadline, "delivery {i} did not arrive");
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }
    let mut lat: Vec<f64> = arrivals
        .lock()
        .unwrap()
        .iter()
        .filter_map(|(event, at)| {
            let occurred =
                chrono::DateTime::parse_from_rfc3339(event["occurred_at"].as_str()?).ok()?;
            Some((*at - occurred.with_timezone(&chrono::Utc)).num_microseconds()? as f64 / 1000.0)
        })
        .collect();
    lat.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "webhook latency (job.succeeded transition → receiver, {} deliveries, one at a time): \
         p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        lat.len(),
        pct(0.50),
        pct(0.95),
        pct(0.99),
        lat[lat.len() - 1]
    );
    worker.stop().await;
}
