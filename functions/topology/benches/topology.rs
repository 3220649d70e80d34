//! Benchmark of `topology/pull` against the simulator with `BENCH_OBJECTS` generated objects
//! (default 1,300) and `BENCH_LATENCY_MS` per Salesforce call (default 50), on the database named
//! by `TEST_DATABASE_URL` (a fresh database per run):
//!
//! 1. the first pull: wall time and Salesforce calls (the simulator's counts);
//! 2. a second pull with nothing changed (every describe a 304);
//! 3. the baseline measured in the same run: describeGlobal plus one describe per object with 10
//!    in flight (the existing service's way);
//! 4. peak RSS of the process (`VmHWM`) after pulling and storing; the simulated org lives in the
//!    same process, so this is an upper bound for the pull alone.
//!
//! `cargo bench -p topology --bench topology`

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::Instant;
use testkit::bench::{env_or, peak_rss_mb};

use chrono::Utc;
use shared::salesforce::Described;
use simulator::LatencyRule;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

#[tokio::main]
async fn main() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        eprintln!(
            "bench-topology: set TEST_DATABASE_URL to a superuser URL of a disposable cluster"
        );
        std::process::exit(2);
    }
    let objects = env_or("BENCH_OBJECTS", 1300) as usize;
    let latency = env_or("BENCH_LATENCY_MS", 50);
    let env = common::env_with(topology::router, objects).await;
    let created = Utc::now();
    env.sim.set_latency(LatencyRule {
        ms: latency,
        path_prefix: None,
    });
    common::Env::next_second(created).await;

    let before = env.calls();
    let t = Instant::now();
    let first = env.pull().await;
    let first_time = t.elapsed();
    let first_calls = env.calls() - before;
    let rss_after_first = peak_rss_mb();

    let before = env.calls();
    let t = Instant::now();
    let second = env.pull().await;
    let second_time = t.elapsed();
    let second_calls = env.calls() - before;
    let rss = peak_rss_mb();

    // Baseline: describeGlobal, then one describe per object, 10 in flight.
    let sf = env.salesforce();
    let before = env.calls();
    let t = Instant::now();
    let Ok(Described::Modified { value: global, .. }) = sf.describe_global(None).await else {
        panic!("describeGlobal failed")
    };
    let gate = Arc::new(Semaphore::new(10));
    let mut set = JoinSet::new();
    for name in global.names() {
        let (sf, gate) = (sf.clone(), gate.clone());
        set.spawn(async move {
            let _permit = gate.acquire_owned().await;
            sf.describe(&name, None).await.map(|_| ())
        });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap().unwrap();
    }
    let base_time = t.elapsed();
    let base_calls = env.calls() - before;

    println!(
        "topology pull, {} objects, {latency} ms per Salesforce call",
        first["objects_count"]
    );
    println!(
        "  first pull:       {:>8.2} s  {:>5} calls  (version {})",
        first_time.as_secs_f64(),
        first_calls,
        first["version"]
    );
    println!(
        "  unchanged pull:   {:>8.2} s  {:>5} calls  (version {}, describes reused through 304s)",
        second_time.as_secs_f64(),
        second_calls,
        second["version"]
    );
    println!(
        "  baseline (1 describe per object, 10 in flight): {:>8.2} s  {:>5} calls",
        base_time.as_secs_f64(),
        base_calls
    );
    println!(
        "  ratio baseline/first pull: {:.1}x wall time, {:.1}x calls",
        base_time.as_secs_f64() / first_time.as_secs_f64(),
        base_calls as f64 / first_calls as f64
    );
    println!(
        "  peak RSS (VmHWM, incl. the in-process simulator): {rss_after_first:.1} MB after the first pull, {rss:.1} MB after both"
    );
}
