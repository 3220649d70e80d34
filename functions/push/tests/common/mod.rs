//! Shared fixtures: the push and mappings routes against the simulator (see `testkit::sim`), a
//! connected client whose org has `Ext__c` external ids on Account and Contact, and a local
//! worker running push jobs.

#![allow(dead_code)]

use serde_json::{Value, json};
use shared::AppState;
use shared::config::Config;
use shared::jobs::Registry;
use testkit::sim::SimEnv;
use uuid::Uuid;

testkit::sim_env!(pub struct Env);

/// The push and mappings routes in one router.
pub fn router(state: AppState) -> axum::Router {
    shared::http::openapi::into_router(push::api().merge(mappings::api()), state)
}

pub async fn env() -> Env {
    env_with(|_| {}).await
}

pub async fn env_with(configure: impl FnOnce(&mut Config)) -> Env {
    let env = SimEnv::builder(router)
        .worker(push::registry(Registry::builtin()))
        .config(|c| c.sync_wait_seconds = 120)
        .config(configure)
        .start()
        .await;
    for object in ["Account", "Contact"] {
        env.tooling_create(
            "CustomField",
            json!({"FullName": format!("{object}.Ext__c"), "Metadata": {
                "type": "Text", "length": 64, "label": "Ext", "externalId": true, "unique": true}}),
        )
        .await;
    }
    Env(env)
}

impl Env {
    /// `SELECT COUNT() ...` in the simulated org.
    pub async fn count(&self, soql: &str) -> u64 {
        self.salesforce().query(soql).await.unwrap().total_size
    }

    /// The ledger of a push: `(record_index, external_id, status_code)`, in order.
    pub async fn ledger(&self, push_id: Uuid) -> Vec<(Option<i32>, Option<String>, String)> {
        self.app
            .owner
            .query(
                "SELECT record_index, external_id, status_code FROM crm_push_failures \
                 WHERE push_log_id = $1 ORDER BY seq",
                &[&push_id],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect()
    }
}

/// `n` canonical contacts `{email, last, ext}`; every `invalid_every`-th has no last name.
pub fn contacts(n: usize, invalid_every: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let mut r = json!({"ext": format!("c-{i:06}"), "email": format!("p{i}@example.com")});
            if invalid_every == 0 || i % invalid_every != 0 {
                r["last"] = json!(format!("Person {i}"));
            }
            r
        })
        .collect()
}
