//! REST behaviour against a spawned simulator: describes and 304s, limits, composite batch.

mod common;

use reqwest::Method;
use serde_json::{Value, json};
use simulator::OrgSpec;

fn field<'a>(d: &'a Value, name: &str) -> &'a Value {
    d["fields"]
        .as_array()
        .and_then(|f| f.iter().find(|x| x["name"] == name))
        .unwrap_or(&Value::Null)
}

#[tokio::test]
async fn describe_global_lists_the_standard_objects_with_real_keys() {
    let e = common::env().await;
    let (s, b) = e.get_json("/sobjects/").await;
    assert_eq!(s, 200);
    assert_eq!(b["encoding"], "UTF-8");
    assert_eq!(b["maxBatchSize"], 200);
    let names: Vec<&str> = b["sobjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    for n in [
        "Account",
        "Contact",
        "Lead",
        "Opportunity",
        "Campaign",
        "CampaignMember",
        "OpportunityContactRole",
        "Task",
        "Event",
        "Case",
        "User",
    ] {
        assert!(names.contains(&n), "{n} missing");
    }
    let acc = b["sobjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "Account")
        .unwrap();
    assert_eq!(acc["keyPrefix"], "001");
    assert_eq!(
        acc["urls"]["rowTemplate"],
        "/services/data/v60.0/sobjects/Account/{ID}"
    );
}

#[tokio::test]
async fn describe_reports_field_flags_relationships_and_system_fields() {
    let e = common::env().await;
    let (s, d) = e.get_json("/sobjects/Contact/describe/").await;
    assert_eq!(s, 200);
    let acc = field(&d, "AccountId");
    assert_eq!(acc["type"], "reference");
    assert_eq!(acc["referenceTo"], json!(["Account"]));
    assert_eq!(acc["relationshipName"], "Account");
    assert_eq!(acc["soapType"], "tns:ID");
    let last = field(&d, "LastName");
    assert_eq!(last["nillable"], false);
    assert_eq!(last["createable"], true);
    assert_eq!(last["defaultedOnCreate"], false);
    let id = field(&d, "Id");
    assert_eq!(id["type"], "id");
    assert_eq!(id["createable"], false);
    assert_eq!(id["defaultedOnCreate"], true);
    assert_eq!(id["idLookup"], true);
    let owner = field(&d, "OwnerId");
    assert_eq!(owner["defaultedOnCreate"], true);
    assert_eq!(owner["nillable"], false);
    for sys in [
        "CreatedDate",
        "LastModifiedDate",
        "SystemModstamp",
        "IsDeleted",
    ] {
        assert_eq!(field(&d, sys)["createable"], false, "{sys}");
    }
    let (_, a) = e.get_json("/sobjects/Account/describe").await;
    let kids = a["childRelationships"].as_array().unwrap();
    assert!(kids.iter().any(|k| k["childSObject"] == "Contact"
        && k["field"] == "AccountId"
        && k["relationshipName"] == "Contacts"));
    let ind = field(&a, "Industry");
    assert_eq!(ind["type"], "picklist");
    assert!(
        ind["picklistValues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["value"] == "Banking")
    );
    let user = e.get_json("/sobjects/User/describe").await.1;
    assert_eq!(field(&user, "Username")["unique"], true);
}

#[tokio::test]
async fn describe_answers_304_until_the_schema_changes() {
    let e = common::env().await;
    let later = (chrono::Utc::now() + chrono::Duration::seconds(5))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let r = e
        .req(Method::GET, "/sobjects/Account/describe")
        .header("If-Modified-Since", &later)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 304);
    assert!(r.bytes().await.unwrap().is_empty());
    let earlier = "Mon, 01 Jan 2024 00:00:00 GMT";
    let r = e
        .req(Method::GET, "/sobjects/Account/describe")
        .header("If-Modified-Since", earlier)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = e
        .req(Method::GET, "/sobjects/")
        .header("If-Modified-Since", &later)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 304);
}

