//! SOQL evaluation, paging and sObject Collections against a spawned simulator.

mod common;

use reqwest::Method;
use serde_json::{Value, json};
use simulator::OrgSpec;

fn names(b: &Value, key: &str) -> Vec<String> {
    b["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[key].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn queries_filter_with_typed_literals_like_in_and_not() {
    let e = common::env().await;
    let (s, b) = e.query("SELECT Id, Name FROM Account WHERE Name LIKE 'acme%' AND AnnualRevenue >= 3000000 ORDER BY Name").await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(names(&b, "Name"), vec!["Acme 3", "Acme 4", "Acme 5"]);
    assert_eq!(b["records"][0]["attributes"]["type"], "Account");
    assert!(
        b["records"][0]["attributes"]["url"]
            .as_str()
            .unwrap()
            .starts_with("/services/data/v60.0/sobjects/Account/001")
    );
    let (_, b) = e
        .query(
            "SELECT Name FROM Account WHERE Industry IN ('Banking', 'Retail') ORDER BY Name DESC",
        )
        .await;
    assert_eq!(names(&b, "Name"), vec!["Acme 3", "Acme 2"]);
    let (_, b) = e.query("SELECT Name FROM Account WHERE Industry NOT IN ('Banking') AND NOT (Name = 'Acme 1' OR Name = 'Acme 5') ORDER BY Name").await;
    assert_eq!(names(&b, "Name"), vec!["Acme 3", "Acme 4"]);
    let (_, b) = e.query("SELECT Name FROM Opportunity WHERE CloseDate > 2026-03-01 AND IsWon = false ORDER BY CloseDate").await;
    assert_eq!(names(&b, "Name"), vec!["Acme 4 renewal", "Acme 5 renewal"]);
    let (_, b) = e
        .query("SELECT Id FROM Account WHERE CreatedDate > 2020-01-01T00:00:00Z")
        .await;
    assert_eq!(b["totalSize"], 5);
    let (_, b) = e.query("SELECT Id FROM Contact WHERE Email = null").await;
    assert_eq!(b["totalSize"], 0);
}

#[tokio::test]
async fn relationship_paths_render_nested_records() {
    let e = common::env().await;
    let (s, b) = e.query("SELECT Id, Name, Account.Name, Account.Owner.Name, Owner.Name FROM Contact WHERE Account.Name = 'Acme 2' ORDER BY LastName").await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["totalSize"], 2);
    let r = &b["records"][0];
    assert_eq!(r["Name"], "Grace Hopper 2");
    assert_eq!(r["Account"]["attributes"]["type"], "Account");
    assert_eq!(r["Account"]["Name"], "Acme 2");
    assert_eq!(r["Account"]["Owner"]["Name"], "Ada Admin");
    assert_eq!(r["Owner"]["Name"], "Ada Admin");
    let (_, b) = e
        .query("SELECT Subject, What.Name, Who.Name FROM Task LIMIT 1")
        .await;
    assert_eq!(b["records"][0]["What"]["attributes"]["type"], "Opportunity");
    assert_eq!(b["records"][0]["Who"]["attributes"]["type"], "Contact");
}

#[tokio::test]
async fn count_limit_and_offset_behave_like_soql() {
    let e = common::env().await;
    let (_, b) = e.query("SELECT COUNT() FROM Contact").await;
    assert_eq!(b, json!({"totalSize": 10, "done": true, "records": []}));
    let (_, b) = e
        .query("SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 1")
        .await;
    assert_eq!(names(&b, "Name"), vec!["Acme 2", "Acme 3"]);
    assert_eq!(b["totalSize"], 2);
    let (s, b) = e.query("SELECT Name FROM Account OFFSET 2001").await;
    assert_eq!(s, 400);
    assert_eq!(b[0]["errorCode"], "NUMBER_OUTSIDE_VALID_RANGE");
}

