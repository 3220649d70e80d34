//! Shared helpers: a spawned simulator, an org with a Nango connection, and a bearer client.

#![allow(dead_code)]

use reqwest::{Client, Method, RequestBuilder};
use serde_json::{Map, Value, json};
use simulator::{OrgSpec, SimConfig, Simulator};

pub struct Env {
    pub sim: Simulator,
    pub base: String,
    pub org_id: String,
    pub token: String,
    pub http: Client,
}

impl Env {
    pub fn v(&self) -> String {
        format!("{}/services/data/v60.0", self.base)
    }

    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        let url = if path.starts_with("http") {
            path.to_string()
        } else if path.starts_with("/services") {
            format!("{}{path}", self.base)
        } else {
            format!("{}{path}", self.v())
        };
        self.http.request(method, url).bearer_auth(&self.token)
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self.req(Method::GET, path).send().await.expect("send");
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn send_json(&self, method: Method, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .req(method, path)
            .json(&body)
            .send()
            .await
            .expect("send");
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn query(&self, soql: &str) -> (u16, Value) {
        let r = self
            .req(Method::GET, &format!("/query?q={}", enc(soql)))
            .send()
            .await
            .expect("send");
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn nango_token(&self, conn: &str, force: bool) -> (u16, Value) {
        let force = if force { "&force_refresh=true" } else { "" };
        let r = self
            .http
            .get(format!(
                "{}/nango/connections/{conn}?provider_config_key=salesforce{force}",
                self.base
            ))
            .bearer_auth("sim-nango-secret")
            .send()
            .await
            .expect("send");
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }
}

/// Percent-encodes a query-string value.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn tags(org: &str, client: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("org_id".into(), json!(org));
    m.insert("client_id".into(), json!(client));
    m
}

pub async fn env_with(spec: OrgSpec) -> Env {
    let (sim, base) = Simulator::spawn(SimConfig::default()).await.expect("spawn");
    let org = sim.create_org(spec);
    sim.create_connection("conn-1", "salesforce", tags("o1", "c1"), Some(&org.org_id));
    let token = sim.connection_token("conn-1").expect("token");
    Env {
        sim,
        base,
        org_id: org.org_id,
        token,
        http: Client::new(),
    }
}

pub async fn env() -> Env {
    env_with(OrgSpec::default()).await
}
