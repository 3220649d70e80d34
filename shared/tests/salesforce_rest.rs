//! The REST and Tooling calls against wiremock: exact requests, parsed answers, error bodies.

mod salesforce_support;

use chrono::{TimeZone, Utc};
use salesforce_support::*;
use serde_json::json;
use shared::salesforce::{Described, SalesforceError};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn describe_global_sends_the_bearer_token_and_returns_the_sobjects() {
    let (server, client) = org().await;
    Mock::given(method("GET"))
        .and(path("/services/data/v60.0/sobjects/"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("accept", "application/json"))
        .respond_with(json_reply(200, json!({"encoding": "UTF-8", "maxBatchSize": 200,
            "sobjects": [{"name": "Account", "custom": false}, {"name": "Foo__c", "custom": true}]})))
        .expect(1)
        .mount(&server)
        .await;
    let Described::Modified { value, .. } = client.describe_global(None).await.unwrap() else {
        panic!("expected a describe");
    };
    assert_eq!(value.names(), ["Account", "Foo__c"]);
    assert_eq!(value.max_batch_size, Some(200));
}

#[tokio::test]
async fn describe_sends_if_modified_since_as_an_http_date_and_reads_a_304() {
    let (server, client) = org().await;
    Mock::given(method("GET"))
        .and(path("/services/data/v60.0/sobjects/Account/describe/"))
        .and(raw_header(
            "if-modified-since",
            "Wed, 01 Jan 2025 10:00:00 GMT",
        ))
        .respond_with(ResponseTemplate::new(304))
        .expect(1)
        .mount(&server)
        .await;
    let since = Utc.with_ymd_and_hms(2025, 1, 1, 10, 0, 0).unwrap();
    let out = client.describe("Account", Some(since)).await.unwrap();
    assert_eq!(out, Described::NotModified);
}

#[tokio::test]
async fn describe_returns_the_body_and_its_last_modified_date() {
    let (server, client) = org().await;
    Mock::given(method("GET"))
        .and(path("/services/data/v60.0/sobjects/Contact/describe/"))
        .respond_with(
            json_reply(200, json!({"name": "Contact", "fields": []}))
                .insert_header("last-modified", "Tue, 04 Mar 2025 08:15:00 GMT"),
        )
        .mount(&server)
        .await;
    let out = client.describe("Contact", None).await.unwrap();
    assert_eq!(
        out,
        Described::Modified {
            value: json!({"name": "Contact", "fields": []}),
            last_modified: Some(Utc.with_ymd_and_hms(2025, 3, 4, 8, 15, 0).unwrap()),
        }
    );
}

#[tokio::test]
async fn object_names_are_escaped_as_path_segments() {
    let (server, client) = org().await;
    Mock::given(method("GET"))
        .and(path(
            "/services/data/v60.0/sobjects/Odd%20Name%2F..%3F/describe/",
        ))
        .respond_with(json_reply(200, json!({"name": "x"})))
        .expect(1)
        .mount(&server)
        .await;
    client.describe("Odd Name/..?", None).await.unwrap();
}

#[tokio::test]
async fn describe_many_sends_composite_batches_of_describes_and_splits_the_results() {
    let (server, client) = org().await;
    Mock::given(method("POST"))
        .and(path("/services/data/v60.0/composite/batch"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"haltOnError": false, "batchRequests": [
            {"method": "GET", "url": "v60.0/sobjects/Account/describe"},
            {"method": "GET", "url": "v60.0/sobjects/Nope__c/describe"}]})))
        .respond_with(json_reply(200, json!({"hasErrors": true, "results": [
            {"statusCode": 200, "result": {"name": "Account"}},
            {"statusCode": 404, "result": [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]}]})))
        .expect(1)
        .mount(&server)
        .await;
    let out = client
        .describe_many(&["Account".to_string(), "Nope__c".to_string()])
        .await
        .unwrap();
    assert_eq!(out[0].1.as_ref().unwrap()["name"], "Account");
    let failed = out[1].1.as_ref().unwrap_err();
    assert_eq!(failed.status_code, 404);
    assert_eq!(failed.result[0]["errorCode"], "NOT_FOUND");
}

