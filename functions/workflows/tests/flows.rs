//! Workflows against the simulator: a flow and assignment rules deployed (through the
//! `deploy/workflows` alias), listed, removed; a rejected rule set; the plan validator's rules.

#[path = "../../deploy/tests/common/mod.rs"]
mod common;

use serde_json::{Value, json};
use shared::AppState;

fn router(state: AppState) -> axum::Router {
    shared::http::openapi::into_router(workflows::api().merge(deploy::api()), state)
}

async fn env() -> common::Env {
    common::env_for(router, workflows::registry, |_| {}).await
}

const NS: &str = r#"xmlns="http://soap.sforce.com/2006/04/metadata""#;

fn flow_xml() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Flow {NS}><apiVersion>60.0</apiVersion><label>Route Leads</label><processType>AutoLaunchedFlow</processType><status>Active</status></Flow>"#
    )
}

fn rules_xml() -> String {
    format!(
        r#"<AssignmentRules {NS}><assignmentRule><fullName>Std_Lead</fullName><active>true</active><ruleEntry><assignedTo>Tier1</assignedTo><assignedToType>Queue</assignedToType><criteriaItems><field>Lead.Country</field><operation>equals</operation><value>US</value></criteriaItems></ruleEntry></assignmentRule></AssignmentRules>"#
    )
}

