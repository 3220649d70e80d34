//! Push benchmark against the simulator, which runs in a child process (it stands in for
//! Salesforce, a remote system), so the peak RSS reported is this process's alone:
//!
//! 1. `BENCH_RECORDS` (default 50,000) contacts upserted through sObject Collections at
//!    `BENCH_LATENCY_MS` (default 100) per Salesforce call, with `BENCH_CONCURRENCY` (default 4)
//!    batches in flight, then one batch at a time in the same run: records per second, the
//!    ratio, and Salesforce calls per 1,000 records (the floor is 5: 200 records a call).
//! 2. `BENCH_BULK_RECORDS` (default 1,000,000) contacts, 5% invalid, upserted through Bulk API
//!    2.0 from a generated source (CSV written straight into the upload buffer): Salesforce
//!    calls for the data path, the accounting, and peak RSS (`VmHWM`). `BENCH_BULK_RECORDS=0`
//!    skips it.
//!
//! `cargo bench -p push --bench push`

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::Instant;
use testkit::bench::{env_or, peak_rss_mb};

use push::engine::collections::{self, Op};
use push::engine::{Source, bulk};
use serde_json::{Map, Value, json};
use shared::salesforce::{AccessToken, SalesforceClient, TokenSource};
use simulator::{OrgSpec, SimConfig, Simulator};

/// Contacts generated on demand: `prefix-N`, every `invalid_every`-th without a last name.
struct Contacts {
    prefix: &'static str,
    n: usize,
    invalid_every: usize,
}

impl Source for Contacts {
    fn len(&self) -> usize {
        self.n
    }
    fn slice(&self, start: usize, end: usize) -> Vec<Map<String, Value>> {
        (start..end)
            .map(|i| {
                let mut m = Map::new();
                m.insert("Ext__c".into(), json!(format!("{}-{i:07}", self.prefix)));
                m.insert("Email".into(), json!(format!("p{i}@example.com")));
                if self.invalid_every == 0 || i % self.invalid_every != 0 {
                    m.insert("LastName".into(), json!(format!("Person {i}")));
                }
                m
            })
            .collect()
    }
}

/// The child: a simulator with one org (`Contact.Ext__c` an external id), its address on the
/// first stdout line; it serves until stdin closes, then prints its own peak RSS.
async fn child() {
    let (sim, base) = Simulator::spawn(SimConfig::default()).await.unwrap();
    let info = sim.create_org(OrgSpec {
        seed_records: false,
        ..OrgSpec::default()
    });
    sim.create_connection("bench", "salesforce", Map::new(), Some(&info.org_id));
    let token = sim.connection_token("bench").unwrap();
    let r = reqwest::Client::new()
        .post(format!(
            "{base}/services/data/v60.0/tooling/sobjects/CustomField"
        ))
        .bearer_auth(&token)
        .json(&json!({"FullName": "Contact.Ext__c", "Metadata": {
            "type": "Text", "length": 64, "label": "Ext", "externalId": true, "unique": true}}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    println!("{base} {} {token}", info.org_id);
    std::io::stdout().flush().unwrap();
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
    })
    .await
    .unwrap();
    println!("simulator peak RSS {:.1} MB", peak_rss_mb());
}

struct Sim {
    base: String,
    org: String,
    http: reqwest::Client,
}

impl Sim {
    async fn calls(&self) -> u64 {
        let v: Value = self
            .http
            .get(format!("{}/_sim/orgs/{}/counts", self.base, self.org))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["total"].as_u64().unwrap()
    }

    async fn latency(&self, ms: u64) {
        self.http
            .delete(format!("{}/_sim/latency", self.base))
            .send()
            .await
            .unwrap();
        self.http
            .post(format!("{}/_sim/latency", self.base))
            .json(&json!({"ms": ms}))
            .send()
            .await
            .unwrap();
    }

    async fn count(&self, sf: &SalesforceClient, soql: &str) -> u64 {
        let _ = self;
        sf.query(soql).await.unwrap().total_size
    }
}

