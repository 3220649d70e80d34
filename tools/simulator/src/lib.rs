//! A stateful Salesforce org (or many) and a Nango, speaking the real wire formats of
//! SALESFORCE.md: REST (describe, composite, collections, query), Tooling, SOAP Metadata deploys
//! that really change the schema, Bulk API 2.0, `/limits`, and Nango connections, connect
//! sessions and signed webhooks. Latency and faults are settings under `/_sim`.
//!
//! One server, one port: Salesforce at the root (`/services/...`), Nango under `/nango`, control
//! under `/_sim`. Every org's `instance_url` is the base URL; requests find their org by bearer
//! token. Tests, benchmarks and newcomers use it; production never links it.

pub mod bulk;
pub mod control;
pub mod dml;
pub mod faults;
mod gateway;
pub mod http;
pub mod ids;
pub mod json;
pub mod metadata;
pub mod nango;
pub mod rest;
pub mod rng;
pub mod schema;
pub mod seed;
pub mod soql;
pub mod state;
pub mod store;
pub mod tooling;
pub mod values;

use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Map, Value, json};

pub use faults::{DeployBehaviour, FaultRule, LatencyRule};
pub use state::{OrgInfo, OrgSpec};
pub use store::LoggedRequest;

use state::State;

/// Simulator settings.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// `v60.0` by default; REST paths use it, the SOAP path is `/services/Soap/m/60.0`.
    pub api_version: String,
    /// The bearer Nango requires on `/nango/*` calls.
    pub nango_secret_key: String,
    /// HMAC key for `X-Nango-Hmac-Sha256`.
    pub nango_webhook_secret: String,
    /// Where Nango auth webhooks are POSTed (settable later through the control API).
    pub webhook_url: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            api_version: "v60.0".to_string(),
            nango_secret_key: "sim-nango-secret".to_string(),
            nango_webhook_secret: "sim-nango-webhook-secret".to_string(),
            webhook_url: None,
        }
    }
}

/// A webhook delivery attempt, kept for inspection.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WebhookDelivery {
    pub url: String,
    pub status: Option<u16>,
    pub body: String,
    pub signature: String,
}

pub(crate) struct Shared {
    pub(crate) state: Mutex<State>,
    pub(crate) config: SimConfig,
    pub(crate) http: reqwest::Client,
    pub(crate) deliveries: Mutex<Vec<WebhookDelivery>>,
}

/// A cheap-to-clone handle on one simulator.
#[derive(Clone)]
pub struct Simulator {
    pub(crate) shared: Arc<Shared>,
}

