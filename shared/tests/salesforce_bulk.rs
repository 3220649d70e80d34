//! Bulk API 2.0 against wiremock: job requests and the CSV results.

mod salesforce_support;

use bytes::Bytes;
use salesforce_support::*;
use serde_json::json;
use shared::salesforce::{BulkOperation, IngestJobRequest, JobState, LineEnding};
use wiremock::matchers::{
    body_json, body_string, header, method, path, query_param, query_param_is_missing,
};
use wiremock::{Mock, ResponseTemplate};

const JOB: &str = "7502M00000aFzAIQA0";

fn job_info(state: &str) -> serde_json::Value {
    json!({"id": JOB, "operation": "upsert", "object": "Account", "createdById": "005x",
        "createdDate": "2025-01-01T00:00:00.000+0000", "systemModstamp": "2025-01-01T00:00:00.000+0000",
        "state": state, "externalIdFieldName": "Ext__c", "concurrencyMode": "Parallel",
        "contentType": "CSV", "apiVersion": 60.0,
        "contentUrl": format!("services/data/v60.0/jobs/ingest/{JOB}/batches"),
        "lineEnding": "LF", "columnDelimiter": "COMMA"})
}

fn csv_reply(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "text/csv")
        .set_body_string(body)
}

#[tokio::test]
async fn an_ingest_job_is_created_uploaded_and_closed_with_exact_requests() {
    let (server, client) = org().await;
    Mock::given(method("POST"))
        .and(path("/services/data/v60.0/jobs/ingest"))
        .and(body_json(
            json!({"object": "Account", "contentType": "CSV", "operation": "upsert",
            "lineEnding": "LF", "columnDelimiter": "COMMA", "externalIdFieldName": "Ext__c"}),
        ))
        .respond_with(json_reply(200, job_info("Open")))
        .expect(1)
        .mount(&server)
        .await;
    let csv = "Ext__c,Name\nA-1,\"Acme, Inc.\"\n";
    Mock::given(method("PUT"))
        .and(path(format!(
            "/services/data/v60.0/jobs/ingest/{JOB}/batches"
        )))
        .and(header("content-type", "text/csv"))
        .and(body_string(csv))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(format!("/services/data/v60.0/jobs/ingest/{JOB}")))
        .and(body_json(json!({"state": "UploadComplete"})))
        .respond_with(json_reply(200, job_info("UploadComplete")))
        .expect(1)
        .mount(&server)
        .await;
    let mut done = job_info("JobComplete");
    done["numberRecordsProcessed"] = json!(1);
    done["numberRecordsFailed"] = json!(0);
    Mock::given(method("GET"))
        .and(path(format!("/services/data/v60.0/jobs/ingest/{JOB}")))
        .respond_with(json_reply(200, done))
        .expect(1)
        .mount(&server)
        .await;
    let job = client
        .create_ingest_job(&IngestJobRequest {
            object: "Account".into(),
            operation: BulkOperation::Upsert,
            external_id_field_name: Some("Ext__c".into()),
            line_ending: LineEnding::Lf,
            assignment_rule_id: None,
        })
        .await
        .unwrap();
    assert_eq!(job.state, JobState::Open);
    client
        .upload_job_data(&job.id, Bytes::from(csv))
        .await
        .unwrap();
    assert_eq!(
        client.close_ingest_job(&job.id).await.unwrap().state,
        JobState::UploadComplete
    );
    let info = client.ingest_job(&job.id).await.unwrap();
    assert!(info.state.is_terminal());
    assert_eq!(info.number_records_processed, Some(1));
}