async fn collections_run(
    sim: &Sim,
    sf: &SalesforceClient,
    prefix: &'static str,
    n: usize,
    concurrency: usize,
) -> (f64, u64) {
    let records: Vec<Value> = Contacts {
        prefix,
        n,
        invalid_every: 0,
    }
    .slice(0, n)
    .into_iter()
    .map(Value::Object)
    .collect();
    let op = Op::Upsert {
        object: "Contact".into(),
        external_id_field: "Ext__c".into(),
    };
    let before = sim.calls().await;
    let t = Instant::now();
    let results = collections::send_all(sf, &op, records, concurrency, |_, _| {})
        .await
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    let calls = sim.calls().await - before;
    assert!(results.iter().all(|r| r.success), "every record lands");
    (secs, calls)
}

async fn parent() {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("PUSH_BENCH_CHILD", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let parts: Vec<&str> = line.split_whitespace().collect();
    let (base, org, token) = (parts[0].to_string(), parts[1].to_string(), parts[2]);
    let sim = Sim {
        base: base.clone(),
        org,
        http: reqwest::Client::new(),
    };
    let sf = SalesforceClient::new(
        reqwest::Client::new(),
        "v60.0",
        TokenSource::fixed("bench", AccessToken::new(token.to_string().into(), &base)),
    );

    let n = env_or("BENCH_RECORDS", 50_000) as usize;
    let latency = env_or("BENCH_LATENCY_MS", 100);
    let concurrency = env_or("BENCH_CONCURRENCY", 4) as usize;
    sim.latency(latency).await;
    let (fast, fast_calls) = collections_run(&sim, &sf, "conc", n, concurrency).await;
    let (slow, slow_calls) = collections_run(&sim, &sf, "seq", n, 1).await;
    sim.latency(0).await;
    println!("push through sObject Collections, {n} records, {latency} ms per Salesforce call");
    println!(
        "  concurrency {concurrency}: {:>8.2} s  {:>9.0} records/s  {fast_calls} calls ({:.1} per 1,000 records)",
        fast,
        n as f64 / fast,
        fast_calls as f64 * 1000.0 / n as f64
    );
    println!(
        "  one at a time: {:>8.2} s  {:>9.0} records/s  {slow_calls} calls ({:.1} per 1,000 records)",
        slow,
        n as f64 / slow,
        slow_calls as f64 * 1000.0 / n as f64
    );
    println!(
        "  speed-up concurrency {concurrency} / one at a time: {:.2}x",
        slow / fast
    );
    println!("  peak RSS so far: {:.1} MB", peak_rss_mb());

    let bulk_n = env_or("BENCH_BULK_RECORDS", 1_000_000) as usize;
    if bulk_n > 0 {
        let source = Contacts {
            prefix: "bulk",
            n: bulk_n,
            invalid_every: 20,
        };
        let before = sim.calls().await;
        let t = Instant::now();
        let tally = bulk::upsert(
            &sf,
            "Contact",
            "Ext__c",
            &source,
            bulk::MAX_UPLOAD_BYTES,
            |_, _| {},
        )
        .await
        .unwrap();
        let secs = t.elapsed().as_secs_f64();
        let calls = sim.calls().await - before;
        let landed = sim
            .count(
                &sf,
                "SELECT COUNT() FROM Contact WHERE Ext__c LIKE 'bulk-%'",
            )
            .await;
        let invalid = bulk_n.div_ceil(20);
        println!("push through Bulk API 2.0, {bulk_n} records ({invalid} invalid)");
        println!(
            "  {:>8.2} s  {:>9.0} records/s  {calls} Salesforce calls for the data path  jobs {:?}",
            secs,
            bulk_n as f64 / secs,
            tally.bulk_jobs
        );
        println!(
            "  succeeded {}  failed {}  (accounted {} of {bulk_n}; {landed} in the org)",
            tally.succeeded,
            tally.failed(),
            tally.succeeded + tally.failed()
        );
        assert_eq!(tally.succeeded + tally.failed(), bulk_n);
        assert!(calls <= 10, "the data path cost {calls} calls");
        assert_eq!(tally.failed(), invalid);
        assert_eq!(landed as usize, bulk_n - invalid);
    }
    println!(
        "  peak RSS of this process (VmHWM, the simulator runs in a child): {:.1} MB",
        peak_rss_mb()
    );
    drop(child.stdin.take());
    let mut rest = String::new();
    let _ = out.read_to_string(&mut rest);
    print!("  {rest}");
    let _ = child.wait();
}

#[tokio::main]
async fn main() {
    if std::env::var("PUSH_BENCH_CHILD").is_ok() {
        child().await;
    } else {
        parent().await;
    }
}
