//! Simulator-backed test environments: a [`TestApp`] whose Nango (and so Salesforce) is an
//! in-process [`Simulator`], an org with a client whose connection is `connected` to a simulated
//! org, and a local job worker fed by the state's queue.
//!
//! ```text
//! let env = SimEnv::builder(topology::router)
//!     .worker(Registry::builtin().add(topology::KIND, topology::pull::run))
//!     .org(OrgSpec { extra_objects: 1300, seed_records: false, ..OrgSpec::default() })
//!     .config(|c| c.deploy_poll_interval_ms = 20)
//!     .start()
//!     .await;
//! let result = env.run("/api/topology/pull", json!({"client_id": env.client})).await;
//! ```

use axum::Router;
use serde_json::{Map, Value};
use shared::jobs::{Queue, Registry, Worker};
use shared::salesforce::SalesforceClient;
use shared::{AppState, Config};
use simulator::{OrgSpec, SimConfig, Simulator};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::{Org, Reply, TestApp, eventually};

/// A simulator and an app configured to use it as Nango (secret key and webhook secret).
pub async fn spawn_app(
    router: fn(AppState) -> Router,
    configure: impl FnOnce(&mut Config),
) -> (TestApp, Simulator, String) {
    let sim_config = SimConfig::default();
    let (nango_secret, webhook_secret) = (
        sim_config.nango_secret_key.clone(),
        sim_config.nango_webhook_secret.clone(),
    );
    let (sim, sim_url) = Simulator::spawn(sim_config).await.unwrap();
    let base = sim_url.clone();
    let app = TestApp::with_config(router, move |c| {
        c.nango_base_url = format!("{base}/nango");
        c.nango_secret_key = nango_secret.into();
        c.nango_webhook_secret = webhook_secret.into();
        configure(c);
    })
    .await;
    (app, sim, sim_url)
}

/// Installs a local queue on `state` and runs every job sent to it with `registry`, each in its
/// own task, until the state is dropped.
pub fn spawn_worker(state: &AppState, registry: Registry) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    state.jobs().set_queue(Queue::Local(tx));
    let worker = Worker::new(state.clone(), registry);
    tokio::spawn(async move {
        while let Some(id) = rx.recv().await {
            let worker = worker.clone();
            tokio::spawn(async move { worker.run(id).await });
        }
    });
}

/// Creates a simulated org of `spec`, a Nango connection `conn-{client}` to it and the client's
/// `connected` `crm_connections` row; returns the simulated org's id and the Nango connection id.
pub async fn connect(
    app: &TestApp,
    sim: &Simulator,
    org: Uuid,
    client: Uuid,
    spec: OrgSpec,
) -> (String, String) {
    let info = sim.create_org(spec);
    let nango_id = format!("conn-{client}");
    sim.create_connection(&nango_id, "salesforce", Map::new(), Some(&info.org_id));
    app.owner
        .execute(
            "INSERT INTO crm_connections (org_id, client_id, status, nango_connection_id, \
             nango_provider_config_key, instance_url) VALUES ($1, $2, 'connected', $3, 'salesforce', $4)",
            &[&org, &client, &nango_id, &info.instance_url],
        )
        .await
        .unwrap();
    (info.org_id, nango_id)
}

/// An app over the simulator, an org `acme` with a client `Globex` connected to a simulated org.
pub struct SimEnv {
    pub app: TestApp,
    pub sim: Simulator,
    pub sim_url: String,
    pub org: Org,
    pub client: Uuid,
    /// The simulated org's id.
    pub sf_org: String,
    /// The Nango connection id of the client's connection.
    pub nango_id: String,
}

/// How to build a [`SimEnv`]: see [`SimEnv::builder`].
pub struct SimEnvBuilder<'a> {
    router: fn(AppState) -> Router,
    registry: Option<Registry>,
    spec: OrgSpec,
    configure: Box<dyn FnOnce(&mut Config) + 'a>,
}

