//! Shared fixtures: the push and mappings routes against the simulator, a connected client whose
//! org has `Ext__c` external ids on Account and Contact, and a local worker running push jobs.

#![allow(dead_code)]

use serde_json::{Map, Value, json};
use shared::AppState;
use shared::config::Config;
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

/// The push and mappings routes in one router.
pub fn router(state: AppState) -> axum::Router {
    shared::http::openapi::into_router(push::api().merge(mappings::api()), state)
}

/// A local worker for the push kinds, fed by the state's queue.
pub fn spawn_worker(state: &AppState) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    state.jobs().set_queue(Queue::Local(tx));
    let worker = Worker::new(state.clone(), push::registry(Registry::builtin()));
    tokio::spawn(async move {
        while let Some(id) = rx.recv().await {
            let worker = worker.clone();
            tokio::spawn(async move { worker.run(id).await });
        }
    });
}

pub async fn env() -> Env {
    env_with(|_| {}).await
}

pub async fn env_with(configure: impl FnOnce(&mut Config) + Send + 'static) -> Env {
    let (sim, sim_url) = Simulator::spawn(SimConfig::default()).await.unwrap();
    let base = sim_url.clone();
    let app = TestApp::with_config(router, move |c| {
        c.nango_base_url = format!("{base}/nango");
        c.nango_secret_key = "sim-nango-secret".to_string().into();
        c.sync_wait_seconds = 120;
        configure(c);
    })
    .await;
    spawn_worker(&app.state);
    let org = app.org("acme").await;
    let client = app.insert_client(org.id, "Globex").await;
    let info = sim.create_org(OrgSpec {
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
    let env = Env {
        app,
        sim,
        sim_url,
        org,
        client,
        sf_org: info.org_id,
        nango_id,
    };
    for object in ["Account", "Contact"] {
        env.tooling_create(
            "CustomField",
            json!({"FullName": format!("{object}.Ext__c"), "Metadata": {
                "type": "Text", "length": 64, "label": "Ext", "externalId": true, "unique": true}}),
        )
        .await;
    }
    env
}

impl Env {
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.app.post(path, &self.org.admin.token, body).await
    }

    /// Salesforce calls made so far in the simulated org.
    pub fn calls(&self) -> u64 {
        self.sim.counts(&self.sf_org)["total"].as_u64().unwrap()
    }

    /// Posts a push and answers its result, following the job when it answered 202.
    pub async fn push(&self, path: &str, body: Value) -> Value {
        let r = self.post(path, body).await;
        match r.status.as_u16() {
            200 => r.json,
            202 => {
                let id: Uuid = r.json["job_id"].as_str().unwrap().parse().unwrap();
                eventually("the push job to finish", || async {
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
                    assert!(status != "failed", "the push failed: {error:?}");
                    (status == "succeeded").then(|| row.get::<_, Value>(1))
                })
                .await
            }
            s => {
                let errors: Vec<Option<Value>> = self
                    .app
                    .owner
                    .query(
                        "SELECT error FROM jobs ORDER BY created_at DESC LIMIT 1",
                        &[],
                    )
                    .await
                    .unwrap()
                    .iter()
                    .map(|row| row.get(0))
                    .collect();
                panic!("{path} answered {s}: {} (job error {errors:?})", r.text)
            }
        }
    }

    /// A Salesforce client on the connection, for reading the simulated org directly.
    pub fn salesforce(&self) -> shared::salesforce::SalesforceClient {
        self.app
            .state
            .salesforce(&self.nango_id, Some("salesforce"))
    }

    /// `SELECT COUNT() ...` in the simulated org.
    pub async fn count(&self, soql: &str) -> u64 {
        self.salesforce().query(soql).await.unwrap().total_size
    }

    /// A Tooling create in the simulated org (`CustomField`, `ValidationRule`).
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
