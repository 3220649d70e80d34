//! Benchmark of CRM reads against the simulator with `BENCH_RECORDS` Accounts (default
//! 100,000) and `BENCH_LATENCY_MS` per Salesforce call (default 50), on the database named by
//! `TEST_DATABASE_URL` (a fresh database per run). Prints rows per second for:
//!
//! 1. the Salesforce client alone: `query` then `query_more` until `done` (2,000-row pages);
//! 2. the HTTP endpoints: `POST /api/query/soql` then `POST /api/query/more` until
//!    `next_records_path` is null (auth, client check and connection look-up on every page);
//! 3. `POST /api/crm/contact-roles` for 5,000 opportunities with 7 roles each (17 chunks of 300
//!    ids, 4 read at once, each to its last page).
//!
//! `cargo bench -p crm --bench crm`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use simulator::LatencyRule;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn line(what: &str, rows: usize, calls: u64, t: Duration) {
    println!(
        "  {what:<44} {rows:>7} rows  {calls:>4} calls  {:>7.2} s  {:>9.0} rows/s",
        t.as_secs_f64(),
        rows as f64 / t.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        eprintln!("bench-crm: set TEST_DATABASE_URL to a superuser URL of a disposable cluster");
        std::process::exit(2);
    }
    let records = env_or("BENCH_RECORDS", 100_000) as usize;
    let latency = env_or("BENCH_LATENCY_MS", 50);
    let e = common::env(false).await;
    for start in (0..records).step_by(10_000) {
        let rows: Vec<Value> = (start..(start + 10_000).min(records))
            .map(|i| {
                json!({"Name": format!("Account {i:06}"), "NumberOfEmployees": i % 5000,
                       "Industry": "Technology", "BillingCity": "London"})
            })
            .collect();
        e.insert("Account", rows);
    }
    e.sim.set_latency(LatencyRule {
        ms: latency,
        path_prefix: None,
    });
    let soql = "SELECT Id, Name, NumberOfEmployees, Industry, BillingCity FROM Account";
    let calls = || e.sim.counts(&e.sf_org)["total"].as_u64().unwrap_or(0);
    println!("CRM reads, {records} Accounts, {latency} ms per Salesforce call");

    // 1. The client alone.
    let sf = e.app.state.salesforce(&e.nango_id, Some("salesforce"));
    let before = calls();
    let t = Instant::now();
    let mut page = sf.query(soql).await.expect("query");
    let mut rows = page.records.len();
    while let (false, Some(next)) = (page.done, page.next_records_url.clone()) {
        page = sf.query_more(&next).await.expect("query more");
        rows += page.records.len();
    }
    assert_eq!(rows, records);
    line(
        "client: query + query_more",
        rows,
        calls() - before,
        t.elapsed(),
    );

    // 2. The HTTP endpoints.
    let before = calls();
    let t = Instant::now();
    let r = e.post("/api/query/soql", json!({"soql": soql})).await;
    let mut body = r.ok().clone();
    let mut rows = body["records"].as_array().map_or(0, Vec::len);
    while let Some(next) = body["next_records_path"].as_str().map(str::to_string) {
        let r = e
            .post("/api/query/more", json!({"next_records_path": next}))
            .await;
        body = r.ok().clone();
        rows += body["records"].as_array().map_or(0, Vec::len);
    }
    assert_eq!(rows, records);
    line(
        "endpoints: /api/query/soql + /api/query/more",
        rows,
        calls() - before,
        t.elapsed(),
    );

    // 3. Chunked ID lists.
    // Direct inserts: no Salesforce call, no latency.
    let contact = e.insert("Contact", vec![json!({"LastName": "Buyer"})])[0].clone();
    let opps: Vec<Value> = (0..5000)
        .map(|i| json!({"Name": format!("Deal {i}"), "StageName": "Prospecting", "CloseDate": "2026-06-30"}))
        .collect();
    let opp_ids = e.insert("Opportunity", opps);
    let roles: Vec<Value> = opp_ids
        .iter()
        .flat_map(|id| {
            let contact = contact.clone();
            (0..7).map(move |k| json!({"OpportunityId": id, "ContactId": contact, "Role": format!("Role {k}")}))
        })
        .collect();
    e.insert("OpportunityContactRole", roles);
    let before = calls();
    let t = Instant::now();
    let r = e
        .post(
            "/api/crm/contact-roles",
            json!({"opportunity_ids": opp_ids}),
        )
        .await;
    let rows = r.ok()["records"].as_array().map_or(0, Vec::len);
    assert_eq!(rows, 35_000);
    line(
        "endpoint: /api/crm/contact-roles, 5,000 ids",
        rows,
        calls() - before,
        t.elapsed(),
    );
}