impl Simulator {
    /// A simulator with no orgs.
    pub fn new(config: SimConfig) -> Self {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Simulator {
            shared: Arc::new(Shared {
                state: Mutex::new(State::new(&config)),
                config,
                http,
                deliveries: Mutex::new(Vec::new()),
            }),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Everything (Salesforce, Nango, control), mountable in another server.
    pub fn router(&self) -> axum::Router {
        axum::Router::new()
            .fallback(gateway::handle)
            .with_state(self.clone())
    }

    /// Starts a simulator on `127.0.0.1:0`; returns it and its base URL.
    pub async fn spawn(config: SimConfig) -> std::io::Result<(Simulator, String)> {
        Self::spawn_on(config, "127.0.0.1:0").await
    }

    /// Starts a simulator on `addr` (e.g. `127.0.0.1:4010`); returns it and its base URL.
    pub async fn spawn_on(config: SimConfig, addr: &str) -> std::io::Result<(Simulator, String)> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let base = format!("http://{local}");
        let sim = Simulator::new(config);
        sim.set_base_url(&base);
        let router = sim.router();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok((sim, base))
    }

    /// The base URL orgs report as their `instance_url`.
    pub fn base_url(&self) -> String {
        self.lock().base_url.clone()
    }

    /// Sets the base URL (when the router is mounted by someone else).
    pub fn set_base_url(&self, url: &str) {
        self.lock().base_url = url.trim_end_matches('/').to_string();
    }

    /// Creates and seeds an org.
    pub fn create_org(&self, spec: OrgSpec) -> OrgInfo {
        self.lock().create_org(&spec)
    }

    /// Creates a Nango connection bound to `org_id` (or to a new org) and returns that org.
    pub fn create_connection(
        &self,
        connection_id: &str,
        provider_config_key: &str,
        tags: Map<String, Value>,
        org_id: Option<&str>,
    ) -> OrgInfo {
        let mut st = self.lock();
        let org = match org_id.filter(|id| st.orgs.contains_key(*id)) {
            Some(id) => OrgInfo {
                org_id: id.to_string(),
                instance_url: st.base_url.clone(),
            },
            None => st.create_org(&OrgSpec::default()),
        };
        nango::create_connection(
            &mut st,
            connection_id,
            provider_config_key,
            tags,
            &org.org_id,
            None,
        );
        org
    }

    /// API calls per org: `total`, one key per kind, and `api_usage` (what `/limits` counts).
    pub fn counts(&self, org_id: &str) -> Value {
        control::counts(&self.lock(), org_id)
    }

    /// The org's request log, oldest first.
    pub fn request_log(&self, org_id: &str) -> Vec<LoggedRequest> {
        self.lock()
            .orgs
            .get(org_id)
            .map(|o| o.log.clone())
            .unwrap_or_default()
    }

    /// Inserts records straight into an org (no API call counted); returns their ids.
    pub fn insert_records(
        &self,
        org_id: &str,
        object: &str,
        records: &[Map<String, Value>],
    ) -> Result<Vec<String>, String> {
        seed::insert_records(&mut self.lock(), org_id, object, records)
    }

    /// Forgets every org, token, connection, session, setting and job.
    pub fn reset(&self) {
        let mut st = self.lock();
        let base = st.base_url.clone();
        *st = State::new(&self.shared.config);
        st.base_url = base;
        self.shared
            .deliveries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// Revokes every live access token of `org_id` (Nango keeps returning the dead one until a
    /// `force_refresh`). Returns how many were revoked.
    pub fn expire_token(&self, org_id: &str) -> usize {
        control::expire_tokens(&mut self.lock(), org_id)
    }

    /// Makes a connection's refresh fail (Nango GETs answer 424) and sends the refresh webhook.
    pub fn fail_refresh(&self, connection_id: &str) -> bool {
        let afters = nango::fail_refresh(&mut self.lock(), connection_id);
        let found = afters.is_some();
        gateway::run_afters(self, afters.unwrap_or_default());
        found
    }

    /// Completes a connect session like a user finishing OAuth: creates the connection with
    /// the session's tags bound to a fresh org and sends the `creation` webhook.
    pub fn complete_session(
        &self,
        session_token: &str,
        connection_id: Option<&str>,
    ) -> Option<Value> {
        let body = json!({"session_token": session_token, "connection_id": connection_id});
        let (resp, afters) = control::complete_session(&mut self.lock(), &body);
        gateway::run_afters(self, afters);
        (resp.status == 200).then(|| serde_json::from_slice(&resp.body).unwrap_or_default())
    }

    /// Adds a fault rule; returns its id.
    pub fn add_fault(&self, rule: FaultRule) -> u64 {
        self.lock().control.add_fault(rule)
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.lock().control.faults.clear();
    }

    /// Adds a latency rule.
    pub fn set_latency(&self, rule: LatencyRule) {
        self.lock().control.latency.push(rule);
    }

    /// Sets how deploys progress.
    pub fn set_deploy_behaviour(&self, b: DeployBehaviour) {
        self.lock().control.deploy = b;
    }

    /// Sets (or clears) the Nango webhook URL.
    pub fn set_webhook_url(&self, url: Option<&str>) {
        self.lock().webhook_url = url.map(str::to_string);
    }

    /// Webhook deliveries so far.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.shared
            .deliveries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// A JSON dump of orgs, objects and record counts.
    pub fn dump(&self) -> Value {
        control::dump(&self.lock())
    }

    /// The current live access token Nango holds for a connection.
    pub fn connection_token(&self, connection_id: &str) -> Option<String> {
        self.lock()
            .nango
            .connections
            .get(connection_id)
            .map(|c| c.token.clone())
    }
}