#[tokio::test]
async fn a_flow_and_assignment_rules_are_deployed_listed_and_removed() {
    let env = env().await;
    let plan = json!({
        "flows": [{"api_name": "Route_Leads", "xml_content": flow_xml()}],
        "assignment_rules": [{"object": "Lead", "xml_content": rules_xml()}]
    });
    let d = env
        .run(
            "/api/deploy/workflows",
            json!({"client_id": env.client, "plan": plan}),
        )
        .await;
    assert_eq!(d["status"], "succeeded", "{d}");
    assert_eq!(d["deployment_type"], "workflow");
    let result = &d["result"];
    assert_eq!(
        (
            result["flows_deployed"].as_u64(),
            result["assignment_rules_deployed"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let components = result["components"].as_array().unwrap();
    assert_eq!(components.len(), 2);
    assert_eq!(
        (
            components[0]["type"].as_str(),
            components[0]["api_name"].as_str()
        ),
        (Some("flow"), Some("Route_Leads"))
    );
    assert_eq!(
        (
            components[1]["type"].as_str(),
            components[1]["api_name"].as_str()
        ),
        (Some("assignment_rule"), Some("Lead"))
    );
    assert!(
        components
            .iter()
            .all(|c| c["success"] == true && c["sfdc_id"].is_string())
    );

    let listed = env
        .post("/api/workflows/list", json!({"client_id": env.client}))
        .await;
    let listed = listed.ok().clone();
    let flow = listed["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["api_name"] == "Route_Leads")
        .cloned()
        .expect("the flow is listed");
    assert!(
        flow["id"].is_string() && flow["latest_version_id"].is_string(),
        "{flow}"
    );
    let rules = listed["assignment_rules"].as_array().unwrap();
    assert!(
        rules
            .iter()
            .any(|r| r["name"] == "Std_Lead" && r["object_name"] == "Lead" && r["active"] == true),
        "{listed}"
    );

    let status = env.post("/api/deploy/status", json!({"id": d["id"]})).await;
    assert_eq!(status.ok()["deployment_type"], "workflow");

    let removed = env
        .run(
            "/api/workflows/remove",
            json!({"client_id": env.client, "flow_api_names": [" Route_Leads ", ""], "assignment_rule_objects": ["Lead"]}),
        )
        .await;
    assert_eq!(removed["status"], "succeeded", "{removed}");
    assert_eq!(removed["deployment_type"], "workflow");
    let result = &removed["result"];
    assert_eq!(
        (
            result["flows_removed"].as_u64(),
            result["assignment_rules_removed"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let (_, _, _) = env.deployment(removed["id"].as_str().unwrap()).await;
    let plan: Value = env
        .app
        .owner
        .query_one(
            "SELECT plan FROM crm_deployments WHERE id = $1::text::uuid",
            &[&removed["id"].as_str().unwrap()],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        plan,
        json!({"flow_api_names": ["Route_Leads"], "assignment_rule_objects": ["Lead"], "operation": "remove"})
    );
    let listed = env
        .post("/api/workflows/list", json!({"client_id": env.client}))
        .await;
    let listed = listed.ok();
    assert!(
        !listed["flows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["api_name"] == "Route_Leads"),
        "{listed}"
    );
    assert!(
        !listed["assignment_rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "Std_Lead"),
        "{listed}"
    );
}

#[tokio::test]
async fn rules_salesforce_refuses_make_the_deploy_partial() {
    let env = env().await;
    let plan = json!({"assignment_rules": [
        {"object": "Lead", "xml_content": rules_xml()},
        {"object": "Account", "xml_content": rules_xml().replace("Lead.Country", "Account.Name")}
    ]});
    let d = env
        .run(
            "/api/workflows/deploy",
            json!({"client_id": env.client, "plan": plan}),
        )
        .await;
    assert_eq!(d["status"], "partial", "{d}");
    assert_eq!(d["deployment_type"], "assignment_rule");
    let failed = &d["result"]["components"][1];
    assert_eq!(failed["api_name"], "Account");
    assert_eq!(
        failed["error"],
        json!({"code": "Error", "message": "AssignmentRules are not supported for Account"})
    );
    assert_eq!(d["result"]["assignment_rules_deployed"], 1);
}

#[tokio::test]
async fn remove_needs_something_to_remove() {
    let env = env().await;
    env.post(
        "/api/workflows/remove",
        json!({"client_id": env.client, "flow_api_names": ["  "]}),
    )
    .await
    .assert_error(
        400,
        "At least one flow_api_name or assignment_rule_object is required",
    );
}

fn errs(plan: Value) -> Vec<(String, String)> {
    workflows::plan::validate(&plan, "60.0")
        .into_iter()
        .map(|e| (e.field, e.message))
        .collect()
}

fn one(f: &str, m: &str) -> Vec<(String, String)> {
    vec![(f.into(), m.into())]
}

#[test]
fn every_workflow_plan_rule_has_its_message() {
    assert_eq!(errs(json!([])), one("plan", "Plan must be an object"));
    assert_eq!(errs(json!({})), vec![]);
    assert_eq!(
        errs(json!({"flows": {}})),
        one("flows", "flows must be a list when provided")
    );
    assert_eq!(
        errs(json!({"assignment_rules": "x"})),
        one(
            "assignment_rules",
            "assignment_rules must be a list when provided"
        )
    );
    assert_eq!(
        errs(json!({"flows": [1]})),
        one("flows[0]", "flow entry must be an object")
    );
    assert_eq!(
        errs(json!({"assignment_rules": [null]})),
        one(
            "assignment_rules[0]",
            "assignment_rule entry must be an object"
        )
    );
    assert_eq!(
        errs(json!({"flows": [{}]})),
        vec![
            (
                "flows[0].api_name".into(),
                "api_name must be a non-empty string".into()
            ),
            (
                "flows[0].xml_content".into(),
                "xml_content must be a non-empty string".into()
            ),
        ]
    );
    assert_eq!(
        errs(json!({"assignment_rules": [{"xml_content": " "}]})),
        vec![
            (
                "assignment_rules[0].object".into(),
                "object must be a non-empty string".into()
            ),
            (
                "assignment_rules[0].xml_content".into(),
                "xml_content must be a non-empty string".into()
            ),
        ]
    );
    // The XML must be a Flow / AssignmentRules document.
    assert_eq!(
        errs(json!({"flows": [{"api_name": "F", "xml_content": "<Report/>"}]})),
        one(
            "plan",
            "flows/F.flow: root element is Report, expected Flow"
        )
    );
    assert_eq!(
        errs(json!({"flows": [{"api_name": "F", "xml_content": flow_xml()}]})),
        vec![]
    );
}

#[test]
fn a_workflow_plan_zips_flows_and_assignment_rules_at_their_metadata_api_paths() {
    use shared::salesforce::xml::parse;
    let plan = json!({
        "flows": [{"api_name": "Route_Leads", "xml_content": flow_xml()}],
        "assignment_rules": [{"object": "Lead", "xml_content": rules_xml()}]
    });
    let (package, planned) = workflows::plan::build(&plan, "v60.0");
    let kinds: Vec<(&str, &str)> = planned
        .iter()
        .map(|p| (p.kind, p.api_name.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [("flow", "Route_Leads"), ("assignment_rule", "Lead")]
    );
    let files = package.files().unwrap();
    let layout: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        layout,
        [
            "package.xml",
            "flows/Route_Leads.flow",
            "assignmentRules/Lead.assignmentRules"
        ]
    );
    let text = |i: usize| String::from_utf8(files[i].1.clone()).unwrap();
    let manifest = parse(&text(0)).unwrap();
    let types: Vec<(String, Vec<String>)> = manifest
        .children_named("types")
        .map(|t| {
            (
                t.string("name"),
                t.children_named("members")
                    .map(|m| m.text.clone())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        types,
        [
            ("AssignmentRules".to_string(), vec!["Lead".to_string()]),
            ("Flow".to_string(), vec!["Route_Leads".to_string()])
        ]
    );
    assert_eq!(manifest.text_of("version"), Some("60.0"));
    let flow = parse(&text(1)).unwrap();
    assert_eq!(flow.name, "Flow");
    let names: Vec<&str> = flow.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["apiVersion", "label", "processType", "status"]);
    let rules = parse(&text(2)).unwrap();
    assert_eq!(rules.name, "AssignmentRules");
    let rule = rules.child("assignmentRule").unwrap();
    let names: Vec<&str> = rule.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["fullName", "active", "ruleEntry"]);
    let entry = rule.child("ruleEntry").unwrap();
    let names: Vec<&str> = entry.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["assignedTo", "assignedToType", "criteriaItems"]);
    let item = entry.child("criteriaItems").unwrap();
    let names: Vec<&str> = item.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["field", "operation", "value"]);
}
