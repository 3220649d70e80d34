//! Long ID lists: 5,000 opportunities with more than 2,000 contact roles per 300-id chunk come
//! back whole (counts checked), and no request URI passes 16,384 bytes.

mod common;

use std::collections::HashSet;

use common::{Env, env, ids};
use serde_json::{Value, json};

/// Contact roles per opportunity: 300 × 7 = 2,100 rows per chunk, past one 2,000-row page.
const ROLES_PER_OPP: usize = 7;
const OPPS: usize = 5000;

async fn big_org() -> (Env, Vec<String>, String) {
    let e = env(false).await;
    let contact = e.insert("Contact", vec![json!({"LastName": "Buyer"})])[0].clone();
    let opps: Vec<Value> = (0..OPPS)
        .map(|i| {
            json!({"Name": format!("Deal {i}"), "StageName": "Prospecting", "CloseDate": "2026-06-30"})
        })
        .collect();
    let opp_ids = e.insert("Opportunity", opps);
    let roles: Vec<Value> = opp_ids
        .iter()
        .flat_map(|id| {
            let contact = contact.clone();
            (0..ROLES_PER_OPP).map(move |k| {
                json!({"OpportunityId": id, "ContactId": contact, "Role": format!("Role {k}"),
                       "IsPrimary": k == 0})
            })
        })
        .collect();
    e.insert("OpportunityContactRole", roles);
    (e, opp_ids, contact)
}

fn check_uris(e: &Env) {
    let log = e.query_requests();
    assert!(!log.is_empty());
    for r in &log {
        assert!(
            r.uri_length <= 16_384,
            "{} {} is {} bytes",
            r.method,
            r.path,
            r.uri_length
        );
        assert_eq!(r.status, 200, "{}", r.path);
    }
    // Some chunks needed a second page.
    assert!(log.iter().any(|r| r.path.contains("/query/01g")));
}

#[tokio::test]
async fn contact_roles_of_5000_opportunities_come_back_whole() {
    let (e, opp_ids, _) = big_org().await;
    let r = e
        .post(
            "/api/crm/contact-roles",
            json!({"opportunity_ids": opp_ids}),
        )
        .await;
    let body = r.ok();
    let expected = OPPS * ROLES_PER_OPP;
    assert_eq!(body["total_size"], expected);
    assert_eq!(body["done"], true);
    assert_eq!(body["next_records_path"], Value::Null);
    let got = ids(body);
    assert_eq!(got.len(), expected);
    assert_eq!(got.iter().collect::<HashSet<_>>().len(), expected);
    let per_opp = body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["OpportunityId"].as_str().unwrap())
        .collect::<HashSet<_>>();
    assert_eq!(per_opp.len(), OPPS);
    check_uris(&e);
    // 17 chunks of at most 300 ids, each 2 pages (the last one: 200 ids, 1,400 rows, 1 page).
    let log = e.query_requests();
    assert_eq!(
        log.iter().filter(|r| r.path.ends_with("/query/")).count(),
        17
    );
    assert_eq!(log.len(), 17 + 16);
}

#[tokio::test]
async fn associations_of_5000_ids_come_back_whole() {
    let (e, opp_ids, contact) = big_org().await;
    let r = e
        .post(
            "/api/crm/associations",
            json!({"source_object": "Opportunity", "source_ids": opp_ids,
                   "related_object": "OpportunityContactRole",
                   "related_fields": ["Id", "OpportunityId", "Role", "Opportunity.Name"]}),
        )
        .await;
    let body = r.ok();
    let expected = OPPS * ROLES_PER_OPP;
    assert_eq!(body["total_size"], expected);
    assert_eq!(body["done"], true);
    let got = ids(body);
    assert_eq!(got.iter().collect::<HashSet<_>>().len(), expected);
    assert_eq!(body["records"][0]["Opportunity"]["Name"], "Deal 0");
    check_uris(&e);

    // From the contact's side: one id, every row (35,000 rows in 2,000-row pages).
    let r = e
        .post(
            "/api/crm/associations",
            json!({"source_object": "Contact", "source_ids": [contact],
                   "related_object": "OpportunityContactRole", "related_fields": ["Id"]}),
        )
        .await;
    let body = r.ok();
    assert_eq!(body["total_size"], expected);
    assert_eq!(ids(body).len(), expected);
}
