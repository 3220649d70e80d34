//! Analytics deploys against the simulator: folders, a report and a dashboard deployed and rolled
//! back through `deploy/analytics-rollback`; each rollback endpoint refuses the other's types.

mod common;

use serde_json::json;

fn plan() -> serde_json::Value {
    json!({
        "report_folders": [{"api_name": "Sales", "name": "Sales"}],
        "dashboard_folders": [{"api_name": "Boards", "name": "Boards"}],
        "reports": [{"api_name": "Pipeline", "folder": "Sales", "name": "Pipeline", "reportType": "Opportunity",
            "columns": ["AMOUNT"], "groupingsDown": [{"field": "STAGE_NAME"}]}],
        "dashboards": [{"api_name": "Overview", "folder": "Boards", "title": "Overview", "dashboardType": "LoggedInUser",
            "leftSection": [{"componentType": "Table", "report": "Sales/Pipeline"}]}]
    })
}

#[tokio::test]
async fn reports_and_dashboards_deploy_and_roll_back() {
    let env = common::env().await;
    let d = env
        .run(
            "/api/deploy/analytics",
            json!({"client_id": env.client, "plan": plan()}),
        )
        .await;
    assert_eq!(d["status"], "succeeded", "{d}");
    assert_eq!(d["deployment_type"], "report");
    let result = &d["result"];
    assert_eq!(result["folders_created"], 2);
    assert_eq!(result["reports_deployed"], 1);
    assert_eq!(result["dashboards_deployed"], 1);
    let names: Vec<(&str, &str)> = result["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["type"].as_str().unwrap(), c["api_name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("report_folder", "Sales"),
            ("dashboard_folder", "Boards"),
            ("report", "Sales/Pipeline"),
            ("dashboard", "Boards/Overview")
        ]
    );
    assert!(
        result["components"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["success"] == true && c["sfdc_id"].is_string())
    );

    // The custom-object rollback does not take an analytics deployment.
    env.post("/api/deploy/rollback", json!({"id": d["id"]}))
        .await
        .assert_error(400, "Deployment type report cannot be rolled back here");

    let rb = env
        .run("/api/deploy/analytics-rollback", json!({"id": d["id"]}))
        .await;
    assert_eq!(rb["status"], "rolled_back", "{rb}");
    let removed: Vec<&str> = rb["result"]["rollback"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["api_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        removed,
        ["Boards/Overview", "Sales/Pipeline", "Boards", "Sales"]
    );
    assert_eq!(rb["result"]["rollback"]["rolled_back_components"], 4);

    // Deployed again: nothing of the first deploy is left in the way.
    let again = env
        .run(
            "/api/deploy/analytics",
            json!({"client_id": env.client, "plan": plan()}),
        )
        .await;
    assert_eq!(again["status"], "succeeded", "{again}");
}

#[tokio::test]
async fn an_analytics_rollback_does_not_take_a_custom_object_deployment() {
    let env = common::env().await;
    let plan = json!({"custom_objects": [{"api_name": "Kept__c", "label": "Kept"}]});
    let d = env
        .run(
            "/api/deploy/execute",
            json!({"client_id": env.client, "plan": plan}),
        )
        .await;
    assert_eq!(d["status"], "succeeded");
    env.post("/api/deploy/analytics-rollback", json!({"id": d["id"]}))
        .await
        .assert_error(
            400,
            "Deployment type custom_object cannot be rolled back here",
        );
    env.post("/api/deploy/status", json!({"id": uuid::Uuid::new_v4()}))
        .await
        .assert_error(404, "Deployment not found");
    assert!(env.describe("Kept__c").await.is_some());
}