#[tokio::test]
async fn failed_results_keep_quoted_commas_and_newlines_and_split_sf_error() {
    let (server, client) = org().await;
    let csv = "\"sf__Id\",\"sf__Error\",\"Ext__c\",\"Description\"\n\
               \"\",\"REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --\",\"A-1\",\"line one\nline two, with comma\"\n\
               \"001A\",\"INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--\",\"A-2\",\"say \"\"hi\"\"\"\n";
    Mock::given(method("GET"))
        .and(path(format!(
            "/services/data/v60.0/jobs/ingest/{JOB}/failedResults/"
        )))
        .and(header("accept", "text/csv"))
        .respond_with(csv_reply(csv))
        .expect(1)
        .mount(&server)
        .await;
    let rows = client.failed_results(JOB).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].id, None);
    assert_eq!(rows[0].status_code(), "REQUIRED_FIELD_MISSING");
    assert_eq!(rows[0].message(), "Required fields are missing: [Name]");
    assert_eq!(
        rows[0].fields["Description"],
        "line one\nline two, with comma"
    );
    assert_eq!(rows[1].id.as_deref(), Some("001A"));
    assert_eq!(rows[1].status_code(), "INVALID_CROSS_REFERENCE_KEY");
    assert_eq!(rows[1].message(), "invalid cross reference id");
    assert_eq!(rows[1].fields["Description"], "say \"hi\"");
    assert!(!rows[1].fields.contains_key("sf__Error"));
}

#[tokio::test]
async fn successful_results_read_id_and_created() {
    let (server, client) = org().await;
    Mock::given(method("GET"))
        .and(path(format!("/services/data/v60.0/jobs/ingest/{JOB}/successfulResults/")))
        .respond_with(csv_reply("\"sf__Id\",\"sf__Created\",\"Ext__c\"\n\"001A\",\"true\",\"A-1\"\n\"001B\",\"false\",\"A-2\"\n"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/services/data/v60.0/jobs/ingest/{JOB}/unprocessedrecords/"
        )))
        .respond_with(csv_reply("\"Ext__c\"\n\"A-3\"\n"))
        .mount(&server)
        .await;
    let ok = client.successful_results(JOB).await.unwrap();
    assert_eq!((ok[0].id.as_str(), ok[0].created), ("001A", true));
    assert_eq!((ok[1].id.as_str(), ok[1].created), ("001B", false));
    assert_eq!(ok[1].fields["Ext__c"], "A-2");
    let left = client.unprocessed_records(JOB).await.unwrap();
    assert_eq!(left[0]["Ext__c"], "A-3");
}

#[tokio::test]
async fn query_job_results_are_paged_by_the_sforce_locator() {
    let (server, client) = org().await;
    let query_job = "750Q";
    Mock::given(method("POST"))
        .and(path("/services/data/v60.0/jobs/query"))
        .and(body_json(
            json!({"operation": "query", "query": "SELECT Id FROM Account", "contentType": "CSV",
            "columnDelimiter": "COMMA", "lineEnding": "LF"}),
        ))
        .respond_with(json_reply(
            200,
            json!({"id": query_job, "operation": "query", "object": "Account",
            "state": "UploadComplete", "jobType": "V2Query", "apiVersion": 60.0}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/services/data/v60.0/jobs/query/{query_job}/results"
        )))
        .and(query_param_is_missing("locator"))
        .and(query_param("maxRecords", "2"))
        .respond_with(
            csv_reply("\"Id\"\n\"001A\"\n\"001B\"\n")
                .insert_header("sforce-locator", "MTAwMDA")
                .insert_header("sforce-numberofrecords", "2"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/services/data/v60.0/jobs/query/{query_job}/results"
        )))
        .and(query_param("locator", "MTAwMDA"))
        .and(query_param("maxRecords", "2"))
        .respond_with(
            csv_reply("\"Id\"\n\"001C\"\n")
                .insert_header("sforce-locator", "null")
                .insert_header("sforce-numberofrecords", "1"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let job = client
        .create_query_job("SELECT Id FROM Account", false)
        .await
        .unwrap();
    assert_eq!(job.job_type.as_deref(), Some("V2Query"));
    let first = client
        .query_job_results(&job.id, None, Some(2))
        .await
        .unwrap();
    assert_eq!(first.columns, ["Id"]);
    assert_eq!(first.rows.len(), 2);
    assert_eq!(first.next_locator.as_deref(), Some("MTAwMDA"));
    let second = client
        .query_job_results(&job.id, first.next_locator.as_deref(), Some(2))
        .await
        .unwrap();
    assert_eq!(second.rows[0]["Id"], "001C");
    assert_eq!(second.next_locator, None);
    assert_eq!(second.number_of_records, Some(1));
}
