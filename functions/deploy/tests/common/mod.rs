//! Shared fixtures: the deploy, conflicts and topology routes against the simulator (see
//! `testkit::sim`), a connected connection, a local worker running every kind they need.

#![allow(dead_code)]

use serde_json::{Value, json};
use shared::jobs::Registry;
use shared::salesforce::{Described, SalesforceError};
use shared::{AppState, Config};
use testkit::sim::SimEnv;
use uuid::Uuid;

testkit::sim_env!(pub struct Env);

pub fn router(state: AppState) -> axum::Router {
    let api = deploy::api().merge(conflicts::api()).merge(topology::api());
    shared::http::openapi::into_router(api, state)
}

pub async fn env() -> Env {
    env_with(|_| {}).await
}

/// The routes over an org with a client whose connection reaches a fresh simulated org; deploys
/// are polled every 20 ms at most.
pub async fn env_with(tweak: impl FnOnce(&mut Config)) -> Env {
    env_for(router, |r| r, tweak).await
}

/// The same with other routes and more job kinds (added to these routes' kinds).
pub async fn env_for(
    router: fn(AppState) -> axum::Router,
    extra: fn(Registry) -> Registry,
    tweak: impl FnOnce(&mut Config),
) -> Env {
    let registry = extra(deploy::registry(
        Registry::builtin().add(topology::KIND, topology::pull::run),
    ));
    let env = SimEnv::builder(router)
        .worker(registry)
        .config(|c| c.deploy_poll_interval_ms = 20)
        .config(tweak)
        .start()
        .await;
    Env(env)
}

impl Env {
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