#[tokio::test]
async fn query_errors_use_salesforce_codes() {
    let e = common::env().await;
    let (s, b) = e.query("SELECT Id FRM Account").await;
    assert_eq!(s, 400);
    assert_eq!(b[0]["errorCode"], "MALFORMED_QUERY");
    assert!(
        b[0]["message"]
            .as_str()
            .unwrap()
            .contains("unexpected token: FRM")
    );
    let (_, b) = e.query("SELECT Foo FROM Account").await;
    assert_eq!(b[0]["errorCode"], "INVALID_FIELD");
    assert!(
        b[0]["message"]
            .as_str()
            .unwrap()
            .contains("No such column 'Foo' on entity 'Account'")
    );
    let (_, b) = e.query("SELECT Id FROM Xyzzy").await;
    assert_eq!(b[0]["errorCode"], "INVALID_TYPE");
    assert!(
        b[0]["message"]
            .as_str()
            .unwrap()
            .contains("sObject type 'Xyzzy' is not supported.")
    );
    let (_, b) = e
        .query("SELECT Id FROM Opportunity WHERE Amount = '5'")
        .await;
    assert_eq!(b[0]["errorCode"], "INVALID_FIELD");
    assert!(
        b[0]["message"]
            .as_str()
            .unwrap()
            .contains("must be of type currency and should not be enclosed in quotes")
    );
    let (_, b) = e
        .query("SELECT Id FROM Account WHERE CreatedDate > '2026-01-01'")
        .await;
    assert!(
        b[0]["message"]
            .as_str()
            .unwrap()
            .contains("must be of type dateTime")
    );
    let (_, b) = e
        .query("SELECT Id FROM Contact WHERE AccountId = 'abc'")
        .await;
    assert_eq!(b[0]["errorCode"], "INVALID_QUERY_FILTER_OPERATOR");
}

#[tokio::test]
async fn paging_follows_next_records_url_to_total_size() {
    let e = common::env_with(OrgSpec {
        extra_objects: 1,
        extra_object_records: 4500,
        ..OrgSpec::default()
    })
    .await;
    let (s, b) = e.query("SELECT Id, Name FROM Gen_0001__c").await;
    assert_eq!(s, 200);
    assert_eq!(b["totalSize"], 4500);
    assert_eq!(b["done"], false);
    assert_eq!(b["records"].as_array().unwrap().len(), 2000);
    let re =
        regex::Regex::new(r"^/services/data/v[0-9]+\.[0-9]+/query/[A-Za-z0-9]+-[0-9]+$").unwrap();
    let mut next = b["nextRecordsUrl"].as_str().unwrap().to_string();
    let mut seen = 2000;
    loop {
        assert!(re.is_match(&next), "{next}");
        let (_, p) = e.get_json(&next).await;
        seen += p["records"].as_array().unwrap().len();
        if p["done"] == true {
            assert!(p.get("nextRecordsUrl").is_none());
            break;
        }
        next = p["nextRecordsUrl"].as_str().unwrap().to_string();
    }
    assert_eq!(seen, 4500);
    let r = e
        .req(
            Method::GET,
            &format!("/query?q={}", common::enc("SELECT Id FROM Gen_0001__c")),
        )
        .header("Sforce-Query-Options", "batchSize=500")
        .send()
        .await
        .unwrap();
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["records"].as_array().unwrap().len(), 500);
}

#[tokio::test]
async fn query_all_sees_deleted_records() {
    let e = common::env().await;
    let (_, b) = e.query("SELECT Id FROM Lead LIMIT 1").await;
    let id = b["records"][0]["Id"].as_str().unwrap().to_string();
    e.req(Method::DELETE, &format!("/sobjects/Lead/{id}"))
        .send()
        .await
        .unwrap();
    let q = format!("SELECT Id, IsDeleted FROM Lead WHERE Id = '{id}'");
    assert_eq!(e.query(&q).await.1["totalSize"], 0);
    let (_, b) = e
        .get_json(&format!("/queryAll?q={}", common::enc(&q)))
        .await;
    assert_eq!(b["records"][0]["IsDeleted"], true);
}

fn rec(ty: &str, fields: Value) -> Value {
    let mut m = fields.as_object().unwrap().clone();
    m.insert("attributes".into(), json!({"type": ty}));
    Value::Object(m)
}

