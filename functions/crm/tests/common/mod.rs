//! Shared fixtures: the CRM router against the simulator (see `testkit::sim`), a client with an
//! active connection to a simulated org, and helpers to fill that org with many records.

#![allow(dead_code)]

use serde_json::{Map, Value, json};
use simulator::OrgSpec;
use testkit::Reply;
use testkit::sim::SimEnv;
use uuid::Uuid;

testkit::sim_env!(pub struct Env);

/// A CRM app and a client connected to a simulated org (seeded with sample records or not).
pub async fn env(seed_records: bool) -> Env {
    let env = SimEnv::builder(crm::router)
        .org(OrgSpec {
            seed_records,
            ..OrgSpec::default()
        })
        .start()
        .await;
    Env(env)
}

impl Env {
    /// POSTs as the org admin, with `client_id` added to the body.
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        let mut body = body;
        body.as_object_mut()
            .unwrap()
            .entry("client_id")
            .or_insert(json!(self.client));
        self.0.post(path, body).await
    }

    /// Inserts records straight into the simulated org; returns their ids.
    pub fn insert(&self, object: &str, records: Vec<Value>) -> Vec<String> {
        let maps: Vec<Map<String, Value>> = records
            .into_iter()
            .map(|r| r.as_object().cloned().unwrap())
            .collect();
        self.sim
            .insert_records(&self.sf_org, object, &maps)
            .unwrap()
    }

    /// The simulated org's query requests so far (first pages and query-more).
    pub fn query_requests(&self) -> Vec<simulator::LoggedRequest> {
        self.sim
            .request_log(&self.sf_org)
            .into_iter()
            .filter(|r| r.kind == "query")
            .collect()
    }

    /// Stores a topology snapshot naming `objects` as the client's latest.
    pub async fn snapshot(&self, objects: &[&str]) {
        let connection: Uuid = self
            .app
            .owner
            .query_one(
                "SELECT id FROM crm_connections WHERE client_id = $1",
                &[&self.client],
            )
            .await
            .unwrap()
            .get(0);
        self.app
            .owner
            .execute(
                "INSERT INTO crm_topology_snapshots (org_id, client_id, connection_id, version, snapshot) \
                 VALUES ($1, $2, $3, 1, $4)",
                &[&self.org.id, &self.client, &connection, &json!({"object_names": objects})],
            )
            .await
            .unwrap();
    }
}

/// The `Id`s of a response's records.
pub fn ids(body: &Value) -> Vec<String> {
    body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Id"].as_str().unwrap().to_string())
        .collect()
}
