//! The `simulator` binary: one demo org with a Nango connection `demo`, served on
//! `SIM_HOST:SIM_PORT` (default 127.0.0.1:4010).

use serde_json::{Map, Value, json};
use simulator::{SimConfig, Simulator};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::io::Result<()> {
    let mut cfg = SimConfig::default();
    if let Some(v) = env("SFDC_API_VERSION") {
        cfg.api_version = if v.starts_with('v') {
            v
        } else {
            format!("v{v}")
        };
    }
    if let Some(v) = env("SIM_NANGO_SECRET_KEY") {
        cfg.nango_secret_key = v;
    }
    if let Some(v) = env("SIM_NANGO_WEBHOOK_SECRET") {
        cfg.nango_webhook_secret = v;
    }
    cfg.webhook_url = env("SIM_WEBHOOK_URL");
    let host = env("SIM_HOST").unwrap_or_else(|| "127.0.0.1".into());
    let port = env("SIM_PORT").unwrap_or_else(|| "4010".into());
    let secret = cfg.nango_secret_key.clone();
    let webhook_secret = cfg.nango_webhook_secret.clone();
    let version = cfg.api_version.clone();
    let (sim, base) = Simulator::spawn_on(cfg, &format!("{host}:{port}")).await?;
    let mut tags = Map::new();
    tags.insert("org_id".into(), json!("demo"));
    tags.insert("client_id".into(), json!("demo"));
    let org = sim.create_connection("demo", "salesforce", tags, None);
    let _: Value = sim.counts(&org.org_id);
    println!("Salesforce/Nango simulator listening on {base}");
    println!(
        "demo org {} (instance_url {}), Nango connection `demo`",
        org.org_id, org.instance_url
    );
    println!();
    println!("Point the service at it:");
    println!("  NANGO_BASE_URL={base}/nango");
    println!("  NANGO_SECRET_KEY={secret}");
    println!("  NANGO_WEBHOOK_SECRET={webhook_secret}");
    println!("  NANGO_PROVIDER_CONFIG_KEY=salesforce");
    println!("  SFDC_API_VERSION={version}");
    println!();
    println!("Control API: {base}/_sim/state, {base}/_sim/faults, {base}/_sim/orgs ...");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
