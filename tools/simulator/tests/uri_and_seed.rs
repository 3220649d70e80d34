//! The URI limit (414 past 16,384 bytes, URI lengths in the request log) and direct record
//! inserts for large tests.

mod common;

use serde_json::{Map, Value, json};
use simulator::OrgSpec;

fn record(pairs: Value) -> Map<String, Value> {
    pairs.as_object().cloned().unwrap()
}

#[tokio::test]
async fn uris_over_16384_bytes_are_refused_and_lengths_are_logged() {
    let e = common::env_with(OrgSpec {
        seed_records: false,
        ..OrgSpec::default()
    })
    .await;
    let short = "SELECT Id FROM Account";
    let (s, _) = e.query(short).await;
    assert_eq!(s, 200);
    let log = e.sim.request_log(&e.org_id);
    let last = log.last().unwrap();
    let expected = "/services/data/v60.0/query".len() + "?q=".len() + common::enc(short).len();
    assert_eq!(last.uri_length, expected);

    let ids: Vec<String> = (0..1000)
        .map(|i| format!("'001000000000{i:03}AAA'"))
        .collect();
    let long = format!("SELECT Id FROM Account WHERE Id IN ({})", ids.join(","));
    let (s, _) = e.query(&long).await;
    assert_eq!(s, 414);
    let log = e.sim.request_log(&e.org_id);
    let last = log.last().unwrap();
    assert_eq!(last.status, 414);
    assert!(last.uri_length > 16_384, "{}", last.uri_length);
}

#[tokio::test]
async fn records_inserted_directly_are_typed_and_queryable() {
    let e = common::env_with(OrgSpec {
        seed_records: false,
        ..OrgSpec::default()
    })
    .await;
    let rows: Vec<Map<String, Value>> = (0..3)
        .map(|i| {
            record(
                json!({"Name": format!("Opp {i}"), "StageName": "Prospecting",
                          "CloseDate": "2026-05-01", "Amount": 1000 * i}),
            )
        })
        .collect();
    let ids = e
        .sim
        .insert_records(&e.org_id, "Opportunity", &rows)
        .unwrap();
    assert_eq!(ids.len(), 3);
    assert!(ids.iter().all(|id| id.starts_with("006")));
    let (s, b) = e
        .query("SELECT Name FROM Opportunity WHERE Amount >= 1000 ORDER BY Name")
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["totalSize"], 2);
    assert_eq!(b["records"][1]["Name"], "Opp 2");
    let bad = e
        .sim
        .insert_records(&e.org_id, "Opportunity", &[record(json!({"Nope__c": 1}))]);
    assert_eq!(bad.unwrap_err(), "no field Opportunity.Nope__c");
    assert!(
        e.sim
            .insert_records(&e.org_id, "Opportunity", &[record(json!({"Amount": true}))])
            .is_err()
    );
}

#[tokio::test]
async fn id_lists_match_15_and_18_character_ids_inside_and() {
    let e = common::env().await;
    let (_, accounts) = e
        .query("SELECT Id FROM Account WHERE Name IN ('Acme 1', 'Acme 2') ORDER BY Name")
        .await;
    let a1 = accounts["records"][0]["Id"].as_str().unwrap().to_string();
    let a2 = accounts["records"][1]["Id"].as_str().unwrap().to_string();
    let q = format!(
        "SELECT Id FROM Contact WHERE AccountId IN ('{}', '{a2}', '001000000000000AAA') AND FirstName = 'Grace'",
        &a1[..15]
    );
    let (s, b) = e.query(&q).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["totalSize"], 2);
    let q = format!("SELECT Id FROM Contact WHERE AccountId NOT IN ('{a1}')");
    let (_, b) = e.query(&q).await;
    assert_eq!(b["totalSize"], 8);
    let q = format!("SELECT Id FROM Contact WHERE AccountId IN ('{a1}') OR FirstName = 'Alan'");
    let (_, b) = e.query(&q).await;
    assert_eq!(b["totalSize"], 6);
}
