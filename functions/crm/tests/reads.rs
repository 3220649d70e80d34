//! CRM reads against the simulator: paging to `totalSize`, typed filters returning the right
//! records, injection attempts matching nothing, and the contract's errors.

mod common;

use std::collections::HashSet;

use common::{env, ids};
use serde_json::{Value, json};
use shared::auth::Role;

fn names(body: &Value) -> Vec<String> {
    let mut n: Vec<String> = body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Name"].as_str().unwrap_or_default().to_string())
        .collect();
    n.sort();
    n
}

#[tokio::test]
async fn paging_through_query_more_reaches_total_size_exactly() {
    let e = env(false).await;
    let rows: Vec<Value> = (0..4500)
        .map(|i| json!({"Name": format!("Account {i:05}")}))
        .collect();
    e.insert("Account", rows);
    let first = e
        .post(
            "/api/query/soql",
            json!({"soql": "SELECT Id, Name FROM Account"}),
        )
        .await;
    let body = first.ok().clone();
    assert_eq!(body["total_size"], 4500);
    assert_eq!(body["done"], false);
    assert_eq!(body["records"].as_array().unwrap().len(), 2000);
    assert!(
        body["sforce_limit_info"]
            .as_str()
            .unwrap()
            .starts_with("api-usage=")
    );
    let mut seen: Vec<String> = ids(&body);
    let mut next = body["next_records_path"].as_str().map(str::to_string);
    let mut pages = 1;
    while let Some(path) = next {
        let r = e
            .post("/api/query/more", json!({"next_records_path": path}))
            .await;
        let page = r.ok();
        assert_eq!(page["total_size"], 4500);
        seen.extend(ids(page));
        next = page["next_records_path"].as_str().map(str::to_string);
        assert_eq!(page["done"], next.is_none());
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 4500);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 4500);
    // Reads leave the connection's last_used_at alone.
    let stamped: Option<chrono::DateTime<chrono::Utc>> = e
        .app
        .owner
        .query_one(
            "SELECT last_used_at FROM crm_connections WHERE client_id = $1",
            &[&e.client],
        )
        .await
        .unwrap()
        .get(0);
    assert!(stamped.is_none());
}

#[tokio::test]
async fn typed_literal_filters_return_the_right_records() {
    let e = env(true).await;
    let search = |object: &str, filters: Value| json!({"object_name": object, "fields": ["Id", "Name"], "filters": filters});
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (
            search(
                "Opportunity",
                json!([{"field": "Amount", "op": "gte", "value": 75000}]),
            ),
            vec!["Acme 3 renewal", "Acme 4 renewal", "Acme 5 renewal"],
        ),
        (
            search(
                "Opportunity",
                json!([{"field": "Amount", "op": "in", "value": [25000, 50000.0]}]),
            ),
            vec!["Acme 1 renewal", "Acme 2 renewal"],
        ),
        (
            search(
                "Opportunity",
                json!([{"field": "IsWon", "op": "eq", "value": true}]),
            ),
            vec!["Acme 3 renewal"],
        ),
        (
            search(
                "Opportunity",
                json!([{"field": "CloseDate", "op": "gt", "value": "2026-03-01", "type": "date"},
                                         {"field": "IsWon", "op": "eq", "value": "false", "type": "boolean"}]),
            ),
            vec!["Acme 4 renewal", "Acme 5 renewal"],
        ),
        (
            search(
                "Opportunity",
                json!([{"field": "CloseDate", "op": "in", "value": ["2026-02-15", "2026-05-15"], "type": "date"}]),
            ),
            vec!["Acme 2 renewal", "Acme 5 renewal"],
        ),
        (
            search(
                "Account",
                json!([{"field": "CreatedDate", "op": "gt", "value": "2020-01-01T00:00:00+05:00", "type": "datetime"},
                                     {"field": "NumberOfEmployees", "op": "lt", "value": "150", "type": "number"}]),
            ),
            vec!["Acme 1", "Acme 2"],
        ),
        (
            search(
                "Account",
                json!([{"field": "CreatedDate", "op": "gt", "value": "2999-01-01T00:00:00Z", "type": "datetime"}]),
            ),
            vec![],
        ),
        (
            search(
                "Account",
                json!([{"field": "Name", "op": "starts_with", "value": "Acme"},
                                     {"field": "BillingCity", "op": "neq", "value": "London"}]),
            ),
            vec!["Acme 1", "Acme 3", "Acme 5"],
        ),
    ];
    for (body, expected) in cases {
        let r = e.post("/api/crm/search", body.clone()).await;
        assert_eq!(names(r.ok()), expected, "{body}");
        let r = e.post("/api/crm/count", body.clone()).await;
        assert_eq!(r.ok()["count"], expected.len(), "{body}");
    }
    // A datetime with an offset is compared in UTC: the seeded events start 2026-02-01T10:00Z.
    let r = e
        .post(
            "/api/crm/count",
            json!({"object_name": "Event", "filters": [
                {"field": "StartDateTime", "op": "eq", "value": "2026-02-01T12:00:00+02:00", "type": "datetime"}]}),
        )
        .await;
    assert_eq!(r.ok()["count"], 5);
    // Null: a contact without an email.
    e.insert("Contact", vec![json!({"LastName": "Nomail"})]);
    let null = |op: &str| json!({"object_name": "Contact", "filters": [{"field": "Email", "op": op, "value": null}]});
    assert_eq!(e.post("/api/crm/count", null("eq")).await.ok()["count"], 1);
    assert_eq!(
        e.post("/api/crm/count", null("neq")).await.ok()["count"],
        10
    );
}

