//! Shared fixtures: the topology router against the simulator, a connected connection, a local
//! worker running `topology.pull`.

#![allow(dead_code)]

use chrono::Utc;
use serde_json::{Map, Value, json};
use shared::AppState;
use shared::jobs::{Queue, Registry, Worker};
use simulator::{OrgSpec, SimConfig, Simulator};
use testkit::{Org, Reply, TestApp, eventually};
use tokio::sync::mpsc;
use uuid::Uuid;

pub struct Env {
    pub app: TestApp,
    pub sim: Simulator,
    pub sim_url: String,
    pub org: Org,
    pub client: Uuid,
    pub sf_org: String,
    pub nango_id: String,
}

/// A local worker for `topology.pull`, fed by the state's queue.
pub fn spawn_worker(state: &AppState) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    state.jobs().set_queue(Queue::Local(tx));
    let worker = Worker::new(
        state.clone(),
        Registry::builtin().add(topology::KIND, topology::pull::run),
    );
    tokio::spawn(async move {
        while let Some(id) = rx.recv().await {
            let worker = worker.clone();
            tokio::spawn(async move { worker.run(id).await });
        }
    });
}

/// The topology router, an org with a client whose connection reaches a simulated org of
/// `extra_objects` generated objects.
pub async fn env_with(router: fn(AppState) -> axum::Router, extra_objects: usize) -> Env {
    let (sim, sim_url) = Simulator::spawn(SimConfig::default()).await.unwrap();
    let base = sim_url.clone();
    let app = TestApp::with_config(router, move |c| {
        c.nango_base_url = format!("{base}/nango");
        c.nango_secret_key = "sim-nango-secret".to_string().into();
    })
    .await;
    spawn_worker(&app.state);
    let org = app.org("acme").await;
    let client = app.insert_client(org.id, "Globex").await;
    let info = sim.create_org(OrgSpec {
        extra_objects,
        seed_records: false,
        ..OrgSpec::default()
    });
    let nango_id = format!("conn-{client}");
    sim.create_connection(&nango_id, "salesforce", Map::new(), Some(&info.org_id));
    app.owner
        .execute(
            "INSERT INTO crm_connections (org_id, client_id, status, nango_connection_id, \
             nango_provider_config_key, instance_url) VALUES ($1, $2, 'connected', $3, 'salesforce', $4)",
            &[&org.id, &client, &nango_id, &info.instance_url],
        )
        .await
        .unwrap();
    Env {
        app,
        sim,
        sim_url,
        org,
        client,
        sf_org: info.org_id,
        nango_id,
    }
}

impl Env {
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.app.post(path, &self.org.admin.token, body).await
    }

    /// Salesforce calls made so far in the simulated org.
    pub fn calls(&self) -> u64 {
        self.sim.counts(&self.sf_org)["total"].as_u64().unwrap()
    }

    /// Pulls and returns the job's result (waiting on the job if it answered 202).
    pub async fn pull(&self) -> Value {
        let r = self
            .post("/api/topology/pull", json!({"client_id": self.client}))
            .await;
        match r.status.as_u16() {
            200 => r.json,
            202 => {
                let id: Uuid = r.json["job_id"].as_str().unwrap().parse().unwrap();
                eventually("the pull job to succeed", || async {
                    let row = self
                        .app
                        .owner
                        .query_one(
                            "SELECT status::text, result, error FROM jobs WHERE id = $1",
                            &[&id],
                        )
                        .await
                        .unwrap();
                    let status: String = row.get(0);
                    let error: Option<Value> = row.get(2);
                    assert!(error.is_none(), "the pull failed: {error:?}");
                    (status == "succeeded").then(|| row.get::<_, Value>(1))
                })
                .await
            }
            s => panic!("pull answered {s}: {}", r.text),
        }
    }

    /// A Salesforce client on the connection, for reading the simulated org directly.
    pub fn salesforce(&self) -> shared::salesforce::SalesforceClient {
        self.app
            .state
            .salesforce(&self.nango_id, Some("salesforce"))
    }

    /// Waits until the clock is in a later second than `t` (HTTP dates have whole seconds).
    pub async fn next_second(t: chrono::DateTime<Utc>) {
        eventually("the next second", || async {
            (Utc::now().timestamp() > t.timestamp()).then_some(())
        })
        .await
    }

    /// A Tooling create in the simulated org (`ValidationRule`, `CustomField`).
    pub async fn tooling_create(&self, kind: &str, body: Value) {
        let token = self.sim.connection_token(&self.nango_id).unwrap();
        let r = reqwest::Client::new()
            .post(format!(
                "{}/services/data/v60.0/tooling/sobjects/{kind}",
                self.sim_url
            ))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{kind} create: {}", r.status());
    }
}
