//! Topology against the simulator: a 1,300-object org pulled in few calls, a second pull reusing
//! describes through 304s, the snapshot equal to the org, reads by object, picklists, history,
//! diffs, and the error answers.

mod common;

use std::collections::BTreeMap;

use chrono::Utc;
use common::Env;
use serde_json::{Value, json};
use shared::auth::Role;
use shared::salesforce::Described;
use simulator::LatencyRule;

/// Stored describes (without the recorded rules) and rules, by object.
fn split(objects: &Value) -> (BTreeMap<String, Value>, BTreeMap<String, Value>) {
    let mut describes = BTreeMap::new();
    let mut rules = BTreeMap::new();
    for (name, o) in objects.as_object().unwrap() {
        let mut o = o.clone();
        let r = o
            .as_object_mut()
            .unwrap()
            .remove("validationRules")
            .unwrap();
        describes.insert(name.clone(), o);
        rules.insert(name.clone(), r);
    }
    (describes, rules)
}

#[tokio::test]
async fn a_1300_object_org_pulls_in_few_calls_and_reuses_unchanged_describes() {
    let env = common::env_with(topology::router, 1300).await;
    let created = Utc::now();
    env.tooling_create(
        "ValidationRule",
        json!({"FullName": "Account.Needs_Phone", "Metadata": {"active": true,
               "errorConditionFormula": "ISBLANK(Phone)", "errorMessage": "Phone please"}}),
    )
    .await;
    env.sim.set_latency(LatencyRule {
        ms: 5,
        path_prefix: None,
    });
    Env::next_second(created).await;

    let before = env.calls();
    let v1 = env.pull().await;
    let first = env.calls() - before;
    assert!(first <= 60, "the first pull cost {first} calls");
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["client_id"], env.client.to_string());

    // The snapshot equals the org: every object, described exactly as Salesforce describes it.
    env.sim.set_latency(LatencyRule {
        ms: 0,
        path_prefix: None,
    });
    let sf = env.salesforce();
    let Described::Modified { value: global, .. } = sf.describe_global(None).await.unwrap() else {
        panic!("describeGlobal answered 304")
    };
    let names = global.names();
    assert!(names.len() > 1300);
    assert_eq!(v1["objects_count"], names.len());
    let got = env
        .post("/api/topology/get", json!({"client_id": env.client}))
        .await;
    let snapshot = &got.ok()["snapshot"];
    assert_eq!(snapshot["object_names"], json!(names));
    assert_eq!(snapshot["describe_errors"], json!({}));
    let (stored, rules) = split(&snapshot["objects"]);
    assert_eq!(stored.len(), names.len());
    for (name, live) in sf.describe_many(&names).await.unwrap() {
        assert_eq!(Some(&live.unwrap()), stored.get(&name), "{name} differs");
    }
    assert_eq!(rules["Account"][0]["name"], "Needs_Phone");
    assert_eq!(rules["Account"][0]["error_message"], "Phone please");
    assert_eq!(rules["Contact"], json!([]));

    // Nothing changed: the second pull costs as few calls and copies the describes.
    env.sim.set_latency(LatencyRule {
        ms: 5,
        path_prefix: None,
    });
    let before = env.calls();
    let log_before = env.sim.request_log(&env.sf_org).len();
    let v2 = env.pull().await;
    let second = env.calls() - before;
    assert!(second <= 60, "the second pull cost {second} calls");
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["objects_count"], v1["objects_count"]);
    let log = env.sim.request_log(&env.sf_org);
    let describes = log[log_before..]
        .iter()
        .filter(|r| r.path.contains("/describe"))
        .count();
    assert_eq!(describes, 0, "no single describes");
    let reused: i64 = env
        .app
        .owner
        .query_one(
            "SELECT count(*) FROM crm_topology_objects b JOIN crm_topology_objects a \
             ON a.object_name = b.object_name AND a.described_at = b.described_at \
             WHERE a.snapshot_id = $1 AND b.snapshot_id = $2",
            &[
                &v1["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap(),
                &v2["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap(),
            ],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(reused as usize, names.len(), "every describe came back 304");

    // A new field: the third pull fetches that object again and the diff shows it.
    env.tooling_create(
        "CustomField",
        json!({"FullName": "Gen_0001__c.Extra__c",
               "Metadata": {"label": "Extra", "type": "Text", "length": 40}}),
    )
    .await;
    let v3 = env.pull().await;
    assert_eq!(v3["version"], 3);
    let diff = env
        .post(
            "/api/topology/diff",
            json!({"client_id": env.client, "version_a": 2, "version_b": 3}),
        )
        .await;
    assert_eq!(
        diff.ok(),
        &json!({"added_objects": [], "removed_objects": [], "changed_objects": [
            {"name": "Gen_0001__c", "added_fields": ["Extra__c"], "removed_fields": [],
             "changed_fields": []}]})
    );
    let back = env
        .post(
            "/api/topology/diff",
            json!({"client_id": env.client, "version_a": 3, "version_b": 1,
                   "object_names": ["Gen_0001__c"]}),
        )
        .await;
    assert_eq!(
        back.ok()["changed_objects"][0]["removed_fields"],
        json!(["Extra__c"])
    );

    let history = env
        .post("/api/topology/history", json!({"client_id": env.client}))
        .await;
    let versions: Vec<i64> = history.ok()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [3, 2, 1]);
    let used: Option<chrono::DateTime<Utc>> = env
        .app
        .owner
        .query_one(
            "SELECT last_used_at FROM crm_connections WHERE client_id = $1",
            &[&env.client],
        )
        .await
        .unwrap()
        .get(0);
    assert!(used.is_some());
}

#[tokio::test]
async fn get_reads_only_the_named_objects_and_picklists_come_from_the_snapshot() {
    let env = common::env_with(topology::router, 3).await;
    // Two pulls at once get versions 1 and 2 (allocated under a per-client lock).
    let (a, b) = tokio::join!(env.pull(), env.pull());
    let mut versions = [a["version"].as_i64(), b["version"].as_i64()];
    versions.sort();
    assert_eq!(versions, [Some(1), Some(2)]);
    let mut keys: Vec<&String> = a.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "client_id",
            "custom_objects_count",
            "id",
            "objects_count",
            "pulled_at",
            "version"
        ]
    );
    assert_eq!(a["custom_objects_count"], 3);
    let r = env
        .post(
            "/api/topology/get",
            json!({"client_id": env.client, "object_names": ["Account", "Gen_0002__c"]}),
        )
        .await;
    let objects = r.ok()["snapshot"]["objects"].as_object().unwrap();
    let keys: Vec<&String> = objects.keys().collect();
    assert_eq!(keys, ["Account", "Gen_0002__c"]);
    assert!(objects["Account"]["fields"].is_array());
    let slim = env
        .post(
            "/api/topology/get",
            json!({"client_id": env.client, "version": 1, "object_names": ["Account"],
                   "include_fields": false}),
        )
        .await;
    let account = &slim.ok()["snapshot"]["objects"]["Account"];
    assert!(account.get("fields").is_none() && account["name"] == "Account");

    let picklist = objects["Account"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["type"] == "picklist")
        .unwrap();
    let p = env
        .post(
            "/api/topology/picklist",
            json!({"client_id": env.client, "object_name": "Account",
                   "field_name": picklist["name"]}),
        )
        .await;
    assert_eq!(p.ok()["values"], picklist["picklistValues"]);
    let none = env
        .post(
            "/api/topology/picklist",
            json!({"client_id": env.client, "object_name": "Account", "field_name": "Name"}),
        )
        .await;
    assert_eq!(none.ok()["values"], json!([]));
    env.post(
        "/api/topology/picklist",
        json!({"client_id": env.client, "object_name": "Nope", "field_name": "X"}),
    )
    .await
    .assert_error(404, "Object Nope not found in topology snapshot");
    env.post(
        "/api/topology/picklist",
        json!({"client_id": env.client, "object_name": "Account", "field_name": "X"}),
    )
    .await
    .assert_error(404, "Field X not found on Account");
}