#[tokio::test]
async fn injection_attempts_match_nothing_or_are_refused() {
    let e = env(true).await;
    for value in [
        "' OR Id != '",
        "x' OR Name LIKE '%",
        "\\' OR Name != \\'",
        "Acme 1' OR Name = 'Acme 2",
    ] {
        let r = e
            .post(
                "/api/crm/search",
                json!({"object_name": "Account", "filters": [{"field": "Name", "op": "eq", "value": value}]}),
            )
            .await;
        let body = r.ok();
        assert_eq!(body["total_size"], 0, "{value}: {body}");
    }
    e.insert(
        "Account",
        vec![json!({"Name": "O'Brien \\ \"Sons\"\n100%"})],
    );
    let r = e
        .post(
            "/api/crm/search",
            json!({"object_name": "Account", "filters": [{"field": "Name", "op": "eq", "value": "O'Brien \\ \"Sons\"\n100%"}]}),
        )
        .await;
    assert_eq!(r.ok()["total_size"], 1);
    let r = e
        .post(
            "/api/crm/count",
            json!({"object_name": "Account", "filters": [{"field": "Name", "op": "contains", "value": "100%"}]}),
        )
        .await;
    assert_eq!(r.ok()["count"], 1);
    e.post(
        "/api/crm/search",
        json!({"object_name": "Account WHERE Id != null"}),
    )
    .await
    .assert_error(400, "Invalid object name: Account WHERE Id != null");
    e.post(
        "/api/crm/search",
        json!({"object_name": "Account", "fields": ["Id FROM User --"]}),
    )
    .await
    .assert_error(400, "Invalid field name: Id FROM User --");
    e.post(
        "/api/crm/associations",
        json!({"source_object": "Contact", "source_ids": ["003' OR Id != '"],
               "related_object": "Task", "related_fields": ["Id"]}),
    )
    .await
    .assert_error(400, "Invalid Salesforce ID in source_ids: 003' OR Id != '");
    e.post(
        "/api/query/soql",
        json!({"soql": "SELECT Id FROM Account; SELECT Id FROM User"}),
    )
    .await
    .assert_error(400, "SOQL query cannot contain semicolons");
    e.post("/api/query/soql", json!({"soql": "DELETE FROM Account"}))
        .await
        .assert_error(400, "SOQL query must be a single SELECT statement");
    // A literal that only looks like DML passes (API-DECISIONS §10).
    let r = e
        .post(
            "/api/query/soql",
            json!({"soql": "SELECT Id FROM Account WHERE Name = 'Update' OR Name = 'Merge'"}),
        )
        .await;
    assert_eq!(r.ok()["total_size"], 0);
}