#[tokio::test]
async fn describe_many_uses_one_batch_per_twenty_five_objects() {
    let (server, client) = org().await;
    let results: Vec<_> = (0..25)
        .map(|_| json!({"statusCode": 200, "result": {}}))
        .collect();
    let last: Vec<_> = (0..5)
        .map(|_| json!({"statusCode": 200, "result": {}}))
        .collect();
    Mock::given(method("POST"))
        .and(path("/services/data/v60.0/composite/batch"))
        .respond_with(json_reply(
            200,
            json!({"hasErrors": false, "results": results}),
        ))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/services/data/v60.0/composite/batch"))
        .respond_with(json_reply(
            200,
            json!({"hasErrors": false, "results": last}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let names: Vec<String> = (0..30).map(|i| format!("O{i}__c")).collect();
    assert_eq!(client.describe_many(&names).await.unwrap().len(), 30);
}

#[tokio::test]
async fn composite_batch_refuses_more_than_twenty_five_subrequests_without_calling() {
    let server = wiremock::MockServer::start().await;
    mount_nango(&server, 0, 0).await;
    let client = client(&server);
    let requests: Vec<_> = (0..26)
        .map(|_| client.describe_subrequest("Account"))
        .collect();
    let err = client.composite_batch(&requests, false).await.unwrap_err();
    assert!(matches!(err, SalesforceError::InvalidRequest(_)), "{err:?}");
}

#[tokio::test]
async fn upsert_patches_the_external_id_path_with_typed_records_and_reads_per_record_results() {
    let (server, client) = org().await;
    Mock::given(method("PATCH"))
        .and(path(
            "/services/data/v60.0/composite/sobjects/Contact/Ext_Id__c",
        ))
        .and(body_json(json!({"allOrNone": false, "records": [
            {"attributes": {"type": "Contact"}, "Ext_Id__c": "A-1", "LastName": "Ng"},
            {"attributes": {"type": "Contact"}, "Ext_Id__c": "A-2"}]})))
        .respond_with(json_reply(
            200,
            json!([
            {"id": "0035500001H9cakAAB", "success": true, "errors": [], "created": true},
            {"success": false, "errors": [{"statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [LastName]", "fields": ["LastName"]}]}]),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let out = client
        .upsert_records(
            "Contact",
            "Ext_Id__c",
            &[
                json!({"Ext_Id__c": "A-1", "LastName": "Ng"}),
                json!({"Ext_Id__c": "A-2"}),
            ],
            false,
        )
        .await
        .unwrap();
    assert_eq!(out[0].id.as_deref(), Some("0035500001H9cakAAB"));
    assert_eq!(out[0].created, Some(true));
    assert!(!out[1].success);
    assert_eq!(out[1].id, None);
    assert_eq!(out[1].errors[0].status_code, "REQUIRED_FIELD_MISSING");
    assert_eq!(out[1].errors[0].fields, ["LastName"]);
}

#[tokio::test]
async fn an_upsert_answer_that_is_not_a_list_is_an_invalid_response() {
    let (server, client) = org().await;
    Mock::given(method("PATCH"))
        .and(path(
            "/services/data/v60.0/composite/sobjects/Account/Ext__c",
        ))
        .respond_with(json_reply(200, json!({"oops": true})))
        .mount(&server)
        .await;
    let err = client
        .upsert_records("Account", "Ext__c", &[json!({"Ext__c": "1"})], true)
        .await
        .unwrap_err();
    let (status, detail) = rendered(err.into());
    assert_eq!(status, 502);
    assert_eq!(
        detail,
        json!({"code": "salesforce_invalid_response",
               "message": "Salesforce composite upsert response was not a list"})
    );
}

#[tokio::test]
async fn create_update_and_delete_use_the_collection_methods() {
    let (server, client) = org().await;
    Mock::given(method("POST"))
        .and(path("/services/data/v60.0/composite/sobjects"))
        .and(body_json(json!({"allOrNone": true, "records": [{"attributes": {"type": "Account"}, "Name": "A"}]})))
        .respond_with(json_reply(200, json!([{"id": "001A", "success": true, "errors": []}])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/services/data/v60.0/composite/sobjects"))
        .and(body_json(json!({"allOrNone": false, "records": [{"attributes": {"type": "Account"}, "Id": "001A", "Name": "B"}]})))
        .respond_with(json_reply(200, json!([{"id": "001A", "success": true, "errors": []}])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/services/data/v60.0/composite/sobjects"))
        .and(query_param("ids", "001A,001B"))
        .and(query_param("allOrNone", "false"))
        .respond_with(json_reply(200, json!([{"id": "001A", "success": true, "errors": []},
            {"id": "001B", "success": false, "errors": [{"statusCode": "ENTITY_IS_DELETED", "message": "entity is deleted", "fields": []}]}])))
        .expect(1)
        .mount(&server)
        .await;
    let created = client
        .create_records("Account", &[json!({"Name": "A"})], true)
        .await
        .unwrap();
    assert_eq!(created[0].id.as_deref(), Some("001A"));
    client
        .update_records("Account", &[json!({"Id": "001A", "Name": "B"})], false)
        .await
        .unwrap();
    let deleted = client
        .delete_records(&["001A".to_string(), "001B".to_string()], false)
        .await
        .unwrap();
    assert_eq!(deleted[1].errors[0].status_code, "ENTITY_IS_DELETED");
}

#[tokio::test]
async fn query_sends_the_batch_size_header_and_follows_next_records_url() {
    let (server, client) = org().await;
    let soql = "SELECT Id, Name FROM Account WHERE Name = 'A&B'";
    Mock::given(method("GET"))
        .and(path("/services/data/v60.0/query/"))
        .and(query_param("q", soql))
        .and(header("sforce-query-options", "batchSize=2000"))
        .respond_with(json_reply(
            200,
            json!({"totalSize": 3, "done": false,
            "nextRecordsUrl": "/services/data/v60.0/query/01gD0000002HU6KIAW-2000",
            "records": [{"attributes": {"type": "Account"}, "Id": "001A"}, {"Id": "001B"}]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/services/data/v60.0/query/01gD0000002HU6KIAW-2000"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(json_reply(
            200,
            json!({"totalSize": 3, "done": true, "records": [{"Id": "001C"}]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let records = client.query_all_pages(soql, None).await.unwrap();
    let ids: Vec<_> = records.iter().map(|r| r["Id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["001A", "001B", "001C"]);
}

#[tokio::test]
async fn a_foreign_next_records_url_is_refused_before_any_request() {
    let (_server, client) = org().await;
    let err = client
        .query_more("https://evil.example/services/data/x")
        .await
        .unwrap_err();
    assert!(matches!(err, SalesforceError::InvalidRequest(_)), "{err:?}");
}

#[tokio::test]
async fn limits_returns_the_limit_map() {
    let (server, client) = org().await;
    Mock::given(method("GET"))
        .and(path("/services/data/v60.0/limits/"))
        .respond_with(json_reply(
            200,
            json!({"DailyApiRequests": {"Max": 15000, "Remaining": 14998},
            "DailyBulkApiRequests": {"Max": 10000, "Remaining": 10000}}),
        ))
        .mount(&server)
        .await;
    let limits = client.limits_resource().await.unwrap();
    assert_eq!(limits["DailyApiRequests"]["Max"], 15000);
}

#[tokio::test]
async fn a_rest_error_keeps_salesforce_code_and_message_in_a_502_and_is_not_retried() {
    let (server, client) = org().await;
    Mock::given(method("GET"))
        .and(path("/services/data/v60.0/query/"))
        .respond_with(json_reply(
            400,
            json!([{"message": "unexpected token: 'FRM'", "errorCode": "MALFORMED_QUERY"}]),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client.query("SELECT Id FRM Account").await.unwrap_err();
    assert_eq!(err.code(), Some("MALFORMED_QUERY"));
    assert_eq!(
        rendered(err.into()),
        (
            502,
            json!({"code": "MALFORMED_QUERY", "message": "unexpected token: 'FRM'"})
        )
    );
}

#[tokio::test]
async fn tooling_query_reads_the_tooling_page() {
    let (server, client) = org().await;
    let soql = "SELECT Id, DeveloperName FROM CustomField WHERE DeveloperName = 'Foo'";
    Mock::given(method("GET"))
        .and(path("/services/data/v60.0/tooling/query/"))
        .and(query_param("q", soql))
        .respond_with(json_reply(200, json!({"size": 1, "totalSize": 1, "done": true, "queryLocator": null,
            "entityTypeName": "CustomField", "records": [{"attributes": {"type": "CustomField"}, "Id": "00N1", "DeveloperName": "Foo"}]})))
        .expect(1)
        .mount(&server)
        .await;
    let page = client.tooling_query(soql).await.unwrap();
    assert_eq!(page.entity_type_name.as_deref(), Some("CustomField"));
    assert_eq!(page.records[0]["Id"], "00N1");
}

#[tokio::test]
async fn tooling_custom_field_create_posts_full_name_and_metadata() {
    let (server, client) = org().await;
    let metadata = json!({"label": "Foo", "type": "Text", "length": 255, "externalId": true, "unique": false, "required": false});
    Mock::given(method("POST"))
        .and(path("/services/data/v60.0/tooling/sobjects/CustomField"))
        .and(body_json(
            json!({"FullName": "Account.Foo__c", "Metadata": metadata}),
        ))
        .respond_with(json_reply(
            201,
            json!({"id": "00N5", "success": true, "errors": [], "warnings": [], "infos": []}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let out = client
        .create_custom_field("Account.Foo__c", &metadata)
        .await
        .unwrap();
    assert_eq!(out.id.as_deref(), Some("00N5"));
    assert!(out.success);
}

#[tokio::test]
async fn a_duplicate_tooling_field_is_an_error_with_salesforce_code() {
    let (server, client) = org().await;
    Mock::given(method("POST"))
        .and(path("/services/data/v60.0/tooling/sobjects/CustomField"))
        .respond_with(json_reply(400, json!([{"message": "Duplicate developer name", "errorCode": "DUPLICATE_DEVELOPER_NAME", "fields": []}])))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .create_custom_field(
            "Account.Foo__c",
            &json!({"label": "Foo", "type": "Text", "length": 10}),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DUPLICATE_DEVELOPER_NAME"));
}

#[tokio::test]
async fn tooling_delete_and_flow_definitions_use_escaped_ids_and_quoted_names() {
    let (server, client) = org().await;
    Mock::given(method("DELETE"))
        .and(path(
            "/services/data/v60.0/tooling/sobjects/CustomField/00N5",
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/services/data/v60.0/tooling/query/"))
        .and(query_param("q", "SELECT Id, DeveloperName, ActiveVersionId, LatestVersionId FROM FlowDefinition WHERE DeveloperName IN ('Lead_Router', 'O\\'Hare') ORDER BY DeveloperName"))
        .respond_with(json_reply(200, json!({"size": 1, "totalSize": 1, "done": true, "entityTypeName": "FlowDefinition",
            "records": [{"attributes": {"type": "FlowDefinition"}, "Id": "300A", "DeveloperName": "Lead_Router", "ActiveVersionId": null, "LatestVersionId": "301A"}]})))
        .expect(1)
        .mount(&server)
        .await;
    client.delete_custom_field("00N5").await.unwrap();
    let flows = client
        .flow_definitions(&["Lead_Router", "O'Hare"])
        .await
        .unwrap();
    assert_eq!(flows[0].latest_version_id.as_deref(), Some("301A"));
    assert_eq!(flows[0].active_version_id, None);
}
