//! `push/records` against the simulator: mapped records landing, Salesforce's per-record errors
//! in the ledger, transient faults retried without duplicates, and the Bulk API 2.0 path.

mod common;

use common::{Env, contacts, env, env_with};
use serde_json::{Value, json};
use simulator::FaultRule;
use uuid::Uuid;

async fn person_mapping(env: &Env) -> Value {
    env.post(
        "/api/mappings/create",
        json!({"client_id": env.client, "canonical_object": "person", "sfdc_object": "Contact",
               "field_mappings": {"ext": "Ext__c", "email": "Email", "last": "LastName"},
               "external_id_field": "Ext__c"}),
    )
    .await
    .ok()
    .clone()
}

fn id_of(v: &Value) -> Uuid {
    v["id"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn ten_thousand_mapped_records_land_and_exactly_the_invalid_ones_fail() {
    let env = env_with(|c| c.bulk_threshold = 20_000).await;
    let mapping = person_mapping(&env).await;
    let before = env.calls();
    // Every 20th record (5%) has no last name, which Contact requires.
    let out = env
        .run(
            "/api/push/records",
            json!({"client_id": env.client, "canonical_object": "person",
                   "mapping_version": mapping["mapping_version"], "records": contacts(10_000, 20)}),
        )
        .await;
    assert_eq!(out["status"], "partial", "{out}");
    assert_eq!(out["records_total"], 10_000);
    assert_eq!(out["records_succeeded"], 9_500);
    assert_eq!(out["records_failed"], 500);
    assert_eq!(env.calls() - before, 50, "200 records a call");
    assert_eq!(env.count("SELECT COUNT() FROM Contact").await, 9_500);
    assert_eq!(
        env.count(
            "SELECT COUNT() FROM Contact WHERE Email = 'p1@example.com' AND LastName = 'Person 1'"
        )
        .await,
        1
    );
    // The ledger names exactly the invalid records, with Salesforce's error.
    let ledger = env.ledger(id_of(&out)).await;
    assert_eq!(ledger.len(), 500);
    for (n, (index, ext, code)) in ledger.iter().enumerate() {
        assert_eq!(*index, Some(n as i32 * 20));
        assert_eq!(ext.as_deref(), Some(format!("c-{:06}", n * 20).as_str()));
        assert_eq!(code, "REQUIRED_FIELD_MISSING");
    }
    let status = env
        .post("/api/push/status", json!({"id": out["id"]}))
        .await
        .ok()
        .clone();
    assert_eq!(status["status"], "partial");
    assert_eq!(status["object_type"], "Contact");
    assert_eq!(status["client_id"], env.client.to_string());
    assert_eq!(
        status["result"]["results"].as_array().unwrap().len(),
        10_000
    );
    let errors = status["result"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 500);
    assert_eq!(
        errors[0]["errors"][0],
        json!({"statusCode": "REQUIRED_FIELD_MISSING",
               "message": "Required fields are missing: [LastName]", "fields": ["LastName"]})
    );
    // The log keeps the request as it came (canonical keys).
    let payload: Value = env
        .app
        .owner
        .query_one(
            "SELECT payload FROM crm_push_logs WHERE id = $1",
            &[&id_of(&out)],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(payload["object_type"], "Contact");
    assert_eq!(payload["records"][1]["last"], "Person 1");
}

#[tokio::test]
async fn injected_transient_503s_lose_no_record_and_duplicate_none() {
    let env = env_with(|c| c.bulk_threshold = 20_000).await;
    person_mapping(&env).await;
    let rule: FaultRule = serde_json::from_value(json!({
        "path_prefix": "/services/data/v60.0/composite/sobjects", "rate": 0.1, "seed": 7,
        "status": 503}))
    .unwrap();
    env.sim.add_fault(rule);
    let before = env.calls();
    let out = env
        .run(
            "/api/push/records",
            json!({"client_id": env.client, "canonical_object": "person",
                   "records": contacts(10_000, 20)}),
        )
        .await;
    // Exactly the invalid records fail, with Salesforce's error, not a 503's.
    assert_eq!(out["status"], "partial", "{out}");
    assert_eq!(out["records_succeeded"], 9_500);
    assert_eq!(out["records_failed"], 500);
    let sent = env.calls() - before;
    assert!(sent > 50, "some batches were sent again ({sent} calls)");
    let ledger = env.ledger(id_of(&out)).await;
    assert_eq!(ledger.len(), 500);
    assert!(
        ledger
            .iter()
            .enumerate()
            .all(|(n, (i, _, code))| *i == Some(n as i32 * 20) && code == "REQUIRED_FIELD_MISSING")
    );
    // Every valid record once: 9,500 contacts, one per external id.
    assert_eq!(env.count("SELECT COUNT() FROM Contact").await, 9_500);
    assert_eq!(
        env.count("SELECT COUNT() FROM Contact WHERE Ext__c = 'c-004241'")
            .await,
        1
    );
    // Sent again after the faults are gone: updates, still 9,500.
    env.sim.clear_faults();
    let again = env
        .run(
            "/api/push/records",
            json!({"client_id": env.client, "canonical_object": "person",
                   "records": contacts(10_000, 20)}),
        )
        .await;
    assert_eq!(again["records_succeeded"], 9_500);
    assert_eq!(env.count("SELECT COUNT() FROM Contact").await, 9_500);
}

#[tokio::test]
async fn bulk_calls_that_fail_transiently_are_retried() {
    let env = env_with(|c| c.bulk_threshold = 10).await;
    person_mapping(&env).await;
    let rule: FaultRule = serde_json::from_value(json!({
        "path_prefix": "/services/data/v60.0/jobs/ingest", "next": 3, "status": 503}))
    .unwrap();
    env.sim.add_fault(rule);
    let out = env
        .run(
            "/api/push/records",
            json!({"client_id": env.client, "canonical_object": "person",
                   "records": contacts(500, 10)}),
        )
        .await;
    assert_eq!(out["records_succeeded"], 450, "{out}");
    assert_eq!(out["records_failed"], 50);
    assert_eq!(env.count("SELECT COUNT() FROM Contact").await, 450);
}

#[tokio::test]
async fn above_the_threshold_records_go_through_bulk_with_the_same_accounting() {
    let env = env_with(|c| c.bulk_threshold = 100).await;
    person_mapping(&env).await;
    let before = env.calls();
    let out = env
        .run(
            "/api/push/records",
            json!({"client_id": env.client, "canonical_object": "person",
                   "records": contacts(3_000, 20)}),
        )
        .await;
    assert_eq!(out["status"], "partial", "{out}");
    assert_eq!(out["records_succeeded"], 2_850);
    assert_eq!(out["records_failed"], 150);
    let calls = env.calls() - before;
    assert!(calls <= 10, "the bulk path cost {calls} calls");
    assert_eq!(env.count("SELECT COUNT() FROM Contact").await, 2_850);
    let mut failed: Vec<String> = env
        .ledger(id_of(&out))
        .await
        .into_iter()
        .map(|(_, ext, code)| {
            assert_eq!(code, "REQUIRED_FIELD_MISSING");
            ext.unwrap()
        })
        .collect();
    failed.sort();
    let expected: Vec<String> = (0..3_000)
        .step_by(20)
        .map(|i| format!("c-{i:06}"))
        .collect();
    assert_eq!(failed, expected);
    let status = env
        .post("/api/push/status", json!({"id": out["id"]}))
        .await
        .ok()
        .clone();
    assert_eq!(status["result"]["errors_total"], 150);
    assert_eq!(status["result"]["bulk_jobs"].as_array().unwrap().len(), 1);

    // Pushing the same records again updates them: still 2,850.
    let again = env
        .run(
            "/api/push/records",
            json!({"client_id": env.client, "canonical_object": "person",
                   "records": contacts(3_000, 20)}),
        )
        .await;
    assert_eq!(again["records_succeeded"], 2_850);
    assert_eq!(env.count("SELECT COUNT() FROM Contact").await, 2_850);
}

#[tokio::test]
async fn raw_records_push_without_a_mapping_and_history_lists_them() {
    let env = env().await;
    let out = env
        .run(
            "/api/push/records",
            json!({"client_id": env.client, "object_type": "Account", "external_id_field": "Ext__c",
                   "records": [{"Ext__c": "a-1", "Name": "One"}, {"Ext__c": "a-2", "Name": "Two"}]}),
        )
        .await;
    assert_eq!(out["status"], "succeeded");
    assert_eq!(out["records_succeeded"], 2);
    assert!(out["completed_at"].is_string());
    assert_eq!(env.count("SELECT COUNT() FROM Account").await, 2);
    let history = env
        .post("/api/push/history", json!({"client_id": env.client}))
        .await
        .ok()
        .clone();
    let rows = history["data"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], out["id"]);
    assert_eq!(rows[0]["object_type"], "Account");
    assert!(rows[0].get("result").is_none() && rows[0].get("payload").is_none());
    env.post("/api/push/status", json!({"id": Uuid::new_v4()}))
        .await
        .assert_error(404, "Push log not found");
}

#[tokio::test]
async fn bad_push_requests_answer_the_contract() {
    let env = env().await;
    person_mapping(&env).await;
    let c = env.client;
    env.post(
        "/api/push/records",
        json!({"client_id": c, "canonical_object": "person", "mapping_version": 7,
               "records": [{"ext": "x"}]}),
    )
    .await
    .assert_error(
        409,
        "Mapping version mismatch \u{2014} expected 7, current is 1. Re-fetch mapping before pushing.",
    );
    env.post(
        "/api/push/records",
        json!({"client_id": c, "canonical_object": "nobody", "mapping_version": 1,
               "records": [{"ext": "x"}]}),
    )
    .await
    .assert_error(409, "Mapping not found for version check");
    env.post(
        "/api/push/records",
        json!({"client_id": c, "external_id_field": "Ext__c", "records": [{"ext": "x"}]}),
    )
    .await
    .assert_error(400, "object_type is required");
    env.post(
        "/api/push/records",
        json!({"client_id": c, "object_type": "Contact", "records": [{"ext": "x"}]}),
    )
    .await
    .assert_error(400, "external_id_field is required");
    let r = env
        .post(
            "/api/push/records",
            json!({"client_id": c, "object_type": "Contact", "external_id_field": "Ext__c",
                   "records": []}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = env
        .post(
            "/api/push/records",
            json!({"client_id": c, "object_type": "Contact", "external_id_field": "Ext__c",
                   "records": [1]}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.json["detail"][0]["loc"], json!(["body", "records", 0]));
    env.app
        .owner
        .execute("UPDATE crm_connections SET status = 'expired'", &[])
        .await
        .unwrap();
    env.post(
        "/api/push/records",
        json!({"client_id": c, "object_type": "Contact", "external_id_field": "Ext__c",
               "records": [{"Ext__c": "x"}]}),
    )
    .await
    .assert_error(400, "No connected Salesforce connection found");
}

#[tokio::test]
async fn a_batch_salesforce_rejects_fails_its_records_and_a_dead_bulk_job_fails_the_push() {
    // Collections: the batch answer is a 400, so every record fails with its code (no 502).
    let env = env().await;
    let out = env
        .run(
            "/api/push/records",
            json!({"client_id": env.client, "object_type": "Nope__c", "external_id_field": "Ext__c",
                   "records": [{"Ext__c": "1"}, {"Ext__c": "2"}]}),
        )
        .await;
    assert_eq!(out["status"], "failed", "{out}");
    assert_eq!(out["records_failed"], 2);
    let ledger = env.ledger(id_of(&out)).await;
    assert_eq!(ledger.len(), 2);
    assert_eq!(ledger[0].2, "INVALID_TYPE");

    // Bulk: Salesforce refuses the job itself; the push is recorded as failed and the caller
    // gets Salesforce's answer as a 502.
    let env = env_with(|c| c.bulk_threshold = 1).await;
    let r = env
        .post(
            "/api/push/records",
            json!({"client_id": env.client, "object_type": "Nope__c", "external_id_field": "Ext__c",
                   "records": [{"Ext__c": "1"}, {"Ext__c": "2"}]}),
        )
        .await;
    assert_eq!(r.status, 502, "{}", r.text);
    assert_eq!(r.json["detail"]["code"], "INVALIDJOB");
    let row = env
        .app
        .owner
        .query_one(
            "SELECT status::text, records_failed, error_message FROM crm_push_logs",
            &[],
        )
        .await
        .unwrap();
    let (status, failed, message): (String, i32, String) = (row.get(0), row.get(1), row.get(2));
    assert_eq!((status.as_str(), failed), ("failed", 2));
    assert!(message.starts_with("INVALIDJOB: "), "{message}");
}
