//! Shared fixtures: the topology router against the simulator (see `testkit::sim`), a connected
//! connection, a local worker running `topology.pull`.

#![allow(dead_code)]

use chrono::Utc;
use serde_json::{Value, json};
use shared::AppState;
use shared::jobs::Registry;
use simulator::OrgSpec;
use testkit::eventually;
use testkit::sim::SimEnv;

testkit::sim_env!(pub struct Env);

/// The topology router, an org with a client whose connection reaches a simulated org of
/// `extra_objects` generated objects.
pub async fn env_with(router: fn(AppState) -> axum::Router, extra_objects: usize) -> Env {
    let env = SimEnv::builder(router)
        .worker(Registry::builtin().add(topology::KIND, topology::pull::run))
        .org(OrgSpec {
            extra_objects,
            seed_records: false,
            ..OrgSpec::default()
        })
        .start()
        .await;
    Env(env)
}

impl Env {
    /// Pulls and returns the job's result (waiting on the job if it answered 202).
    pub async fn pull(&self) -> Value {
        self.run("/api/topology/pull", json!({"client_id": self.client}))
            .await
    }

    /// Waits until the clock is in a later second than `t` (HTTP dates have whole seconds).
    pub async fn next_second(t: chrono::DateTime<Utc>) {
        eventually("the next second", || async {
            (Utc::now().timestamp() > t.timestamp()).then_some(())
        })
        .await
    }
}