#[tokio::test]
async fn errors_follow_the_contract() {
    let env = common::env_with(topology::router, 0).await;
    let c = json!({"client_id": env.client});
    let anon = env
        .app
        .call(
            http::Method::POST,
            "/api/topology/get",
            None,
            Some(c.clone()),
        )
        .await;
    assert_eq!(anon.status, 401);
    let bad = env
        .post("/api/topology/get", json!({"client_id": "nope"}))
        .await;
    assert_eq!(bad.status, 422);
    let member = env
        .app
        .principal(env.org.id, Role::CompanyMember, Some(env.client))
        .await;
    let r = env
        .app
        .post("/api/topology/pull", &member.token, c.clone())
        .await;
    assert_eq!(r.status, 403);
    env.post("/api/topology/get", c.clone())
        .await
        .assert_error(404, "Topology snapshot not found");
    env.post(
        "/api/topology/picklist",
        json!({"client_id": env.client, "object_name": "A", "field_name": "B"}),
    )
    .await
    .assert_error(404, "Topology snapshot not found");
    env.post(
        "/api/topology/diff",
        json!({"client_id": env.client, "version_a": 4, "version_b": 5}),
    )
    .await
    .assert_error(404, "Topology snapshot version 4 not found");
    let history = env.post("/api/topology/history", c.clone()).await;
    assert_eq!(history.ok(), &json!({"data": []}));

    // Another org's client is not found, whatever the endpoint.
    let other = env.app.org("other").await;
    let theirs = json!({"client_id": env.client});
    for path in [
        "/api/topology/get",
        "/api/topology/history",
        "/api/topology/pull",
    ] {
        env.app
            .post(path, &other.admin.token, theirs.clone())
            .await
            .assert_error(404, "Client not found");
    }

    // No connected connection: the 400 of the prerequisite.
    env.app
        .owner
        .execute(
            "UPDATE crm_connections SET status = 'expired' WHERE client_id = $1",
            &[&env.client],
        )
        .await
        .unwrap();
    env.post("/api/topology/pull", c)
        .await
        .assert_error(400, "No connected Salesforce connection found");
}
