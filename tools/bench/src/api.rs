//! `bench-api`: the identity path under load, and a function's cold start.
//!
//! 1. Throughput and latency of an authenticated `POST /api/clients/list` (API token, 20 clients)
//!    against the `local` server process over loopback HTTP.
//! 2. The same SQL statements (token look-up, BEGIN, set org, list, COMMIT) in a plain
//!    tokio-postgres loop without HTTP, at the same concurrency: the ratio of the two.
//! 3. The cold start of the `api-health` function process: from exec to its first 200, through a
//!    fake Lambda Runtime API.
//!
//! Needs `TEST_DATABASE_URL` (a superuser URL of a disposable cluster) and the release binaries
//! `local` and `api-health` beside this one; `scripts/bench` provides both.

use std::time::{Duration, Instant};

use serde_json::json;
use testkit::lambda::{FakeRuntime, Outcome, http_api_event};
use testkit::{APP_ROLE, TestApp, admin_url, url_for};

const CONCURRENCY: usize = 8;
const DURATION: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() {
    let app = TestApp::new(|s| axum::Router::new().with_state(s)).await;
    let org = app.org("bench").await;
    for i in 0..20 {
        app.insert_client(org.id, &format!("client {i:02}")).await;
    }
    let app_url = url_for(&admin_url(), &app.database, Some(APP_ROLE));

    let owner_url = url_for(&admin_url(), &app.database, None);
    let (http_rps, p50, p99) = http_load(&app_url, &owner_url, &org.admin.token).await;
    let plain_rps = plain_loop(&app_url, &org.admin.token, org.id).await;
    let cold = cold_starts(&app_url, 10).await;

    println!(
        "POST /api/clients/list (API token, 20 clients), {CONCURRENCY} concurrent, {}s:",
        DURATION.as_secs()
    );
    println!(
        "  http:  {http_rps:.0} req/s   p50 {:.2} ms   p99 {:.2} ms",
        ms(p50),
        ms(p99)
    );
    println!("  plain tokio-postgres loop (same statements): {plain_rps:.0} loops/s");
    println!(
        "  ratio http / plain: {:.2} (target >= 0.5)",
        http_rps / plain_rps
    );
    let mut sorted = cold.clone();
    sorted.sort();
    println!(
        "cold start api-health, exec -> first 200 (n={}): median {:.1} ms   min {:.1} ms   max {:.1} ms (target < 100 ms)",
        sorted.len(),
        ms(sorted[sorted.len() / 2]),
        ms(sorted[0]),
        ms(sorted[sorted.len() - 1])
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn sibling(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().unwrap().join(name);
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build --release -p local -p health`",
        path.display()
    );
    path
}

async fn http_load(db_url: &str, owner_url: &str, token: &str) -> (f64, Duration, Duration) {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut server = tokio::process::Command::new(sibling("local"))
        .arg("serve")
        .env("DATABASE_URL", db_url)
        .env("MIGRATION_DATABASE_URL", owner_url)
        .env("JWT_SECRET", testkit::JWT_SECRET)
        .env("PORT", port.to_string())
        .env("RUST_LOG", "warn")
        .env("NANGO_BASE_URL", "http://127.0.0.1:9/nango")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    let ready = Instant::now();
    while http.get(format!("{base}/health")).send().await.is_err() {
        assert!(
            ready.elapsed() < Duration::from_secs(30),
            "the local server did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Warm up every pooled connection and statement cache.
    for _ in 0..200 {
        let r = http
            .post(format!("{base}/api/clients/list"))
            .bearer_auth(token)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["data"].as_array().unwrap().len(), 20);
    }
    let end = Instant::now() + DURATION;
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (http, base, token) = (http.clone(), base.clone(), token.to_string());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < end {
                let t = Instant::now();
                let r = http
                    .post(format!("{base}/api/clients/list"))
                    .bearer_auth(&token)
                    .json(&json!({}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                let _ = r.bytes().await.unwrap();
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let _ = server.kill().await;
    all.sort();
    let rps = all.len() as f64 / DURATION.as_secs_f64();
    (rps, all[all.len() / 2], all[all.len() * 99 / 100])
}

async fn plain_loop(db_url: &str, token: &str, org: uuid::Uuid) -> f64 {
    let pool = shared::db::pool::build(db_url, 16, None).unwrap();
    let hash = shared::auth::secrets::hash_token(token);
    let end = Instant::now() + DURATION;
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (pool, hash) = (pool.clone(), hash.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < end {
                let mut c = pool.get().await.unwrap();
                let auth = c
                    .prepare_cached("SELECT token_id, org_id, user_id, role::text, client_id FROM auth_api_token($1, $2)")
                    .await
                    .unwrap();
                let row = c.query_one(&auth, &[&hash, &false]).await.unwrap();
                let org_id: uuid::Uuid = row.get(1);
                assert_eq!(org_id, org);
                drop(row);
                let c2 = &mut c;
                let tx = c2.transaction().await.unwrap();
                let set = tx.prepare_cached("SELECT set_config('app.org_id', $1, true)").await.unwrap();
                tx.execute(&set, &[&org.to_string()]).await.unwrap();
                let page = shared::db::page::PageRequest::default();
                let rows = shared::db::clients::list(&tx, org, &page).await.unwrap();
                assert_eq!(rows.len(), 20);
                tx.commit().await.unwrap();
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total as f64 / DURATION.as_secs_f64()
}

async fn cold_starts(db_url: &str, n: usize) -> Vec<Duration> {
    let mut out = Vec::new();
    for _ in 0..n {
        let event = http_api_event(
            "GET",
            "/health",
            "",
            json!({"host": "x.execute-api.us-east-1.amazonaws.com"}),
            None,
        );
        let mut runtime = FakeRuntime::start(vec![event]).await;
        let start = Instant::now();
        let mut child = tokio::process::Command::new(sibling("api-health"))
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", runtime.api())
            .env("AWS_LAMBDA_FUNCTION_NAME", "api-health")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("DATABASE_URL", db_url)
            .env("JWT_SECRET", testkit::JWT_SECRET)
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let (_, outcome) = tokio::time::timeout(Duration::from_secs(30), runtime.outcome())
            .await
            .unwrap();
        let elapsed = start.elapsed();
        let _ = child.kill().await;
        match outcome {
            Outcome::Response(r) => assert_eq!(r["statusCode"], 200, "{r}"),
            Outcome::Error(e) => panic!("cold start failed: {e}"),
        }
        out.push(elapsed);
    }
    out
}