#[tokio::test]
async fn unknown_objects_answer_404_not_found() {
    let e = common::env().await;
    let (s, b) = e.get_json("/sobjects/Nope__c/describe").await;
    assert_eq!(s, 404);
    assert_eq!(
        b,
        json!([{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])
    );
}

#[tokio::test]
async fn every_rest_response_carries_sforce_limit_info_and_limits_count_down() {
    let e = common::env_with(OrgSpec {
        daily_api_max: 15000,
        ..OrgSpec::default()
    })
    .await;
    let r = e.req(Method::GET, "/limits").send().await.unwrap();
    assert_eq!(r.headers()["sforce-limit-info"], "api-usage=1/15000");
    let l: Value = r.json().await.unwrap();
    assert_eq!(l["DailyApiRequests"]["Max"], 15000);
    assert_eq!(l["DailyApiRequests"]["Remaining"], 14999);
    let r = e
        .req(Method::GET, "/sobjects/Account/describe")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["sforce-limit-info"], "api-usage=2/15000");
    let (_, l) = e.get_json("/limits/").await;
    assert_eq!(l["DailyApiRequests"]["Remaining"], 14997);
    let counts = e.sim.counts(&e.org_id);
    assert_eq!(counts["limits"], 2);
    assert_eq!(counts["describe"], 1);
    assert_eq!(counts["total"], 3);
}

#[tokio::test]
async fn the_daily_limit_answers_403_request_limit_exceeded() {
    let e = common::env_with(OrgSpec {
        daily_api_max: 2,
        ..OrgSpec::default()
    })
    .await;
    assert_eq!(e.get_json("/limits").await.0, 200);
    assert_eq!(e.get_json("/limits").await.0, 200);
    let (s, b) = e.get_json("/limits").await;
    assert_eq!(s, 403);
    assert_eq!(b[0]["errorCode"], "REQUEST_LIMIT_EXCEEDED");
    assert_eq!(b[0]["message"], "TotalRequests Limit exceeded.");
}

#[tokio::test]
async fn composite_batch_runs_describes_with_per_subrequest_304s_and_counts_each() {
    let e = common::env().await;
    let later = (chrono::Utc::now() + chrono::Duration::seconds(5))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let body = json!({"batchRequests": [
        {"method": "GET", "url": "v60.0/sobjects/Account/describe"},
        {"method": "GET", "url": "v60.0/sobjects/Contact/describe", "httpHeaders": {"If-Modified-Since": later}},
        {"method": "GET", "url": "v60.0/sobjects/Nope__c/describe"},
    ]});
    let (s, b) = e.send_json(Method::POST, "/composite/batch", body).await;
    assert_eq!(s, 200);
    assert_eq!(b["hasErrors"], true);
    let r = b["results"].as_array().unwrap();
    assert_eq!(r[0]["statusCode"], 200);
    assert_eq!(r[0]["result"]["name"], "Account");
    assert_eq!(r[1]["statusCode"], 304);
    assert_eq!(r[2]["statusCode"], 404);
    assert_eq!(r[2]["result"][0]["errorCode"], "NOT_FOUND");
    let c = e.sim.counts(&e.org_id);
    assert_eq!(c["composite"], 1);
    assert_eq!(c["api_usage"], 3);
}

#[tokio::test]
async fn composite_batch_with_halt_on_error_answers_412_for_the_rest() {
    let e = common::env().await;
    let too_many: Vec<Value> = (0..26)
        .map(|_| json!({"method": "GET", "url": "v60.0/limits"}))
        .collect();
    assert_eq!(
        e.send_json(
            Method::POST,
            "/composite/batch",
            json!({"batchRequests": too_many})
        )
        .await
        .0,
        400
    );
    let body = json!({"haltOnError": true, "batchRequests": [
        {"method": "GET", "url": "v60.0/sobjects/Nope/describe"},
        {"method": "GET", "url": "v60.0/sobjects/Account/describe"},
    ]});
    let (_, b) = e.send_json(Method::POST, "/composite/batch", body).await;
    assert_eq!(b["results"][1]["statusCode"], 412);
    assert_eq!(
        b["results"][1]["result"][0]["errorCode"],
        "BATCH_PROCESSING_HALTED"
    );
}

