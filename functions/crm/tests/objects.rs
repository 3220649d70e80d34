//! CRM reads of particular objects against the simulator: campaign members, converted leads,
//! pipelines, activities, and Bulk API 2.0 query jobs paged by locator.

mod common;

use common::{env, ids};
use serde_json::{Value, json};

#[tokio::test]
async fn campaigns_leads_pipelines_and_activities() {
    let e = env(true).await;
    let campaign = e
        .post(
            "/api/query/soql",
            json!({"soql": "SELECT Id FROM Campaign"}),
        )
        .await;
    let campaign = ids(campaign.ok())[0].clone();
    let r = e
        .post(
            "/api/crm/campaign-members",
            json!({"campaign_id": campaign}),
        )
        .await;
    let body = r.ok();
    assert_eq!(body["total_size"], 8);
    assert_eq!(body["records"][0]["CampaignId"], campaign.as_str());
    e.post(
        "/api/crm/campaign-members",
        json!({"campaign_id": "' OR Id != '"}),
    )
    .await
    .assert_error(400, "Invalid Salesforce ID in campaign_id: ' OR Id != '");

    e.insert(
        "Lead",
        vec![
            json!({"LastName": "Converted", "Company": "C1", "IsConverted": true, "ConvertedDate": "2026-02-01", "LeadSource": "Web"}),
            json!({"LastName": "Converted Too", "Company": "C2", "IsConverted": true, "ConvertedDate": "2026-03-01", "LeadSource": "Phone Inquiry"}),
        ],
    );
    let r = e.post("/api/crm/lead-conversions", json!({})).await;
    assert_eq!(r.ok()["total_size"], 2);
    let r = e
        .post(
            "/api/crm/lead-conversions",
            json!({"filters": [{"field": "ConvertedDate", "op": "gt", "value": "2026-02-15", "type": "date"}],
                   "fields": ["Id", "LastName"]}),
        )
        .await;
    assert_eq!(r.ok()["records"][0]["LastName"], "Converted Too");

    let r = e.post("/api/crm/pipelines", json!({})).await;
    let body = r.ok();
    assert_eq!(body["object_name"], "Opportunity");
    assert_eq!(body["field_name"], "StageName");
    let stages: Vec<&str> = body["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["value"].as_str().unwrap())
        .collect();
    assert!(
        stages.contains(&"Prospecting") && stages.contains(&"Closed Won"),
        "{stages:?}"
    );

    let contacts = e
        .post("/api/query/soql", json!({"soql": "SELECT Id FROM Contact"}))
        .await;
    let contacts = ids(contacts.ok());
    let opps = e
        .post(
            "/api/query/soql",
            json!({"soql": "SELECT Id FROM Opportunity"}),
        )
        .await;
    let opps = ids(opps.ok());
    // Each account has a task (who: first contact, what: opportunity) and an event (who:
    // second contact, what: account).
    let r = e
        .post(
            "/api/crm/activities",
            json!({"who_ids": contacts, "what_ids": opps}),
        )
        .await;
    let body = r.ok();
    assert_eq!(body["total_size"], 10, "{body}");
    let types: Vec<&str> = body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["attributes"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(types.iter().filter(|t| **t == "Task").count(), 5);
    assert_eq!(types.iter().filter(|t| **t == "Event").count(), 5);
    let r = e
        .post("/api/crm/activities", json!({"what_ids": opps, "limit": 2}))
        .await;
    assert_eq!(r.ok()["total_size"], 2);
}

#[tokio::test]
async fn bulk_query_jobs_page_their_results_by_locator() {
    let e = env(false).await;
    let rows: Vec<Value> = (0..2500)
        .map(|i| json!({"Name": format!("Bulk {i:05}"), "NumberOfEmployees": i}))
        .collect();
    e.insert("Account", rows);
    e.post("/api/query/bulk", json!({"soql": "DELETE FROM Account"}))
        .await
        .assert_error(400, "SOQL query must be a single SELECT statement");
    let r = e
        .post(
            "/api/query/bulk",
            json!({"soql": "SELECT Id, Name, NumberOfEmployees FROM Account WHERE NumberOfEmployees >= 500"}),
        )
        .await;
    let job = r.ok().clone();
    let job_id = job["job_id"].as_str().unwrap().to_string();
    assert_eq!(job["operation"], "query");
    let first = testkit::eventually("the bulk query job to complete", || async {
        let r = e
            .post(
                "/api/query/bulk-results",
                json!({"job_id": job_id, "max_records": 1000}),
            )
            .await;
        let body = r.ok().clone();
        (body["state"] == "JobComplete").then_some(body)
    })
    .await;
    assert_eq!(first["columns"], json!(["Id", "Name", "NumberOfEmployees"]));
    let mut total = first["records"].as_array().unwrap().len();
    let mut locator = first["next_locator"].as_str().map(str::to_string);
    while let Some(l) = locator {
        let r = e
            .post(
                "/api/query/bulk-results",
                json!({"job_id": job_id, "locator": l, "max_records": 1000}),
            )
            .await;
        let page = r.ok();
        total += page["records"].as_array().unwrap().len();
        locator = page["next_locator"].as_str().map(str::to_string);
        assert_eq!(page["done"], locator.is_none());
    }
    assert_eq!(total, 2000);
    e.post("/api/query/bulk-results", json!({"job_id": "750' OR 1=1"}))
        .await
        .assert_error(400, "Invalid job_id");
    e.post(
        "/api/query/bulk-results",
        json!({"job_id": "750000000000000AAA"}),
    )
    .await
    .assert_error(404, "Bulk query job not found");
}