impl<'a> SimEnvBuilder<'a> {
    /// Runs jobs with `registry` in a local worker (none by default).
    pub fn worker(mut self, registry: Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// What the simulated org contains (by default the standard objects, no sample records).
    pub fn org(mut self, spec: OrgSpec) -> Self {
        self.spec = spec;
        self
    }

    /// Changes the configuration after the simulator's settings (may be called more than once).
    pub fn config(mut self, configure: impl FnOnce(&mut Config) + 'a) -> Self {
        let before = self.configure;
        self.configure = Box::new(move |c| {
            before(c);
            configure(c);
        });
        self
    }

    pub async fn start(self) -> SimEnv {
        let (app, sim, sim_url) = spawn_app(self.router, self.configure).await;
        if let Some(registry) = self.registry {
            spawn_worker(&app.state, registry);
        }
        let org = app.org("acme").await;
        let client = app.insert_client(org.id, "Globex").await;
        let (sf_org, nango_id) = connect(&app, &sim, org.id, client, self.spec).await;
        SimEnv {
            app,
            sim,
            sim_url,
            org,
            client,
            sf_org,
            nango_id,
        }
    }
}

impl SimEnv {
    /// A builder for `router(state)`, with no worker, an org without sample records and the
    /// configuration the simulator needs.
    pub fn builder<'a>(router: fn(AppState) -> Router) -> SimEnvBuilder<'a> {
        SimEnvBuilder {
            router,
            registry: None,
            spec: OrgSpec {
                seed_records: false,
                ..OrgSpec::default()
            },
            configure: Box::new(|_| {}),
        }
    }

    /// POSTs as the org admin.
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.app.post(path, &self.org.admin.token, body).await
    }

    /// Posts a job-creating call and returns its 200 body, waiting on the job after a 202.
    pub async fn run(&self, path: &str, body: Value) -> Value {
        let r = self.post(path, body).await;
        match r.status.as_u16() {
            200 => r.json,
            202 => {
                self.job_result(r.json["job_id"].as_str().unwrap().parse().unwrap())
                    .await
            }
            s => {
                let last_job_error: Option<Option<Value>> = self
                    .app
                    .owner
                    .query_opt(
                        "SELECT error FROM jobs ORDER BY created_at DESC LIMIT 1",
                        &[],
                    )
                    .await
                    .unwrap()
                    .map(|row| row.get(0));
                panic!(
                    "{path} answered {s}: {} (latest job error {last_job_error:?})",
                    r.text
                )
            }
        }
    }

    /// A job's result once it succeeded; fails the test when the job fails.
    pub async fn job_result(&self, id: Uuid) -> Value {
        eventually("the job to succeed", || async {
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
            assert_ne!(
                status,
                "failed",
                "the job failed: {:?}",
                row.get::<_, Option<Value>>(2)
            );
            (status == "succeeded").then(|| row.get::<_, Value>(1))
        })
        .await
    }

    /// Salesforce calls made so far in the simulated org.
    pub fn calls(&self) -> u64 {
        self.sim.counts(&self.sf_org)["total"].as_u64().unwrap()
    }

    /// A Salesforce client on the connection, for reading the simulated org directly.
    pub fn salesforce(&self) -> SalesforceClient {
        self.app
            .state
            .salesforce(&self.nango_id, Some("salesforce"))
    }

    /// A Tooling create straight in the simulated org (`CustomField`, `ValidationRule`).
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

/// Declares a test crate's own environment: a newtype over [`SimEnv`] that derefs to it, so the
/// crate's `tests/common` adds its own helpers while every field and method of [`SimEnv`] stays
/// at hand (`testkit::sim_env!(pub struct Env);`, built with `Env(SimEnv::builder(..)...)`).
#[macro_export]
macro_rules! sim_env {
    ($(#[$meta:meta])* $vis:vis struct $name:ident) => {
        $(#[$meta])*
        $vis struct $name(pub $crate::sim::SimEnv);

        impl ::std::ops::Deref for $name {
            type Target = $crate::sim::SimEnv;
            fn deref(&self) -> &$crate::sim::SimEnv {
                &self.0
            }
        }
    };
}
