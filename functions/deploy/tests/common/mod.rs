//! Shared fixtures: the deploy, conflicts and topology routes against the simulator, a connected
//! connection, a local worker running every kind they need.

#![allow(dead_code)]

use serde_json::{Map, Value, json};
use shared::jobs::{Queue, Registry, Worker};
use shared::salesforce::{Described, SalesforceError};
use shared::{AppState, Config};
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

pub fn router(state: AppState) -> axum::Router {
    let api = deploy::api().merge(conflicts::api()).merge(topology::api());
    shared::http::openapi::into_router(api, state)
}

/// A local worker fed by the state's queue, running these routes' kinds and `extra`'s.
pub fn spawn_worker(state: &AppState, extra: fn(Registry) -> Registry) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    state.jobs().set_queue(Queue::Local(tx));
    let registry = extra(deploy::registry(
        Registry::builtin().add(topology::KIND, topology::pull::run),
    ));
    let worker = Worker::new(state.clone(), registry);
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

/// The routes over an org with a client whose connection reaches a fresh simulated org; deploys
/// are polled every 20 ms at most.
pub async fn env_with(tweak: impl FnOnce(&mut Config)) -> Env {
    env_for(router, |r| r, tweak).await
}

/// The same with other routes and more job kinds.
pub async fn env_for(
    router: fn(AppState) -> axum::Router,
    extra: fn(Registry) -> Registry,
    tweak: impl FnOnce(&mut Config),
) -> Env {
    let (sim, sim_url) = Simulator::spawn(SimConfig::default()).await.unwrap();
    let base = sim_url.clone();
    let app = TestApp::with_config(router, move |c| {
        c.nango_base_url = format!("{base}/nango");
        c.nango_secret_key = "sim-nango-secret".to_string().into();
        c.deploy_poll_interval_ms = 20;
        tweak(c);
    })
    .await;
    spawn_worker(&app.state, extra);
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

    /// Posts a job-creating call and returns its 200 body, waiting on the job after a 202.
    pub async fn run(&self, path: &str, body: Value) -> Value {
        let r = self.post(path, body).await;
        match r.status.as_u16() {
            200 => r.json,
            202 => {
                self.job_result(r.json["job_id"].as_str().unwrap().parse().unwrap())
                    .await
            }
            s => panic!("{path} answered {s}: {}", r.text),
        }
    }

    /// A job's result once it succeeded.
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

    /// A deployment row's status, result and Salesforce deploy id.
    pub async fn deployment(&self, id: &str) -> (String, Option<Value>, Option<String>) {
        let id: Uuid = id.parse().unwrap();
        let row = self
            .app
            .owner
            .query_one(
                "SELECT status::text, result, sfdc_deploy_id FROM crm_deployments WHERE id = $1",
                &[&id],
            )
            .await
            .unwrap();
        (row.get(0), row.get(1), row.get(2))
    }

    /// Salesforce calls made so far in the simulated org.
    pub fn calls(&self) -> u64 {
        self.sim.counts(&self.sf_org)["total"].as_u64().unwrap()
    }

    pub fn salesforce(&self) -> shared::salesforce::SalesforceClient {
        self.app
            .state
            .salesforce(&self.nango_id, Some("salesforce"))
    }

    /// The live describe of an object, `None` when Salesforce does not know it.
    pub async fn describe(&self, object: &str) -> Option<Value> {
        match self.salesforce().describe(object, None).await {
            Ok(Described::Modified { value, .. }) => Some(value),
            Ok(Described::NotModified) => panic!("describe answered 304"),
            Err(SalesforceError::Api { status: 404, .. }) => None,
            Err(e) => panic!("describe {object}: {e}"),
        }
    }

    /// A field of a live describe.
    pub async fn field(&self, object: &str, field: &str) -> Option<Value> {
        let d = self.describe(object).await?;
        d["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == field)
            .cloned()
    }
}

/// Two custom objects, the second a detail of the first, with a field of every supported type.
pub fn two_objects_plan() -> Value {
    json!({"custom_objects": [
        {"api_name": "Project__c", "label": "Project", "fields": [
            {"api_name": "Code__c", "label": "Code", "type": "Text", "length": 80},
            {"api_name": "Notes__c", "label": "Notes", "type": "TextArea"},
            {"api_name": "Story__c", "label": "Story", "type": "LongTextArea", "length": 5000, "visible_lines": 5},
            {"api_name": "Budget__c", "label": "Budget", "type": "Currency", "precision": 16, "scale": 2},
            {"api_name": "Score__c", "label": "Score", "type": "Number", "precision": 5, "scale": 0},
            {"api_name": "Done__c", "label": "Done", "type": "Percent"},
            {"api_name": "Active__c", "label": "Active", "type": "Checkbox", "default": true},
            {"api_name": "Starts__c", "label": "Starts", "type": "Date"},
            {"api_name": "Kickoff__c", "label": "Kickoff", "type": "DateTime"},
            {"api_name": "Owner_Email__c", "label": "Owner Email", "type": "Email"},
            {"api_name": "Hotline__c", "label": "Hotline", "type": "Phone"},
            {"api_name": "Site__c", "label": "Site", "type": "Url"},
            {"api_name": "Stage__c", "label": "Stage", "type": "Picklist", "values": ["Plan", "Build", "Ship"]},
            {"api_name": "Tags__c", "label": "Tags", "type": "MultiselectPicklist", "values": ["A", "B"]}
        ], "relationships": [
            {"api_name": "Account__c", "label": "Account", "type": "Lookup", "related_to": "Account"}
        ]},
        {"api_name": "Task_Item__c", "label": "Task Item", "fields": [
            {"api_name": "Hours__c", "label": "Hours", "type": "Number"}
        ], "relationships": [
            {"api_name": "Project__c", "label": "Project", "type": "MasterDetail", "related_to": "Project__c"}
        ]}
    ]})
}
