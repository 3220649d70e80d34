//! The tenant-isolation matrix: another org's admin, holding every id of ours, gets 404 on every
//! route that addresses one, and never sees our rows in a list.

use serde_json::{Value, json};
use testkit::TestApp;
use uuid::Uuid;

#[tokio::test]
async fn another_org_can_address_none_of_our_ids_and_lists_none_of_our_rows() {
    let app = TestApp::new(local::app).await;
    let ours = app.org("ours").await;
    let theirs = app.org("theirs").await;
    let t = &ours.admin.token;
    let client: Uuid = serde_json::from_value(
        app.post("/api/clients/create", t, json!({"name": "C"}))
            .await
            .ok()["id"]
            .clone(),
    )
    .unwrap();
    let token_id = app.post("/api/tokens/create", t, json!({})).await.ok()["id"].clone();
    let conn: Uuid = app
        .owner
        .query_one(
            "INSERT INTO crm_connections (org_id, client_id, status, nango_connection_id) VALUES ($1, $2, 'connected', 'n1') RETURNING id",
            &[&ours.id, &client],
        )
        .await
        .unwrap()
        .get(0);
    let job: Uuid = app
        .owner
        .query_one(
            "INSERT INTO jobs (org_id, client_id, kind) VALUES ($1, $2, 'noop') RETURNING id",
            &[&ours.id, &client],
        )
        .await
        .unwrap()
        .get(0);
    let webhook: Uuid = app
        .owner
        .query_one(
            "INSERT INTO webhooks (org_id, url, secret_hash) VALUES ($1, 'https://example.com/h', 'x') RETURNING id",
            &[&ours.id],
        )
        .await
        .unwrap()
        .get(0);

    let snapshot: Uuid = app
        .owner
        .query_one(
            "INSERT INTO crm_topology_snapshots (org_id, client_id, connection_id, snapshot) VALUES ($1, $2, $3, '{}') RETURNING id",
            &[&ours.id, &client, &conn],
        )
        .await
        .unwrap()
        .get(0);
    let report: Uuid = app
        .owner
        .query_one(
            "INSERT INTO crm_conflict_reports (org_id, client_id, connection_id, topology_snapshot_id, deployment_plan, findings, overall_severity)
             VALUES ($1, $2, $3, $4, '{}', '[]', 'green') RETURNING id",
            &[&ours.id, &client, &conn, &snapshot],
        )
        .await
        .unwrap()
        .get(0);
    let deployment: Uuid = app
        .owner
        .query_one(
            "INSERT INTO crm_deployments (org_id, client_id, connection_id, deployed_by, deployment_type, status, plan, result)
             VALUES ($1, $2, $3, 'u', 'custom_object', 'succeeded', '{}', '{}') RETURNING id",
            &[&ours.id, &client, &conn],
        )
        .await
        .unwrap()
        .get(0);
    let push_log: Uuid = app
        .owner
        .query_one(
            "INSERT INTO crm_push_logs (org_id, client_id, connection_id, object_type) VALUES ($1, $2, $3, 'Contact') RETURNING id",
            &[&ours.id, &client, &conn],
        )
        .await
        .unwrap()
        .get(0);
    let by_client = json!({"client_id": client});
    let by_object = json!({"client_id": client, "canonical_object": "contact"});
    let mapping = json!({"client_id": client, "canonical_object": "contact", "sfdc_object": "Contact", "field_mappings": {}});
    let link = json!({"object_type": "Contact", "external_id_field": "Ext__c", "external_id": "a",
                      "relationship_field": "AccountId", "target_object": "Account",
                      "target_external_id_field": "Ext__c", "target_external_id": "b"});
    let plan = json!({"client_id": client, "plan": {}});
    let matrix: Vec<(&str, Value)> = vec![
        ("/api/clients/get", json!({"id": client})),
        ("/api/tokens/revoke", json!({"id": token_id})),
        (
            "/api/users/create",
            json!({"email": "x@y.z", "password": "password123", "role": "company_member", "client_id": client}),
        ),
        ("/api/connections/create", by_client.clone()),
        (
            "/api/connections/callback",
            json!({"client_id": client, "nango_connection_id": "n1"}),
        ),
        ("/api/connections/list", by_client.clone()),
        ("/api/connections/get", json!({"id": conn})),
        ("/api/connections/refresh", by_client.clone()),
        ("/api/connections/revoke", by_client.clone()),
        (
            "/api/connections/update",
            json!({"client_id": client, "auto_refresh": true}),
        ),
        ("/api/connections/limits", by_client.clone()),
        ("/api/jobs/get", json!({"id": job})),
        ("/api/jobs/list", by_client.clone()),
        ("/api/events/list", by_client.clone()),
        ("/api/webhooks/delete", json!({"id": webhook})),
        (
            "/api/webhooks/create",
            json!({"url": "https://example.com/x", "client_id": client}),
        ),
        ("/api/topology/pull", by_client.clone()),
        ("/api/topology/get", by_client.clone()),
        ("/api/topology/history", by_client.clone()),
        (
            "/api/topology/picklist",
            json!({"client_id": client, "object_name": "Account", "field_name": "Type"}),
        ),
        (
            "/api/topology/diff",
            json!({"client_id": client, "version_a": 1, "version_b": 2}),
        ),
        (
            "/api/conflicts/check",
            json!({"client_id": client, "deployment_plan": {}}),
        ),
        ("/api/conflicts/get", json!({"id": report})),
        ("/api/mappings/create", mapping.clone()),
        ("/api/mappings/get", by_object.clone()),
        ("/api/mappings/list", by_client.clone()),
        (
            "/api/mappings/update",
            json!({"client_id": client, "canonical_object": "contact", "sfdc_object": "Lead"}),
        ),
        ("/api/mappings/deactivate", by_object.clone()),
        ("/api/field-mappings/set", mapping.clone()),
        ("/api/field-mappings/list", by_client.clone()),
        ("/api/field-mappings/get", by_object.clone()),
        ("/api/field-mappings/delete", by_object.clone()),
        (
            "/api/push/records",
            json!({"client_id": client, "object_type": "Contact", "external_id_field": "Ext__c",
                   "records": [{"Ext__c": "a"}]}),
        ),
        (
            "/api/push/validate",
            json!({"client_id": client, "canonical_object": "contact", "field_names": ["a"]}),
        ),
        ("/api/push/status", json!({"id": push_log})),
        ("/api/push/history", by_client.clone()),
        (
            "/api/push/status-update",
            json!({"client_id": client, "object_type": "Contact",
                   "updates": [{"id": "003000000000001AAA", "fields": {}}]}),
        ),
        (
            "/api/push/link",
            json!({"client_id": client, "links": [link]}),
        ),
        (
            "/api/query/soql",
            json!({"client_id": client, "soql": "SELECT Id FROM Account"}),
        ),
        (
            "/api/query/more",
            json!({"client_id": client, "next_records_path": "/services/data/v60.0/query/01g1-2000"}),
        ),
        (
            "/api/query/bulk",
            json!({"client_id": client, "soql": "SELECT Id FROM Account"}),
        ),
        (
            "/api/query/bulk-results",
            json!({"client_id": client, "job_id": "750000000000001AAA"}),
        ),
        (
            "/api/crm/search",
            json!({"client_id": client, "object_name": "Account"}),
        ),
        (
            "/api/crm/count",
            json!({"client_id": client, "object_name": "Account"}),
        ),
        (
            "/api/crm/associations",
            json!({"client_id": client, "source_object": "Contact", "source_ids": ["003000000000001"],
                   "related_object": "Task", "related_fields": ["Id"]}),
        ),
        (
            "/api/crm/contact-roles",
            json!({"client_id": client, "opportunity_ids": ["006000000000001"]}),
        ),
        (
            "/api/crm/campaign-members",
            json!({"client_id": client, "campaign_id": "701000000000001"}),
        ),
        ("/api/crm/lead-conversions", by_client.clone()),
        ("/api/crm/pipelines", by_client.clone()),
        (
            "/api/crm/activities",
            json!({"client_id": client, "who_ids": ["003000000000001"]}),
        ),
        ("/api/deploy/execute", plan.clone()),
        ("/api/deploy/custom-objects", plan.clone()),
        ("/api/deploy/validate", plan.clone()),
        ("/api/deploy/analytics", plan.clone()),
        ("/api/deploy/status", json!({"id": deployment})),
        ("/api/deploy/history", by_client.clone()),
        ("/api/workflows/list", by_client.clone()),
        ("/api/workflows/deploy", plan.clone()),
        ("/api/deploy/workflows", plan.clone()),
        ("/api/workflows/remove", by_client.clone()),
    ];
    // Routes whose contract answers 400 to a deployment that is not the caller's.
    let bad_request = ["/api/deploy/rollback", "/api/deploy/analytics-rollback"];
    for path in bad_request {
        let r = app
            .post(path, &theirs.admin.token, json!({"id": deployment}))
            .await;
        r.assert_error(
            400,
            "Deployment does not exist or is not in succeeded status",
        );
    }
    for (path, body) in &matrix {
        let r = app.post(path, &theirs.admin.token, body.clone()).await;
        assert_eq!(
            r.status, 404,
            "{path} answered {} to another org: {}",
            r.status, r.text
        );
    }
    // Every POST route of the document that takes an id or client_id is in the matrix.
    let doc = serde_json::to_value(health::document()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(post) = item.get("post") else {
            continue;
        };
        let schema = &post["requestBody"]["content"]["application/json"]["schema"];
        let schema = match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => doc["components"]["schemas"][r.rsplit('/').next().unwrap()].clone(),
            None => schema.clone(),
        };
        let props = schema["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let addresses = props.contains_key("id") || props.contains_key("client_id");
        if addresses && !path.starts_with("/api/super-admin/") {
            assert!(
                matrix.iter().any(|(p, _)| p == path) || bad_request.contains(&path.as_str()),
                "{path} takes an id but is not in the isolation matrix"
            );
        }
    }
    // Lists never show our rows.
    for path in [
        "/api/clients/list",
        "/api/users/list",
        "/api/tokens/list",
        "/api/connections/list",
        "/api/jobs/list",
        "/api/webhooks/list",
        "/api/events/list",
    ] {
        let r = app.post(path, &theirs.admin.token, json!({})).await;
        let text = r.ok().to_string();
        for id in [
            client.to_string(),
            conn.to_string(),
            job.to_string(),
            webhook.to_string(),
            ours.admin.user_id.to_string(),
        ] {
            assert!(!text.contains(&id), "{path} shows another org's row {id}");
        }
    }
}
