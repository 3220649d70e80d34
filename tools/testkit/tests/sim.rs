//! `testkit::sim`: the environment reaches the simulator through the app's own Salesforce client,
//! the client's connection is `connected`, configuration closures apply in order, the local
//! worker runs jobs, and a failed job fails the test waiting on it.

use serde_json::{Value, json};
use shared::AppState;
use shared::jobs::{self, JobError, NewJob, Registry};
use shared::salesforce::Described;
use simulator::OrgSpec;
use testkit::sim::SimEnv;
use uuid::Uuid;

const ECHO: &str = "test.echo";
const BROKEN: &str = "test.broken";

fn no_routes(state: AppState) -> axum::Router {
    axum::Router::new().with_state(state)
}

fn registry() -> Registry {
    Registry::builtin()
        .add(ECHO, |_state, job| async move {
            Ok(json!({"echo": job.payload}))
        })
        .add(BROKEN, |_state, _job| async {
            Err(JobError::permanent(400, "BROKEN", "this kind always fails"))
        })
}

async fn env() -> SimEnv {
    SimEnv::builder(no_routes)
        .worker(registry())
        .config(|c| c.sync_wait_seconds = 7)
        .config(|c| c.sync_wait_seconds += 1)
        .start()
        .await
}

async fn job(env: &SimEnv, kind: &str, payload: Value) -> Uuid {
    let new = NewJob::new(kind, Some(env.client), payload);
    jobs::create(&env.app.state, env.org.id, None, None, &new)
        .await
        .unwrap()
        .job()
        .id
}

/// Accounts in the simulated org, counted through the app's own Salesforce client.
async fn accounts(env: &SimEnv) -> u64 {
    env.salesforce()
        .query("SELECT COUNT() FROM Account")
        .await
        .unwrap()
        .total_size
}

#[tokio::test]
async fn the_client_is_connected_to_a_simulated_org_through_the_apps_nango() {
    let env = env().await;
    let config = env.app.state.config();
    assert_eq!(config.nango_base_url, format!("{}/nango", env.sim_url));
    assert_eq!(config.sync_wait_seconds, 8, "the closures apply in order");

    let row = env
        .app
        .owner
        .query_one(
            "SELECT org_id, status::text, nango_connection_id FROM crm_connections \
             WHERE client_id = $1",
            &[&env.client],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, Uuid>(0), env.org.id);
    assert_eq!(row.get::<_, String>(1), "connected");
    assert_eq!(row.get::<_, String>(2), env.nango_id);

    // The app's own client reaches the org; the default org has no sample records.
    let before = env.calls();
    assert_eq!(accounts(&env).await, 0);
    assert!(env.calls() > before);

    env.tooling_create(
        "CustomField",
        json!({"FullName": "Account.Ext__c", "Metadata": {
            "type": "Text", "length": 64, "label": "Ext", "externalId": true}}),
    )
    .await;
    let Described::Modified { value, .. } =
        env.salesforce().describe("Account", None).await.unwrap()
    else {
        panic!("describe answered 304");
    };
    let names: Vec<&str> = value["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(names.contains(&"Ext__c"), "{names:?}");
}

#[tokio::test]
async fn an_org_spec_seeds_the_simulated_org() {
    let env = SimEnv::builder(no_routes)
        .org(OrgSpec {
            seed_records: true,
            accounts: 3,
            ..OrgSpec::default()
        })
        .start()
        .await;
    assert_eq!(accounts(&env).await, 3);
}

#[tokio::test]
async fn the_local_worker_runs_jobs_and_job_result_waits_for_them() {
    let env = env().await;
    let id = job(&env, ECHO, json!({"n": 1})).await;
    assert_eq!(env.job_result(id).await, json!({"echo": {"n": 1}}));
}

#[tokio::test]
#[should_panic(expected = "the job failed")]
async fn job_result_fails_the_test_when_the_job_fails() {
    let env = env().await;
    let id = job(&env, BROKEN, json!({})).await;
    env.job_result(id).await;
}
