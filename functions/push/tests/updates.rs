//! `push/status-update` and `push/link` against the simulator (never an insert), `push/validate`
//! against the latest topology snapshot, and the payload purge.

mod common;

use common::{Env, env};
use serde_json::{Value, json};
use uuid::Uuid;

async fn seed(env: &Env) {
    let accounts = env
        .run(
            "/api/push/records",
            json!({"client_id": env.client, "object_type": "Account", "external_id_field": "Ext__c",
                   "records": [{"Ext__c": "a-1", "Name": "One"}, {"Ext__c": "a-2", "Name": "Two"}]}),
        )
        .await;
    assert_eq!(accounts["records_succeeded"], 2);
    let contacts = env
        .run(
            "/api/push/records",
            json!({"client_id": env.client, "object_type": "Contact", "external_id_field": "Ext__c",
                   "records": [{"Ext__c": "c-1", "LastName": "One"}, {"Ext__c": "c-2", "LastName": "Two"},
                               {"Ext__c": "c-3", "LastName": "Three"}]}),
        )
        .await;
    assert_eq!(contacts["records_succeeded"], 3);
}

fn id_of(v: &Value) -> Uuid {
    v["id"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn status_updates_change_existing_records_and_never_insert() {
    let env = env().await;
    seed(&env).await;
    let c3: String = env
        .salesforce()
        .query("SELECT Id FROM Contact WHERE Ext__c = 'c-3'")
        .await
        .unwrap()
        .records[0]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = env
        .run(
            "/api/push/status-update",
            json!({"client_id": env.client, "object_type": "Contact", "external_id_field": "Ext__c",
            "updates": [
                {"external_id": "c-1", "fields": {"Title": "Customer"}},
                {"external_id": "C-2", "fields": {"Title": "Lead"}},
                {"external_id": "c-404", "fields": {"Title": "Ghost", "LastName": "Ghost"}},
                {"id": c3, "fields": {"Title": "By id"}},
                {"external_id": "c-1", "fields": {"LastName": ""}}
            ]}),
        )
        .await;
    assert_eq!(out["status"], "partial", "{out}");
    assert_eq!(out["records_total"], 5);
    assert_eq!(out["records_succeeded"], 3);
    assert_eq!(out["records_failed"], 2);
    assert_eq!(
        env.count("SELECT COUNT() FROM Contact").await,
        3,
        "no insert"
    );
    assert_eq!(
        env.count("SELECT COUNT() FROM Contact WHERE LastName = 'Ghost'")
            .await,
        0
    );
    for (ext, title) in [("c-1", "Customer"), ("c-2", "Lead"), ("c-3", "By id")] {
        let soql =
            format!("SELECT COUNT() FROM Contact WHERE Ext__c = '{ext}' AND Title = '{title}'");
        assert_eq!(env.count(&soql).await, 1, "{ext}");
    }
    let ledger = env.ledger(id_of(&out)).await;
    assert_eq!(
        ledger,
        [
            (Some(2), Some("c-404".to_string()), "NOT_FOUND".to_string()),
            (
                Some(4),
                Some("c-1".to_string()),
                "REQUIRED_FIELD_MISSING".to_string()
            ),
        ]
    );
    env.post(
        "/api/push/status-update",
        json!({"client_id": env.client, "object_type": "Contact",
               "updates": [{"external_id": "c-1", "fields": {}}]}),
    )
    .await
    .assert_error(400, "external_id_field is required");
    env.post(
        "/api/push/status-update",
        json!({"client_id": env.client, "object_type": "Contact; DELETE", "updates": [{"id": c3, "fields": {}}]}),
    )
    .await
    .assert_error(400, "Invalid name: Contact; DELETE");
    let r = env
        .post(
            "/api/push/status-update",
            json!({"client_id": env.client, "object_type": "Contact", "updates": [{"fields": {}}]}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
}

#[tokio::test]
async fn links_set_lookups_by_external_id() {
    let env = env().await;
    seed(&env).await;
    let link = |contact: &str, account: &str| {
        json!({"object_type": "Contact", "external_id_field": "Ext__c", "external_id": contact,
               "relationship_field": "AccountId", "target_object": "Account",
               "target_external_id_field": "Ext__c", "target_external_id": account})
    };
    let out = env
        .run(
            "/api/push/link",
            json!({"client_id": env.client, "links": [
                link("c-1", "a-1"), link("c-2", "a-2"), link("c-3", "a-404"), link("c-404", "a-1")
            ]}),
        )
        .await;
    assert_eq!(out["status"], "partial", "{out}");
    assert_eq!(out["records_succeeded"], 2);
    assert_eq!(out["records_failed"], 2);
    let rows = env
        .salesforce()
        .query("SELECT Ext__c, Account.Ext__c FROM Contact ORDER BY Ext__c")
        .await
        .unwrap()
        .records;
    let linked: Vec<(String, Value)> = rows
        .iter()
        .map(|r| {
            (
                r["Ext__c"].as_str().unwrap().to_string(),
                r["Account"]["Ext__c"].clone(),
            )
        })
        .collect();
    assert_eq!(
        linked,
        [
            ("c-1".to_string(), json!("a-1")),
            ("c-2".to_string(), json!("a-2")),
            ("c-3".to_string(), Value::Null),
        ]
    );
    assert_eq!(
        env.count("SELECT COUNT() FROM Contact").await,
        3,
        "no insert"
    );
    let ledger = env.ledger(id_of(&out)).await;
    assert_eq!(ledger.len(), 2);
    assert_eq!(ledger[0].0, Some(2));
    assert_ne!(
        ledger[0].2, "NOT_FOUND",
        "Salesforce's own error for a missing target"
    );
    assert_eq!(
        ledger[1],
        (Some(3), Some("c-404".to_string()), "NOT_FOUND".to_string())
    );
    let status = env
        .post("/api/push/status", json!({"id": out["id"]}))
        .await
        .ok()
        .clone();
    assert_eq!(status["object_type"], "Contact");
}

#[tokio::test]
async fn validate_checks_the_mapping_against_the_latest_snapshot() {
    let env = env().await;
    let c = env.client;
    let body = json!({"client_id": c, "canonical_object": "person",
                      "field_names": ["email", "phone", "nope"]});
    let none = env
        .post("/api/push/validate", body.clone())
        .await
        .ok()
        .clone();
    assert_eq!(
        none,
        json!({"valid": false, "mapping_version": null, "sfdc_object": null,
               "error": "No active mapping found for this canonical object", "fields": {}})
    );
    env.post(
        "/api/mappings/create",
        json!({"client_id": c, "canonical_object": "person", "sfdc_object": "Contact",
               "field_mappings": {"email": "Email", "phone": "Phone", "nope": ""}}),
    )
    .await
    .ok();
    let unverified = env
        .post("/api/push/validate", body.clone())
        .await
        .ok()
        .clone();
    assert_eq!(unverified["valid"], false);
    assert_eq!(unverified["mapping_version"], 1);
    assert_eq!(
        unverified["fields"],
        json!({"email": "mapped_unverified", "phone": "mapped_unverified", "nope": "unmapped"})
    );
    // A snapshot where Contact has Email but not Phone.
    let (org, conn): (Uuid, Uuid) = {
        let r = env
            .app
            .owner
            .query_one(
                "SELECT org_id, id FROM crm_connections WHERE client_id = $1",
                &[&c],
            )
            .await
            .unwrap();
        (r.get(0), r.get(1))
    };
    let snapshot: Uuid = env
        .app
        .owner
        .query_one(
            "INSERT INTO crm_topology_snapshots (org_id, client_id, connection_id, snapshot) \
             VALUES ($1, $2, $3, '{}') RETURNING id",
            &[&org, &c, &conn],
        )
        .await
        .unwrap()
        .get(0);
    let describe = json!({"name": "Contact", "fields": [{"name": "Email"}, {"name": "LastName"}]});
    env.app
        .owner
        .execute(
            "INSERT INTO crm_topology_objects (snapshot_id, object_name, org_id, describe, described_at) \
             VALUES ($1, 'Contact', $2, $3, now())",
            &[&snapshot, &org, &describe],
        )
        .await
        .unwrap();
    let checked = env.post("/api/push/validate", body).await.ok().clone();
    assert_eq!(
        checked["fields"],
        json!({"email": "mapped", "phone": "mapped_unverified", "nope": "unmapped"})
    );
    let ok = env
        .post(
            "/api/push/validate",
            json!({"client_id": c, "canonical_object": "person", "field_names": ["email"]}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(ok["valid"], true);
    assert_eq!(ok["error"], Value::Null);
    assert_eq!(ok["sfdc_object"], "Contact");
}

#[tokio::test]
async fn the_purge_drops_old_payloads_but_keeps_counts_and_failures() {
    let env = env().await;
    let push = |ext: &str| {
        json!({"client_id": env.client, "object_type": "Contact", "external_id_field": "Ext__c",
               "records": [{"Ext__c": ext, "LastName": "Kept"}, {"Ext__c": format!("{ext}-bad")}]})
    };
    let old = env.run("/api/push/records", push("old")).await;
    let new = env.run("/api/push/records", push("new")).await;
    env.app
        .owner
        .execute(
            "UPDATE crm_push_logs SET created_at = now() - interval '31 days' WHERE id = $1",
            &[&id_of(&old)],
        )
        .await
        .unwrap();
    env.app
        .owner
        .execute(
            "UPDATE jobs SET created_at = now() - interval '31 days' WHERE id = $1",
            &[&id_of(&old)],
        )
        .await
        .unwrap();
    // What the nightly `push_purge` schedule runs.
    let conn = shared::db::conn(env.app.state.db()).await.unwrap();
    let purged = shared::db::jobs::purge_push_payloads(&conn, 30)
        .await
        .unwrap();
    assert_eq!(purged, 1);
    let env = &env;
    let row = |id: Uuid| async move {
        let r = env
            .app
            .owner
            .query_one(
                "SELECT l.payload, l.payload_purged_at IS NOT NULL, l.records_succeeded, \
                 l.records_failed, l.result, j.payload FROM crm_push_logs l JOIN jobs j ON j.id = l.id \
                 WHERE l.id = $1",
                &[&id],
            )
            .await
            .unwrap();
        let (payload, purged, ok, failed, result, job): (
            Option<Value>,
            bool,
            i32,
            i32,
            Option<Value>,
            Value,
        ) = (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5));
        (payload, purged, ok, failed, result, job)
    };
    let (payload, purged, ok, failed, result, job) = row(id_of(&old)).await;
    assert!(payload.is_none() && purged);
    assert_eq!((ok, failed), (1, 1));
    assert_eq!(result.unwrap()["errors"].as_array().unwrap().len(), 1);
    assert!(
        job.get("records").is_none(),
        "the job's copy is purged too: {job}"
    );
    assert_eq!(job["object_type"], "Contact");
    assert_eq!(env.ledger(id_of(&old)).await.len(), 1, "failures stay");
    let (payload, purged, _, _, _, job) = row(id_of(&new)).await;
    assert!(payload.is_some() && !purged);
    assert!(job.get("records").is_some());
}
