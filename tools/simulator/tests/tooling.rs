//! Tooling API queries and CustomField create/delete against a spawned simulator.

mod common;

use reqwest::Method;
use serde_json::json;
use simulator::OrgSpec;

async fn tq(e: &common::Env, q: &str) -> (u16, serde_json::Value) {
    e.get_json(&format!("/tooling/query?q={}", common::enc(q)))
        .await
}

#[tokio::test]
async fn tooling_queries_find_custom_objects_and_fields_the_way_deploy_verification_asks() {
    let e = common::env_with(OrgSpec {
        extra_objects: 2,
        ..OrgSpec::default()
    })
    .await;
    let (s, b) = tq(&e, "SELECT Id FROM CustomObject WHERE DeveloperName = 'Gen_0002' ORDER BY CreatedDate DESC LIMIT 1").await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["size"], 1);
    assert_eq!(b["entityTypeName"], "CustomObject");
    assert_eq!(b["queryLocator"], serde_json::Value::Null);
    let obj_id = b["records"][0]["Id"].as_str().unwrap().to_string();
    assert!(obj_id.starts_with("01I"));
    assert!(
        b["records"][0]["attributes"]["url"]
            .as_str()
            .unwrap()
            .starts_with("/services/data/v60.0/tooling/sobjects/CustomObject/01I")
    );
    let q = format!(
        "SELECT Id FROM CustomField WHERE DeveloperName = 'Ext_Id' AND TableEnumOrId = '{obj_id}' ORDER BY CreatedDate DESC LIMIT 1"
    );
    let (_, b) = tq(&e, &q).await;
    assert_eq!(b["totalSize"], 1);
    assert!(b["records"][0]["Id"].as_str().unwrap().starts_with("00N"));
    let (_, b) = tq(
        &e,
        "SELECT Id FROM CustomField WHERE TableEnumOrId = 'Account'",
    )
    .await;
    assert_eq!(b["totalSize"], 0);
    let (s, b) = tq(&e, "SELECT Id FROM Nope").await;
    assert_eq!(s, 400);
    assert_eq!(b[0]["errorCode"], "INVALID_TYPE");
}

#[tokio::test]
async fn tooling_custom_field_create_changes_the_schema_and_delete_removes_it() {
    let e = common::env().await;
    let body = json!({"FullName": "Account.Region__c", "Metadata": {"label": "Region", "type": "Text", "length": 80, "externalId": true, "unique": false, "required": false}});
    let (s, b) = e
        .send_json(Method::POST, "/tooling/sobjects/CustomField", body.clone())
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["success"], true);
    let id = b["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("00N"));
    let (_, d) = e.get_json("/sobjects/Account/describe").await;
    let f = d["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Region__c")
        .unwrap()
        .clone();
    assert_eq!(
        (
            f["type"].clone(),
            f["length"].clone(),
            f["externalId"].clone()
        ),
        (json!("string"), json!(80), json!(true))
    );
    let (s, b) = e
        .send_json(Method::POST, "/tooling/sobjects/CustomField", body)
        .await;
    assert_eq!(s, 400);
    assert_eq!(b[0]["errorCode"], "DUPLICATE_DEVELOPER_NAME");
    let (_, b) = tq(
        &e,
        "SELECT Id, DeveloperName, TableEnumOrId FROM CustomField WHERE DeveloperName = 'Region'",
    )
    .await;
    assert_eq!(b["records"][0]["Id"], id.as_str());
    assert_eq!(b["records"][0]["TableEnumOrId"], "Account");
    let (s, f) = e
        .get_json(&format!("/tooling/sobjects/CustomField/{id}"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(f["Metadata"]["type"], "Text");
    let r = e
        .req(
            Method::DELETE,
            &format!("/tooling/sobjects/CustomField/{id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let (_, d) = e.get_json("/sobjects/Account/describe").await;
    assert!(
        d["fields"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["name"] != "Region__c")
    );
    let (s, b) = e
        .send_json(
            Method::POST,
            "/tooling/sobjects/CustomField",
            json!({"FullName": "Account.Bad__c", "Metadata": {"label": "Bad", "type": "Text"}}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(b[0]["message"].as_str().unwrap().contains("length"));
}

#[tokio::test]
async fn tooling_validation_rules_are_queryable_by_entity_definition() {
    let e = common::env().await;
    let body = json!({"FullName": "Account.Needs_Phone", "Metadata": {"active": true, "errorConditionFormula": "ISBLANK(Phone)", "errorMessage": "Phone please"}});
    let (s, b) = e
        .send_json(Method::POST, "/tooling/sobjects/ValidationRule", body)
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = tq(&e, "SELECT Id, ValidationName, Active, EntityDefinition.QualifiedApiName FROM ValidationRule WHERE Active = true AND EntityDefinitionId = 'Account'").await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["totalSize"], 1);
    assert_eq!(b["records"][0]["ValidationName"], "Needs_Phone");
    assert_eq!(
        b["records"][0]["EntityDefinition"]["QualifiedApiName"],
        "Account"
    );
    let (s, b) = e
        .send_json(
            Method::POST,
            "/sobjects/Account",
            json!({"Name": "No phone"}),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(b[0]["errorCode"], "FIELD_CUSTOM_VALIDATION_EXCEPTION");
    assert_eq!(b[0]["message"], "Phone please");
}
