//! Benchmark of `deploy/execute` against the simulator: `BENCH_OBJECTS` custom objects (default
//! 10) with `BENCH_FIELDS` fields each (default 20, all types in turn) at `BENCH_LATENCY_MS` per
//! Salesforce call (default 100), then the rollback. Prints wall time and Salesforce calls (the
//! simulator's counts by kind), on the database named by `TEST_DATABASE_URL` (a fresh database).
//!
//! `cargo bench -p deploy --bench deploy`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use serde_json::{Value, json};
use simulator::LatencyRule;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn field(i: usize) -> Value {
    let name = format!("F{i:02}__c");
    let f = |t: &str| json!({"api_name": name, "label": name, "type": t});
    match i % 10 {
        0 => f("Text"),
        1 => f("Number"),
        2 => f("Currency"),
        3 => f("Checkbox"),
        4 => f("Date"),
        5 => f("DateTime"),
        6 => f("Email"),
        7 => {
            json!({"api_name": name, "label": name, "type": "Picklist", "values": ["A", "B", "C"]})
        }
        8 => f("LongTextArea"),
        _ => json!({"api_name": name, "label": name, "type": "Lookup", "related_to": "Account"}),
    }
}

fn delta(before: &Value, after: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for (k, v) in after.as_object().unwrap() {
        let d = v
            .as_u64()
            .unwrap_or(0)
            .saturating_sub(before[k].as_u64().unwrap_or(0));
        if d > 0 && k != "api_usage" && k != "api_max" {
            out.insert(k.clone(), json!(d));
        }
    }
    Value::Object(out)
}

#[tokio::main]
async fn main() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        eprintln!("bench-deploy: set TEST_DATABASE_URL to a superuser URL of a disposable cluster");
        std::process::exit(2);
    }
    let objects = env_or("BENCH_OBJECTS", 10) as usize;
    let fields = env_or("BENCH_FIELDS", 20) as usize;
    let latency = env_or("BENCH_LATENCY_MS", 100);
    let interval = env_or("DEPLOY_POLL_INTERVAL_MS", 2000);
    let env = common::env_with(|c| c.deploy_poll_interval_ms = interval).await;
    env.sim.set_latency(LatencyRule {
        ms: latency,
        path_prefix: None,
    });
    let plan = json!({"custom_objects": (0..objects).map(|o| json!({
        "api_name": format!("Bench_{o:02}__c"), "label": format!("Bench {o}"),
        "fields": (0..fields).map(field).collect::<Vec<_>>(),
    })).collect::<Vec<_>>()});

    let before = env.sim.counts(&env.sf_org);
    let started = Instant::now();
    let d = env
        .run(
            "/api/deploy/execute",
            json!({"client_id": env.client, "plan": plan}),
        )
        .await;
    let deploy_ms = started.elapsed().as_millis();
    let after = env.sim.counts(&env.sf_org);
    assert_eq!(d["status"], "succeeded", "{d}");
    let components = d["result"]["components"].as_array().map_or(0, Vec::len);

    let started = Instant::now();
    let rb = env
        .run("/api/deploy/rollback", json!({"id": d["id"]}))
        .await;
    let rollback_ms = started.elapsed().as_millis();
    let end = env.sim.counts(&env.sf_org);
    assert_eq!(rb["status"], "rolled_back", "{rb}");

    println!(
        "deploy/execute: {objects} objects x {fields} fields ({components} components), {latency} ms per Salesforce call, polls up to {interval} ms apart"
    );
    println!(
        "  deploy:   {deploy_ms} ms wall, {} Salesforce calls {}",
        end_total(&before, &after),
        delta(&before, &after)
    );
    println!(
        "  rollback: {rollback_ms} ms wall, {} Salesforce calls {}",
        end_total(&after, &end),
        delta(&after, &end)
    );
    // The existing service verifies every deployed field through Tooling (API.md §7.4 step 5):
    // the object's id, then the field's, per field, besides the deploy and its polls.
    println!(
        "  for comparison, the existing service's per-field Tooling verification alone: {} calls",
        objects * fields * 2
    );
}

fn end_total(a: &Value, b: &Value) -> u64 {
    b["total"].as_u64().unwrap_or(0) - a["total"].as_u64().unwrap_or(0)
}