#[tokio::test]
async fn objects_are_checked_against_the_latest_snapshot() {
    let e = env(true).await;
    e.snapshot(&["Account", "Opportunity"]).await;
    let r = e
        .post("/api/crm/count", json!({"object_name": "account"}))
        .await;
    assert_eq!(r.ok()["count"], 5);
    e.post("/api/crm/count", json!({"object_name": "Contact"}))
        .await
        .assert_error(404, "Object Contact not found in topology snapshot");
    e.post(
        "/api/crm/pipelines",
        json!({"object_name": "Lead", "field_name": "Status"}),
    )
    .await
    .assert_error(404, "Object Lead not found in topology snapshot");
}

#[tokio::test]
async fn the_contracts_errors() {
    let e = env(true).await;
    e.post("/api/query/soql", json!({"soql": "  "}))
        .await
        .assert_error(400, "SOQL query cannot be empty");
    let r = e
        .post("/api/query/soql", json!({"soql": "SELECT Id FRM Account"}))
        .await;
    assert_eq!(r.status.as_u16(), 502, "{}", r.text);
    assert_eq!(r.detail()["code"], "MALFORMED_QUERY");
    e.post(
        "/api/query/more",
        json!({"next_records_path": "/services/data/v60.0/sobjects/Account"}),
    )
    .await
    .assert_error(400, "Invalid next_records_path format");
    let r = e
        .post(
            "/api/query/more",
            json!({"next_records_path": "/services/data/v60.0/query/01gNOPE-2000"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 502);
    assert_eq!(r.detail()["code"], "INVALID_QUERY_LOCATOR");
    for (body, field) in [
        (json!({"object_name": "Account", "limit": 2001}), "limit"),
        (json!({"object_name": "Account", "offset": 2001}), "offset"),
        (json!({"object_name": "Account", "fields": []}), "fields"),
    ] {
        let r = e.post("/api/crm/search", body).await;
        assert_eq!(r.status.as_u16(), 422, "{}", r.text);
        assert_eq!(r.detail()[0]["loc"], json!(["body", field]));
    }
    e.post(
        "/api/crm/search",
        json!({"object_name": "Account", "filters": [{"field": "Name", "op": "in", "value": "x"}]}),
    )
    .await
    .assert_error(400, "Operator in requires a list value");
    let r = e
        .post("/api/crm/search", json!({"object_name": "Account", "filters": [{"field": "Name", "op": "or", "value": "x"}]}))
        .await;
    assert_eq!(r.status.as_u16(), 422);
    e.post("/api/crm/contact-roles", json!({"opportunity_ids": []}))
        .await
        .assert_error(400, "opportunity_ids cannot be empty");
    e.post(
        "/api/crm/associations",
        json!({"source_object": "Contact", "source_ids": [], "related_object": "Task", "related_fields": ["Id"]}),
    )
    .await
    .assert_error(400, "source_ids cannot be empty");
    e.post("/api/crm/activities", json!({}))
        .await
        .assert_error(400, "who_ids or what_ids is required");
    e.post("/api/crm/pipelines", json!({"field_name": "Nope__c"}))
        .await
        .assert_error(404, "Field Nope__c not found on Opportunity");

    // The connection prerequisite answers 404s here.
    let other = e.app.insert_client(e.org.id, "Initech").await;
    e.post(
        "/api/crm/count",
        json!({"client_id": other, "object_name": "Account"}),
    )
    .await
    .assert_error(404, "No active Salesforce connection");
    e.app
        .owner
        .execute(
            "INSERT INTO crm_connections (org_id, client_id, status) VALUES ($1, $2, 'connected')",
            &[&e.org.id, &other],
        )
        .await
        .unwrap();
    e.post(
        "/api/crm/count",
        json!({"client_id": other, "object_name": "Account"}),
    )
    .await
    .assert_error(404, "Connection has no Nango connection ID");
    // A company user of another client sees nothing; one of this client reads.
    let outsider = e
        .app
        .principal(e.org.id, Role::CompanyMember, Some(other))
        .await;
    e.app
        .post(
            "/api/crm/count",
            &outsider.token,
            json!({"client_id": e.client, "object_name": "Account"}),
        )
        .await
        .assert_error(404, "Client not found");
    let member = e
        .app
        .principal(e.org.id, Role::CompanyMember, Some(e.client))
        .await;
    let r = e
        .app
        .post(
            "/api/crm/count",
            &member.token,
            json!({"client_id": e.client, "object_name": "Account"}),
        )
        .await;
    assert_eq!(r.ok()["count"], 5);
}