#[tokio::test]
async fn collections_create_reports_per_record_errors() {
    let e = common::env().await;
    let (_, acc) = e.query("SELECT Id FROM Account LIMIT 1").await;
    let acc_id = acc["records"][0]["Id"].as_str().unwrap().to_string();
    let (_, con) = e.query("SELECT Id FROM Contact LIMIT 1").await;
    let con_id = con["records"][0]["Id"].as_str().unwrap().to_string();
    let missing_acc = format!("001{}", &acc_id[3..14]) + "zzzz";
    let body = json!({"allOrNone": false, "records": [
        rec("Contact", json!({"LastName": "Ok", "AccountId": acc_id})),
        rec("Contact", json!({"FirstName": "NoLast"})),
        rec("Contact", json!({"LastName": "BadId", "AccountId": "001xyz"})),
        rec("Contact", json!({"LastName": "Ghost", "AccountId": simulator::ids::normalize(&missing_acc[..15]).unwrap()})),
        rec("Contact", json!({"LastName": "WrongType", "AccountId": con_id})),
    ]});
    let (s, b) = e.send_json(Method::POST, "/composite/sobjects", body).await;
    assert_eq!(s, 200, "{b}");
    let r = b.as_array().unwrap();
    assert_eq!(r[0]["success"], true);
    assert!(r[0]["id"].as_str().unwrap().starts_with("003"));
    assert_eq!(r[1]["errors"][0]["statusCode"], "REQUIRED_FIELD_MISSING");
    assert_eq!(r[1]["errors"][0]["fields"], json!(["LastName"]));
    assert!(r[1].get("id").is_none());
    assert_eq!(r[2]["errors"][0]["statusCode"], "MALFORMED_ID");
    assert_eq!(
        r[3]["errors"][0]["statusCode"],
        "INVALID_CROSS_REFERENCE_KEY"
    );
    assert_eq!(r[4]["errors"][0]["statusCode"], "FIELD_INTEGRITY_EXCEPTION");
}

#[tokio::test]
async fn collections_with_an_unknown_field_fail_the_whole_request() {
    let e = common::env().await;
    let body = json!({"records": [rec("Account", json!({"Name": "a"})), rec("Account", json!({"Name": "b", "Foo__c": 1}))]});
    let (s, b) = e.send_json(Method::POST, "/composite/sobjects", body).await;
    assert_eq!(s, 400);
    assert_eq!(
        b,
        json!([{"message": "No such column 'Foo__c' on sobject of type Account", "errorCode": "INVALID_FIELD"}])
    );
    assert_eq!(
        e.query("SELECT Id FROM Account WHERE Name = 'a'").await.1["totalSize"],
        0
    );
}

