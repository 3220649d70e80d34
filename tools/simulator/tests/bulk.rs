//! Bulk API 2.0 ingest (100k rows with failures) and query paging against a spawned simulator.

mod common;

use reqwest::Method;
use serde_json::{Value, json};
use simulator::OrgSpec;

async fn wait_done(e: &common::Env, id: &str) -> Value {
    for _ in 0..600 {
        let (_, j) = e.get_json(&format!("/jobs/ingest/{id}")).await;
        if matches!(
            j["state"].as_str(),
            Some("JobComplete" | "Failed" | "Aborted")
        ) {
            return j;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("job {id} never finished");
}

#[tokio::test]
async fn a_100k_row_ingest_reports_processed_and_failed_records_with_result_csvs() {
    let e = common::env_with(OrgSpec {
        extra_objects: 1,
        ..OrgSpec::default()
    })
    .await;
    let (s, job) = e.send_json(Method::POST, "/jobs/ingest", json!({"object": "Gen_0001__c", "operation": "insert", "contentType": "CSV", "lineEnding": "LF"})).await;
    assert_eq!(s, 200, "{job}");
    assert_eq!(job["state"], "Open");
    let id = job["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("750"));
    assert_eq!(
        job["contentUrl"],
        format!("services/data/v60.0/jobs/ingest/{id}/batches")
    );
    let mut csv = String::from("Name,Ext_Id__c,Amount__c\n");
    for i in 0..100_000 {
        // Every 1000th row repeats the previous unique external id: DUPLICATE_VALUE.
        let ext = if i % 1000 == 999 { i - 1 } else { i };
        csv.push_str(&format!("Row {i},E{ext},{}.5\n", i % 100));
    }
    let r = e
        .req(Method::PUT, &format!("/jobs/ingest/{id}/batches"))
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let (s, j) = e
        .send_json(
            Method::PATCH,
            &format!("/jobs/ingest/{id}"),
            json!({"state": "UploadComplete"}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(j["state"], "UploadComplete");
    let j = wait_done(&e, &id).await;
    assert_eq!(j["state"], "JobComplete", "{j}");
    assert_eq!(j["numberRecordsProcessed"], 100_000);
    assert_eq!(j["numberRecordsFailed"], 100);
    let ok = e
        .req(
            Method::GET,
            &format!("/jobs/ingest/{id}/successfulResults/"),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut lines = ok.lines();
    assert_eq!(
        lines.next(),
        Some(r#""sf__Id","sf__Created","Name","Ext_Id__c","Amount__c""#)
    );
    let first = lines.next().unwrap();
    assert!(
        first.starts_with("\"a01") && first.contains("\"true\",\"Row 0\""),
        "{first}"
    );
    assert_eq!(ok.lines().count(), 1 + 99_900);
    let bad = e
        .req(Method::GET, &format!("/jobs/ingest/{id}/failedResults/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(bad.lines().count(), 1 + 100);
    let row = bad.lines().nth(1).unwrap();
    assert!(row.contains("DUPLICATE_VALUE:duplicate value found: Ext_Id__c duplicates value on record with id: a01"), "{row}");
    let (_, c) = e.query("SELECT COUNT() FROM Gen_0001__c").await;
    assert_eq!(c["totalSize"], 99_900);
    let un = e
        .req(
            Method::GET,
            &format!("/jobs/ingest/{id}/unprocessedrecords/"),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(un.lines().count(), 1);
}

#[tokio::test]
async fn upsert_and_delete_ingest_jobs_use_external_ids_and_ids() {
    let e = common::env_with(OrgSpec {
        extra_objects: 1,
        extra_object_records: 3,
        ..OrgSpec::default()
    })
    .await;
    let (_, job) = e.send_json(Method::POST, "/jobs/ingest", json!({"object": "Gen_0001__c", "operation": "upsert", "externalIdFieldName": "Ext_Id__c"})).await;
    let id = job["id"].as_str().unwrap().to_string();
    let csv =
        "Ext_Id__c,Name,Account__r.Name\nGen_0001__c-0,renamed,\nNEW-1,new,\nNEW-2,bad,Nope\n";
    e.req(Method::PUT, &format!("/jobs/ingest/{id}/batches"))
        .body(csv)
        .send()
        .await
        .unwrap();
    e.send_json(
        Method::PATCH,
        &format!("/jobs/ingest/{id}"),
        json!({"state": "UploadComplete"}),
    )
    .await;
    let j = wait_done(&e, &id).await;
    assert_eq!(
        (
            j["numberRecordsProcessed"].clone(),
            j["numberRecordsFailed"].clone()
        ),
        (json!(3), json!(1))
    );
    let ok = e
        .req(Method::GET, &format!("/jobs/ingest/{id}/successfulResults"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(ok.contains("\"false\",\"Gen_0001__c-0\""), "{ok}");
    assert!(ok.contains("\"true\",\"NEW-1\""));
    let (_, q) = e
        .query("SELECT Id FROM Gen_0001__c WHERE Name = 'renamed'")
        .await;
    let rid = q["records"][0]["Id"].as_str().unwrap().to_string();
    let (_, job) = e
        .send_json(
            Method::POST,
            "/jobs/ingest",
            json!({"object": "Gen_0001__c", "operation": "delete"}),
        )
        .await;
    let id = job["id"].as_str().unwrap().to_string();
    e.req(Method::PUT, &format!("/jobs/ingest/{id}/batches"))
        .body(format!("Id\n{rid}\n001bad\n"))
        .send()
        .await
        .unwrap();
    e.send_json(
        Method::PATCH,
        &format!("/jobs/ingest/{id}"),
        json!({"state": "UploadComplete"}),
    )
    .await;
    let j = wait_done(&e, &id).await;
    assert_eq!(j["numberRecordsFailed"], 1);
    assert_eq!(
        e.query("SELECT Id FROM Gen_0001__c WHERE Name = 'renamed'")
            .await
            .1["totalSize"],
        0
    );
}

#[tokio::test]
async fn bulk_query_results_page_by_locator_and_max_records() {
    let e = common::env_with(OrgSpec {
        extra_objects: 1,
        extra_object_records: 2500,
        ..OrgSpec::default()
    })
    .await;
    let (s, job) = e.send_json(Method::POST, "/jobs/query", json!({"operation": "query", "query": "SELECT Id, Name, Account__r.Name FROM Gen_0001__c"})).await;
    assert_eq!(s, 200, "{job}");
    assert_eq!(job["jobType"], "V2Query");
    let id = job["id"].as_str().unwrap().to_string();
    let mut locator = String::new();
    let mut rows = 0;
    let mut pages = 0;
    loop {
        let q = if locator.is_empty() {
            "?maxRecords=1000".to_string()
        } else {
            format!("?maxRecords=1000&locator={locator}")
        };
        let r = e
            .req(Method::GET, &format!("/jobs/query/{id}/results{q}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let next = r.headers()["sforce-locator"].to_str().unwrap().to_string();
        let n: usize = r.headers()["sforce-numberofrecords"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let body = r.text().await.unwrap();
        assert_eq!(
            body.lines().next(),
            Some(r#""Id","Name","Account__r.Name""#)
        );
        assert_eq!(body.lines().count(), n + 1);
        rows += n;
        pages += 1;
        if next == "null" {
            break;
        }
        locator = next;
    }
    assert_eq!((rows, pages), (2500, 3));
    let (s, b) = e
        .send_json(
            Method::POST,
            "/jobs/query",
            json!({"operation": "query", "query": "SELECT Nope FROM Account"}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(
        b[0]["message"]
            .as_str()
            .unwrap()
            .contains("No such column 'Nope'")
    );
    let (_, l) = e.get_json("/limits").await;
    assert_eq!(l["DailyBulkV2QueryJobs"]["Remaining"], 9999);
}

#[tokio::test]
async fn uploads_append_keep_quoted_rows_intact_and_unprocessed_rows_come_back_verbatim() {
    let e = common::env_with(OrgSpec {
        extra_objects: 1,
        ..OrgSpec::default()
    })
    .await;
    let new_job = || async {
        let (_, job) = e
            .send_json(
                Method::POST,
                "/jobs/ingest",
                json!({"object": "Gen_0001__c", "operation": "insert"}),
            )
            .await;
        job["id"].as_str().unwrap().to_string()
    };
    let upload = |id: String, csv: &'static str| {
        let e = &e;
        async move {
            let r = e
                .req(Method::PUT, &format!("/jobs/ingest/{id}/batches"))
                .body(csv)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
        }
    };
    // Aborted before processing: every uploaded row is unprocessed, as uploaded.
    let id = new_job().await;
    upload(
        id.clone(),
        "Name,Ext_Id__c\n\"a, \"\"quoted\"\"\nname\",x-1\nb,x-2",
    )
    .await;
    e.send_json(
        Method::PATCH,
        &format!("/jobs/ingest/{id}"),
        json!({"state": "Aborted"}),
    )
    .await;
    let un = e
        .req(
            Method::GET,
            &format!("/jobs/ingest/{id}/unprocessedrecords/"),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        un,
        "\"Name\",\"Ext_Id__c\"\n\"a, \"\"quoted\"\"\nname\",x-1\nb,x-2\n"
    );
    // Two uploads to one job: both processed, the quoted row whole.
    let id = new_job().await;
    upload(id.clone(), "Name,Ext_Id__c\n\"c, \"\"q\"\"\nline\",y-1\n").await;
    upload(id.clone(), "Name,Ext_Id__c\nd,y-2\n").await;
    e.send_json(
        Method::PATCH,
        &format!("/jobs/ingest/{id}"),
        json!({"state": "UploadComplete"}),
    )
    .await;
    let j = wait_done(&e, &id).await;
    assert_eq!(j["numberRecordsProcessed"], 2);
    assert_eq!(j["numberRecordsFailed"], 0);
    let (_, q) = e
        .query("SELECT COUNT() FROM Gen_0001__c WHERE Ext_Id__c = 'y-1'")
        .await;
    assert_eq!(q["totalSize"], 1);
}
