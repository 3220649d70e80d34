//! Deploys against the simulator: a conflict check, two objects (one a detail of the other) with
//! a field of every supported type, described as deployed, then rolled back; a partial deploy and
//! its exact rollback; a red report; a deploy outliving its poll budget.

mod common;

use std::collections::BTreeMap;

use axum::body::Body;
use http::Request;
use serde_json::{Value, json};
use simulator::DeployBehaviour;
use testkit::eventually;
use uuid::Uuid;

fn by_name(components: &Value) -> BTreeMap<String, Value> {
    components
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                format!(
                    "{}:{}",
                    c["type"].as_str().unwrap(),
                    c["api_name"].as_str().unwrap()
                ),
                c.clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn conflicts_then_two_objects_with_every_field_type_then_a_rollback() {
    let env = common::env().await;
    env.run("/api/topology/pull", json!({"client_id": env.client}))
        .await;
    let plan = common::two_objects_plan();
    let report = env
        .post(
            "/api/conflicts/check",
            json!({"client_id": env.client, "deployment_plan": plan}),
        )
        .await;
    let report = report.ok().clone();
    assert_eq!(report["overall_severity"], "green", "{report}");

    let d = env
        .run(
            "/api/deploy/execute",
            json!({"client_id": env.client, "plan": plan, "conflict_report_id": report["id"]}),
        )
        .await;
    assert_eq!(d["status"], "succeeded", "{d}");
    assert_eq!(d["deployment_type"], "custom_object");
    assert!(d["deployed_at"].is_string());
    let result = &d["result"];
    assert_eq!(result["status"], "succeeded");
    assert_eq!(result["objects_created"], 2);
    assert_eq!(result["fields_created"], 15);
    assert_eq!(result["relationships_created"], 2);
    let components = result["components"].as_array().unwrap();
    assert_eq!(components.len(), 19);
    assert_eq!(components[0]["type"], "custom_object");
    assert_eq!(components[0]["api_name"], "Project__c");
    assert_eq!(components[1]["api_name"], "Project__c.Code__c");
    for c in components {
        assert_eq!(c["success"], true, "{c}");
        assert!(
            c["sfdc_id"].as_str().is_some_and(|id| !id.is_empty()),
            "{c}"
        );
        assert!(c.get("error").is_none(), "{c}");
    }

    // The org describes every field with the type asked for.
    let expected = [
        ("Code__c", "string"),
        ("Notes__c", "textarea"),
        ("Story__c", "textarea"),
        ("Budget__c", "currency"),
        ("Score__c", "double"),
        ("Done__c", "percent"),
        ("Active__c", "boolean"),
        ("Starts__c", "date"),
        ("Kickoff__c", "datetime"),
        ("Owner_Email__c", "email"),
        ("Hotline__c", "phone"),
        ("Site__c", "url"),
        ("Stage__c", "picklist"),
        ("Tags__c", "multipicklist"),
        ("Account__c", "reference"),
    ];
    let project = env
        .describe("Project__c")
        .await
        .expect("Project__c is described");
    assert_eq!(project["custom"], true);
    let field = |name: &str| {
        project["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("Project__c.{name} is not described"))
    };
    for (name, t) in expected {
        assert_eq!(field(name)["type"], t, "Project__c.{name}");
    }
    assert_eq!(field("Code__c")["length"], 80);
    assert_eq!(field("Story__c")["length"], 5000);
    assert_eq!(field("Budget__c")["precision"], 16);
    assert_eq!(field("Score__c")["scale"], 0);
    assert_eq!(field("Active__c")["defaultValue"], true);
    assert_eq!(field("Account__c")["referenceTo"], json!(["Account"]));
    let stage = field("Stage__c");
    let stage: Vec<&str> = stage["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert_eq!(stage, ["Plan", "Build", "Ship"]);
    let detail = env
        .field("Task_Item__c", "Project__c")
        .await
        .expect("the master-detail field");
    assert_eq!(detail["type"], "reference");
    assert_eq!(detail["referenceTo"], json!(["Project__c"]));
    assert_eq!(detail["cascadeDelete"], true);
    assert_eq!(
        env.field("Task_Item__c", "Hours__c").await.unwrap()["type"],
        "double"
    );

    // The created fields are auto-mapped, one identity mapping per object.
    let row = env.app.owner
        .query_one(
            "SELECT field_mappings FROM crm_field_mappings WHERE client_id = $1 AND canonical_object = 'Task_Item__c'",
            &[&env.client],
        )
        .await
        .unwrap();
    assert_eq!(
        row.get::<_, Value>(0),
        json!({"Hours__c": "Hours__c", "Project__c": "Project__c"})
    );

    let rb = env
        .run("/api/deploy/rollback", json!({"id": d["id"]}))
        .await;
    assert_eq!(rb["id"], d["id"]);
    assert_eq!(rb["status"], "rolled_back", "{rb}");
    assert!(rb["rolled_back_at"].is_string());
    let rollback = &rb["result"]["rollback"];
    assert_eq!(rollback["status"], "succeeded");
    assert_eq!(rollback["failed_components"], 0);
    assert_eq!(rollback["rolled_back_components"], 19);
    assert!(
        env.describe("Project__c").await.is_none(),
        "Project__c is still there"
    );
    assert!(
        env.describe("Task_Item__c").await.is_none(),
        "Task_Item__c is still there"
    );

    let status = env.post("/api/deploy/status", json!({"id": d["id"]})).await;
    let status = status.ok();
    assert_eq!(status["status"], "rolled_back");
    assert_eq!(status["plan"], plan);
    assert!(status["error_message"].is_null());
    let history = env
        .post("/api/deploy/history", json!({"client_id": env.client}))
        .await;
    let data = history.ok()["data"].as_array().unwrap().clone();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["id"], d["id"]);
    assert_eq!(data[0]["status"], "rolled_back");

    // A second rollback finds nothing to roll back.
    env.post("/api/deploy/rollback", json!({"id": d["id"]}))
        .await
        .assert_error(
            400,
            "Deployment does not exist or is not in succeeded status",
        );
}

#[tokio::test]
async fn a_rejected_field_makes_the_deploy_partial_and_the_rollback_removes_exactly_what_was_created()
 {
    let env = common::env().await;
    let plan = json!({
        "custom_objects": [{"api_name": "Ledger__c", "label": "Ledger", "fields": [
            {"api_name": "Amount__c", "label": "Amount", "type": "Currency"},
            {"api_name": "Vendor__c", "label": "Vendor", "type": "Lookup", "related_to": "Vendor__c"},
            {"api_name": "Memo__c", "label": "Memo", "type": "Text"}
        ]}],
        "standard_object_fields": [{"object": "Account", "fields": [
            {"api_name": "Tier__c", "label": "Tier", "type": "Picklist", "values": ["Gold", "Silver"]}
        ]}]
    });
    let d = env
        .run(
            "/api/deploy/execute",
            json!({"client_id": env.client, "plan": plan}),
        )
        .await;
    assert_eq!(d["status"], "partial", "{d}");
    let result = &d["result"];
    assert_eq!(result["status"], "partial");
    assert_eq!(result["objects_created"], 1);
    assert_eq!(result["fields_created"], 3);
    let components = by_name(&result["components"]);
    assert_eq!(components.len(), 5, "each component once: {components:?}");
    let vendor = &components["custom_field:Ledger__c.Vendor__c"];
    assert_eq!(vendor["success"], false);
    assert!(vendor["sfdc_id"].is_null());
    assert_eq!(
        vendor["error"],
        json!({"code": "Error", "message": "referenceTo value of 'Vendor__c' does not resolve to a valid sObject type"})
    );
    for ok in [
        "custom_object:Ledger__c",
        "custom_field:Ledger__c.Amount__c",
        "custom_field:Ledger__c.Memo__c",
        "custom_field:Account.Tier__c",
    ] {
        assert_eq!(components[ok]["success"], true, "{ok}");
    }
    assert!(env.field("Account", "Tier__c").await.is_some());
    assert!(env.field("Ledger__c", "Vendor__c").await.is_none());

    let rb = env
        .run("/api/deploy/rollback", json!({"id": d["id"]}))
        .await;
    assert_eq!(rb["status"], "rolled_back", "{rb}");
    let removed = by_name(&rb["result"]["rollback"]["components"]);
    let names: Vec<&String> = removed.keys().collect();
    assert_eq!(
        names,
        [
            "custom_field:Account.Tier__c",
            "custom_field:Ledger__c.Amount__c",
            "custom_field:Ledger__c.Memo__c",
            "custom_object:Ledger__c"
        ]
    );
    assert_eq!(removed["custom_field:Ledger__c.Memo__c"]["skipped"], true);
    assert_eq!(
        removed["custom_field:Ledger__c.Memo__c"]["reason"],
        "Deleted with parent custom object"
    );
    assert!(removed.values().all(|c| c["success"] == true));
    assert!(env.describe("Ledger__c").await.is_none());
    assert!(
        env.field("Account", "Tier__c").await.is_none(),
        "Account.Tier__c survived the rollback"
    );
    assert!(
        env.field("Account", "Name").await.is_some(),
        "Account itself is untouched"
    );
    let (status, _, _) = env.deployment(d["id"].as_str().unwrap()).await;
    assert_eq!(status, "rolled_back");
}

#[tokio::test]
async fn a_red_conflict_report_blocks_the_deploy_unless_forced() {
    let env = common::env().await;
    let snapshot: Uuid = env.app.owner
        .query_one(
            "INSERT INTO crm_topology_snapshots (org_id, client_id, connection_id, snapshot) \
             SELECT org_id, client_id, id, '{}' FROM crm_connections WHERE client_id = $1 RETURNING id",
            &[&env.client],
        )
        .await
        .unwrap()
        .get(0);
    let report: Uuid = env.app.owner
        .query_one(
            "INSERT INTO crm_conflict_reports (org_id, client_id, connection_id, topology_snapshot_id, \
             deployment_plan, findings, overall_severity, red_count) \
             SELECT org_id, client_id, id, $2, '{}', '[]', 'red', 1 FROM crm_connections WHERE client_id = $1 RETURNING id",
            &[&env.client, &snapshot],
        )
        .await
        .unwrap()
        .get(0);
    let plan = json!({"custom_objects": [{"api_name": "Forced__c", "label": "Forced"}]});
    let body = json!({"client_id": env.client, "plan": plan, "conflict_report_id": report});
    env.post("/api/deploy/execute", body.clone())
        .await
        .assert_error(
            409,
            r#"Conflict report is red; pass "force": true to deploy anyway"#,
        );
    let rows: i64 = env
        .app
        .owner
        .query_one("SELECT count(*) FROM crm_deployments", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 0, "a blocked deploy records nothing");
    assert!(env.describe("Forced__c").await.is_none());

    let mut forced = body.clone();
    forced["force"] = json!(true);
    let d = env.run("/api/deploy/execute", forced).await;
    assert_eq!(d["status"], "succeeded", "{d}");
    assert!(env.describe("Forced__c").await.is_some());

    // Another client's report is not found.
    let mut other = body;
    other["conflict_report_id"] = json!(Uuid::new_v4());
    env.post("/api/deploy/execute", other)
        .await
        .assert_error(400, "Conflict report not found for this org/client");
}

#[tokio::test]
async fn a_deploy_outliving_its_poll_budget_stays_in_progress_and_the_worker_reconciles_it() {
    let env = common::env_with(|c| {
        c.deploy_poll_budget_seconds = 0;
        c.job_backoff_base_ms = 50;
    })
    .await;
    env.sim.set_deploy_behaviour(DeployBehaviour {
        hold_in_progress: true,
        ..DeployBehaviour::default()
    });
    let plan = json!({"custom_objects": [{"api_name": "Slow__c", "label": "Slow"}]});
    let req = Request::post("/api/deploy/execute")
        .header("authorization", format!("Bearer {}", env.org.admin.token))
        .header("content-type", "application/json")
        .header("prefer", "respond-async")
        .body(Body::from(
            json!({"client_id": env.client, "plan": plan}).to_string(),
        ))
        .unwrap();
    let r = env.app.send(req).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let job: Uuid = r.json["job_id"].as_str().unwrap().parse().unwrap();

    // Salesforce keeps deploying: the job comes back for it, the deployment stays in_progress.
    let (deployment, sfdc_id) = eventually("a second poll run of the deploy", || async {
        let row = env
            .app
            .owner
            .query_one(
                "SELECT j.attempts, d.id, d.status::text, d.sfdc_deploy_id FROM jobs j \
                 LEFT JOIN crm_deployments d ON d.job_id = j.id WHERE j.id = $1",
                &[&job],
            )
            .await
            .unwrap();
        let attempts: i32 = row.get(0);
        (attempts >= 3).then(|| {
            assert_eq!(
                row.get::<_, Option<String>>(2).as_deref(),
                Some("in_progress")
            );
            (
                row.get::<_, Uuid>(1),
                row.get::<_, Option<String>>(3)
                    .expect("the async id is kept"),
            )
        })
    })
    .await;
    assert!(env.describe("Slow__c").await.is_none());

    env.sim.set_deploy_behaviour(DeployBehaviour::default());
    let d = env.job_result(job).await;
    assert_eq!(d["id"], deployment.to_string());
    assert_eq!(d["status"], "succeeded", "{d}");
    let (status, _, last_id) = env.deployment(&deployment.to_string()).await;
    assert_eq!(status, "succeeded");
    assert_eq!(
        last_id.as_deref(),
        Some(sfdc_id.as_str()),
        "the deploy was submitted once"
    );
    assert!(env.describe("Slow__c").await.is_some());
}

#[tokio::test]
async fn an_invalid_plan_answers_400_and_records_nothing() {
    let env = common::env().await;
    let plan = json!({"custom_objects": [{"api_name": "Bad", "label": "Bad", "fields": [
        {"api_name": "X__c", "label": "X", "type": "Number", "scale": 0, "precision": 19}
    ]}]});
    let r = env
        .post(
            "/api/deploy/execute",
            json!({"client_id": env.client, "plan": plan}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(
        r.json,
        json!({"detail": {"code": "invalid_deploy_plan", "errors": [
            {"field": "custom_objects[0].api_name", "message": "Custom object api_name must end with '__c'"},
            {"field": "custom_objects[0].fields[0].precision", "message": "precision must be at most 18"}
        ]}})
    );
    let rows: i64 = env
        .app
        .owner
        .query_one("SELECT count(*) FROM crm_deployments", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 0);
    assert_eq!(env.calls(), 0, "no Salesforce call for an invalid plan");
}

#[tokio::test]
async fn validate_is_a_check_only_deploy_that_changes_nothing() {
    let env = common::env().await;
    let plan = common::two_objects_plan();
    let v = env
        .run(
            "/api/deploy/validate",
            json!({"client_id": env.client, "plan": plan}),
        )
        .await;
    assert_eq!(v["status"], "succeeded", "{v}");
    assert_eq!(v["check_only"], true);
    assert_eq!(v["components"].as_array().unwrap().len(), 19);
    assert!(
        env.describe("Project__c").await.is_none(),
        "a check-only deploy changed the org"
    );
    let rows: i64 = env
        .app
        .owner
        .query_one("SELECT count(*) FROM crm_deployments", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 0);
}

fn soap_fault() -> simulator::FaultRule {
    serde_json::from_value(json!({
        "path_prefix": "/services/Soap/m", "next": 1, "status": 500,
        "error_code": "UNKNOWN_EXCEPTION", "message": "An unexpected error occurred"
    }))
    .unwrap()
}

#[tokio::test]
async fn a_deploy_salesforce_refuses_is_failed_with_the_error_on_every_component() {
    let env = common::env().await;
    env.sim.add_fault(soap_fault());
    let plan = json!({"custom_objects": [{"api_name": "Refused__c", "label": "Refused", "fields": [
        {"api_name": "A__c", "label": "A", "type": "Date"}
    ]}]});
    let d = env
        .run(
            "/api/deploy/execute",
            json!({"client_id": env.client, "plan": plan}),
        )
        .await;
    assert_eq!(d["status"], "failed", "{d}");
    assert!(d["deployed_at"].is_null());
    let components = d["result"]["components"].as_array().unwrap();
    assert_eq!(components.len(), 2);
    for c in components {
        assert_eq!(c["success"], false);
        assert_eq!(c["error"]["code"], "UNKNOWN_EXCEPTION", "{c}");
    }
    env.post("/api/deploy/rollback", json!({"id": d["id"]}))
        .await
        .assert_error(
            400,
            "Deployment does not exist or is not in succeeded status",
        );
}

#[tokio::test]
async fn a_failed_rollback_is_recorded_and_can_be_run_again() {
    let env = common::env().await;
    let plan = json!({"custom_objects": [{"api_name": "Sticky__c", "label": "Sticky"}]});
    let d = env
        .run(
            "/api/deploy/execute",
            json!({"client_id": env.client, "plan": plan}),
        )
        .await;
    assert_eq!(d["status"], "succeeded");
    env.sim.add_fault(soap_fault());
    let rb = env
        .run("/api/deploy/rollback", json!({"id": d["id"]}))
        .await;
    assert_eq!(rb["status"], "rollback_failed", "{rb}");
    assert!(rb["rolled_back_at"].is_null());
    assert_eq!(rb["result"]["rollback"]["failed_components"], 1);
    assert_eq!(
        rb["result"]["rollback"]["components"][0]["error"]["code"],
        "UNKNOWN_EXCEPTION"
    );
    assert!(env.describe("Sticky__c").await.is_some());

    let again = env
        .run("/api/deploy/rollback", json!({"id": d["id"]}))
        .await;
    assert_eq!(again["status"], "rolled_back", "{again}");
    assert!(env.describe("Sticky__c").await.is_none());
    let events: Vec<String> = env
        .app
        .owner
        .query(
            "SELECT type FROM events WHERE type LIKE 'deployment.%' ORDER BY seq",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        events,
        [
            "deployment.succeeded",
            "deployment.rollback_failed",
            "deployment.rolled_back"
        ]
    );
}

#[tokio::test]
async fn a_job_run_again_after_it_finished_deploys_nothing_twice_and_mappings_merge() {
    let env = common::env().await;
    let plan = json!({"custom_objects": [{"api_name": "Once__c", "label": "Once", "fields": [
        {"api_name": "A__c", "label": "A", "type": "Date"}
    ]}]});
    let d = env
        .run(
            "/api/deploy/execute",
            json!({"client_id": env.client, "plan": plan}),
        )
        .await;
    assert_eq!(d["status"], "succeeded");
    let job_id: Uuid = env
        .app
        .owner
        .query_one(
            "SELECT job_id FROM crm_deployments WHERE id = $1::text::uuid",
            &[&d["id"].as_str().unwrap()],
        )
        .await
        .unwrap()
        .get(0);
    let job = shared::jobs::get(&env.app.state, env.org.id, job_id)
        .await
        .unwrap()
        .unwrap();
    let calls = env.calls();
    let again = deploy::execute::run(env.app.state.clone(), job)
        .await
        .unwrap();
    assert_eq!(again, d, "a second delivery answers the recorded outcome");
    assert_eq!(env.calls(), calls, "and calls Salesforce no more");
    let rows: i64 = env
        .app
        .owner
        .query_one("SELECT count(*) FROM crm_deployments", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 1);

    // A later deploy adding a field to the object merges it into the mapping.
    env.app.owner
        .execute(
            "UPDATE crm_field_mappings SET field_mappings = '{\"A__c\": \"Renamed\"}' WHERE canonical_object = 'Once__c'",
            &[],
        )
        .await
        .unwrap();
    let plan = json!({"custom_objects": [{"api_name": "Once__c", "label": "Once", "fields": [
        {"api_name": "A__c", "label": "A", "type": "Date"}, {"api_name": "B__c", "label": "B", "type": "Phone"}
    ]}]});
    let d = env
        .run(
            "/api/deploy/execute",
            json!({"client_id": env.client, "plan": plan}),
        )
        .await;
    assert_eq!(d["status"], "succeeded", "{d}");
    let row = env.app.owner
        .query_one("SELECT field_mappings, mapping_version, is_active FROM crm_field_mappings WHERE canonical_object = 'Once__c'", &[])
        .await
        .unwrap();
    assert_eq!(
        row.get::<_, Value>(0),
        json!({"A__c": "Renamed", "B__c": "B__c"}),
        "existing keys win"
    );
    assert_eq!(row.get::<_, i32>(1), 3);
    assert!(row.get::<_, bool>(2));
}