#[tokio::test]
async fn collections_all_or_none_rolls_back_the_good_records() {
    let e = common::env().await;
    let body = json!({"allOrNone": true, "records": [rec("Account", json!({"Name": "Keep?"})), rec("Account", json!({"Industry": "Banking"}))]});
    let (_, b) = e.send_json(Method::POST, "/composite/sobjects", body).await;
    assert_eq!(
        b[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(b[1]["errors"][0]["statusCode"], "REQUIRED_FIELD_MISSING");
    assert_eq!(
        e.query("SELECT Id FROM Account WHERE Name = 'Keep?'")
            .await
            .1["totalSize"],
        0
    );
}

#[tokio::test]
async fn collections_upsert_by_external_id_creates_updates_and_reports_duplicates() {
    let e = common::env_with(OrgSpec {
        extra_objects: 2,
        ..OrgSpec::default()
    })
    .await;
    let url = "/composite/sobjects/Gen_0001__c/Ext_Id__c";
    let body = json!({"allOrNone": false, "records": [
        rec("Gen_0001__c", json!({"Ext_Id__c": "A", "Name": "a"})),
        rec("Gen_0001__c", json!({"Ext_Id__c": "B", "Name": "b"})),
    ]});
    let (s, b) = e.send_json(Method::PATCH, url, body).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b[0]["created"], true);
    let keys: Vec<&String> = b[0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 4);
    let body = json!({"records": [rec("Gen_0001__c", json!({"Ext_Id__c": "A", "Name": "a2"}))]});
    let (_, b) = e.send_json(Method::PATCH, url, body).await;
    assert_eq!(b[0]["created"], false);
    // Unique external id: setting B's value on another record is a DUPLICATE_VALUE.
    let body = json!({"records": [rec("Gen_0001__c", json!({"Ext_Id__c": "C", "Name": "c"}))]});
    let (_, b) = e.send_json(Method::PATCH, url, body).await;
    let c_id = b[0]["id"].as_str().unwrap().to_string();
    let body = json!({"records": [rec("Gen_0001__c", json!({"id": c_id, "Ext_Id__c": "B"}))]});
    let (_, b) = e
        .send_json(Method::PATCH, "/composite/sobjects", body)
        .await;
    assert_eq!(b[0]["errors"][0]["statusCode"], "DUPLICATE_VALUE");
    assert!(
        b[0]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("duplicate value found: Ext_Id__c duplicates value on record with id: ")
    );
    // Relationship reference by external id sets the lookup.
    let body = json!({"records": [rec("Gen_0002__c", json!({"Ext_Id__c": "P", "Name": "p"}))]});
    e.send_json(
        Method::PATCH,
        "/composite/sobjects/Gen_0002__c/Ext_Id__c",
        body,
    )
    .await;
    let (_, acc) = e
        .query("SELECT Id FROM Account WHERE Name = 'Acme 1'")
        .await;
    let body = json!({"records": [rec("Contact", json!({"LastName": "Linked", "Account": {"Id": acc["records"][0]["Id"]}}))]});
    let (_, b) = e.send_json(Method::POST, "/composite/sobjects", body).await;
    assert_eq!(b[0]["success"], true, "{b}");
    let (_, q) = e
        .query("SELECT Account.Name FROM Contact WHERE LastName = 'Linked'")
        .await;
    assert_eq!(q["records"][0]["Account"]["Name"], "Acme 1");
    let body = json!({"records": [rec("Gen_0002__c", json!({"Ext_Id__c": "Q", "Account__r": {"Name": "nope"}}))]});
    let (_, b) = e
        .send_json(
            Method::PATCH,
            "/composite/sobjects/Gen_0002__c/Ext_Id__c",
            body,
        )
        .await;
    assert_eq!(b[0]["errors"][0]["statusCode"], "INVALID_FIELD", "{b}");
}

#[tokio::test]
async fn an_external_id_matching_several_records_is_a_duplicate_external_id_or_a_300() {
    let e = common::env().await;
    // Contact.Email is an id lookup but not unique: two contacts can share it.
    for n in ["One", "Two"] {
        e.send_json(
            Method::POST,
            "/sobjects/Contact",
            json!({"LastName": n, "Email": "dup@example.com"}),
        )
        .await;
    }
    let (s, b) = e
        .send_json(
            Method::PATCH,
            "/sobjects/Contact/Email/dup@example.com",
            json!({"Title": "x"}),
        )
        .await;
    assert_eq!(s, 300);
    let urls = b.as_array().unwrap();
    assert_eq!(urls.len(), 2);
    assert!(
        urls[0]
            .as_str()
            .unwrap()
            .starts_with("/services/data/v60.0/sobjects/Contact/003")
    );
    let body =
        json!({"records": [rec("Contact", json!({"Email": "dup@example.com", "Title": "y"}))]});
    let (_, b) = e
        .send_json(Method::PATCH, "/composite/sobjects/Contact/Email", body)
        .await;
    assert_eq!(b[0]["errors"][0]["statusCode"], "DUPLICATE_EXTERNAL_ID");
}

#[tokio::test]
async fn collections_delete_reports_malformed_ids_and_limits_at_200() {
    let e = common::env().await;
    let (_, b) = e.query("SELECT Id FROM Case LIMIT 1").await;
    let id = b["records"][0]["Id"].as_str().unwrap().to_string();
    let r = e
        .req(
            Method::DELETE,
            &format!("/composite/sobjects?ids={id},bogus&allOrNone=false"),
        )
        .send()
        .await
        .unwrap();
    let b: Value = r.json().await.unwrap();
    assert_eq!(b[0]["success"], true);
    assert_eq!(b[1]["errors"][0]["statusCode"], "MALFORMED_ID");
    let many: Vec<Value> = (0..201)
        .map(|i| rec("Account", json!({"Name": format!("n{i}")})))
        .collect();
    let (s, b) = e
        .send_json(
            Method::POST,
            "/composite/sobjects",
            json!({"records": many}),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(b[0]["errorCode"], "EXCEEDED_ID_LIMIT");
}