#[tokio::test]
async fn composite_references_earlier_results_and_all_or_none_rolls_back() {
    let e = common::env().await;
    let body = json!({"allOrNone": false, "compositeRequest": [
        {"method": "POST", "url": "/services/data/v60.0/sobjects/Account", "referenceId": "acc", "body": {"Name": "Ref Co"}},
        {"method": "POST", "url": "/services/data/v60.0/sobjects/Contact", "referenceId": "con", "body": {"LastName": "Ref", "AccountId": "@{acc.id}"}},
    ]});
    let (s, b) = e.send_json(Method::POST, "/composite", body).await;
    assert_eq!(s, 200);
    let r = b["compositeResponse"].as_array().unwrap();
    assert_eq!(r[0]["httpStatusCode"], 201);
    assert_eq!(r[1]["httpStatusCode"], 201);
    let body = json!({"allOrNone": true, "compositeRequest": [
        {"method": "POST", "url": "/services/data/v60.0/sobjects/Account", "referenceId": "a", "body": {"Name": "Rolled Back Co"}},
        {"method": "POST", "url": "/services/data/v60.0/sobjects/Contact", "referenceId": "c", "body": {"FirstName": "No last name"}},
    ]});
    let (_, b) = e.send_json(Method::POST, "/composite", body).await;
    let r = b["compositeResponse"].as_array().unwrap();
    assert_eq!(r[0]["body"][0]["errorCode"], "PROCESSING_HALTED");
    assert_eq!(r[1]["body"][0]["errorCode"], "REQUIRED_FIELD_MISSING");
    let (_, q) = e
        .query("SELECT Id FROM Account WHERE Name = 'Rolled Back Co'")
        .await;
    assert_eq!(q["totalSize"], 0);
}

#[tokio::test]
async fn single_record_crud_and_upsert_follow_the_rest_shapes() {
    let e = common::env().await;
    let (s, b) = e
        .send_json(Method::POST, "/sobjects/Account/", json!({"Name": "Solo"}))
        .await;
    assert_eq!(s, 201);
    assert_eq!(b["success"], true);
    let id = b["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("001") && id.len() == 18);
    let (s, rec) = e.get_json(&format!("/sobjects/Account/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(rec["attributes"]["type"], "Account");
    assert_eq!(rec["Name"], "Solo");
    let (s, _) = e
        .send_json(
            Method::PATCH,
            &format!("/sobjects/Account/{id}"),
            json!({"Industry": "Banking"}),
        )
        .await;
    assert_eq!(s, 204);
    let r = e
        .req(Method::DELETE, &format!("/sobjects/Account/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(e.get_json(&format!("/sobjects/Account/{id}")).await.0, 404);
    // Upsert by external id on a generated custom object.
    let e = common::env_with(OrgSpec {
        extra_objects: 1,
        ..OrgSpec::default()
    })
    .await;
    let (s, b) = e
        .send_json(
            Method::PATCH,
            "/sobjects/Gen_0001__c/Ext_Id__c/X-1",
            json!({"Name": "one"}),
        )
        .await;
    assert_eq!((s, b["created"].clone()), (201, json!(true)));
    let (s, b) = e
        .send_json(
            Method::PATCH,
            "/sobjects/Gen_0001__c/Ext_Id__c/X-1",
            json!({"Name": "uno"}),
        )
        .await;
    assert_eq!((s, b["created"].clone()), (200, json!(false)));
    let (s, b) = e
        .send_json(
            Method::PATCH,
            "/sobjects/Gen_0001__c/Nope__c/X-1",
            json!({"Name": "x"}),
        )
        .await;
    assert_eq!(s, 404);
    assert_eq!(
        b[0]["message"],
        "Provided external ID field does not exist or is not accessible: Nope__c"
    );
}
