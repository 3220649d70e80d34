//! Conflict reports over a stored snapshot: checked, stored, read back; the contract's 400s and
//! 404s, and another org's report or client not found.

use serde_json::{Value, json};
use shared::auth::Role;
use testkit::TestApp;
use uuid::Uuid;

struct Env {
    app: TestApp,
    org: testkit::Org,
    client: Uuid,
    connection: Uuid,
}

async fn env() -> Env {
    let app = TestApp::new(conflicts::router).await;
    let org = app.org("acme").await;
    let client = app.insert_client(org.id, "Globex").await;
    let connection: Uuid = app
        .owner
        .query_one(
            "INSERT INTO crm_connections (org_id, client_id, status, nango_connection_id) \
             VALUES ($1, $2, 'connected', 'n-1') RETURNING id",
            &[&org.id, &client],
        )
        .await
        .unwrap()
        .get(0);
    Env {
        app,
        org,
        client,
        connection,
    }
}

impl Env {
    /// A snapshot holding `Account` (system fields, a required Name, one active rule).
    async fn snapshot(&self) -> Uuid {
        let id: Uuid = self
            .app
            .owner
            .query_one(
                "INSERT INTO crm_topology_snapshots (org_id, client_id, connection_id, version, \
                 snapshot, objects_count, custom_objects_count) \
                 VALUES ($1, $2, $3, 1, '{}', 1, 0) RETURNING id",
                &[&self.org.id, &self.client, &self.connection],
            )
            .await
            .unwrap()
            .get(0);
        let f = |n: &str, t: &str, c: bool, nil: bool, d: bool| {
            json!({"name": n, "type": t, "createable": c, "nillable": nil,
                   "defaultedOnCreate": d, "defaultValue": null})
        };
        let account = json!({"name": "Account", "fields": [
            f("Id", "id", false, false, true), f("OwnerId", "reference", true, false, true),
            f("CreatedDate", "datetime", false, false, true), f("Name", "string", true, false, false),
        ]});
        let rules = json!([{"name": "Needs_Phone", "active": true}]);
        self.app
            .owner
            .execute(
                "INSERT INTO crm_topology_objects (snapshot_id, object_name, org_id, describe, \
                 validation_rules, described_at) VALUES ($1, 'Account', $2, $3, $4, now())",
                &[&id, &self.org.id, &account, &rules],
            )
            .await
            .unwrap();
        id
    }

    async fn post(&self, path: &str, body: Value) -> testkit::Reply {
        self.app.post(path, &self.org.admin.token, body).await
    }
}

#[tokio::test]
async fn a_plan_is_checked_stored_and_read_back() {
    let env = env().await;
    let snapshot = env.snapshot().await;
    let plan = json!({
        "custom_objects": [{"api_name": "Gadget__c", "label": "Gadget",
                            "fields": [{"api_name": "Size__c", "type": "Number"}]}],
        "standard_object_fields": [{"object": "Account",
                                    "fields": [{"api_name": "Name", "type": "Text"}]}],
    });
    let r = env
        .post(
            "/api/conflicts/check",
            json!({"client_id": env.client, "deployment_plan": plan}),
        )
        .await;
    let report = r.ok().clone();
    assert_eq!(report["overall_severity"], "yellow");
    assert_eq!(
        (
            &report["green_count"],
            &report["yellow_count"],
            &report["red_count"]
        ),
        (&json!(3), &json!(2), &json!(0))
    );
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "Gadget__c does not exist - safe to create",
            "Gadget__c.Size__c does not exist - safe to create",
            "Account exists in topology snapshot",
            "Account.Name already exists with same type (string)",
            "Account has active validation rules",
        ]
    );
    let stored: (Uuid, Value) = env
        .app
        .owner
        .query_one(
            "SELECT topology_snapshot_id, deployment_plan FROM crm_conflict_reports WHERE id = $1",
            &[&report["id"].as_str().unwrap().parse::<Uuid>().unwrap()],
        )
        .await
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    assert_eq!(stored, (snapshot, plan));
    let again = env
        .post("/api/conflicts/get", json!({"id": report["id"]}))
        .await;
    assert_eq!(again.ok(), &report);

    let other = env.app.org("other").await;
    env.app
        .post(
            "/api/conflicts/get",
            &other.admin.token,
            json!({"id": report["id"]}),
        )
        .await
        .assert_error(404, "Conflict report not found");
    env.app
        .post(
            "/api/conflicts/check",
            &other.admin.token,
            json!({"client_id": env.client, "deployment_plan": {}}),
        )
        .await
        .assert_error(404, "Client not found");
}

#[tokio::test]
async fn errors_follow_the_contract() {
    let env = env().await;
    let body = json!({"client_id": env.client, "deployment_plan": {}});
    let anon = env
        .app
        .call(
            http::Method::POST,
            "/api/conflicts/check",
            None,
            Some(body.clone()),
        )
        .await;
    assert_eq!(anon.status, 401);
    let bad = env
        .post(
            "/api/conflicts/check",
            json!({"client_id": env.client, "deployment_plan": []}),
        )
        .await;
    assert_eq!(bad.status, 422);
    let member = env
        .app
        .principal(env.org.id, Role::CompanyAdmin, Some(env.client))
        .await;
    let r = env
        .app
        .post("/api/conflicts/check", &member.token, body.clone())
        .await;
    assert_eq!(r.status, 403);
    env.post("/api/conflicts/check", body.clone())
        .await
        .assert_error(
            400,
            "No topology snapshot found - run a topology pull first.",
        );
    env.snapshot().await;
    env.app
        .owner
        .execute(
            "UPDATE crm_connections SET status = 'revoked' WHERE id = $1",
            &[&env.connection],
        )
        .await
        .unwrap();
    env.post("/api/conflicts/check", body)
        .await
        .assert_error(400, "No connected Salesforce connection found");
    env.post("/api/conflicts/get", json!({"id": Uuid::new_v4()}))
        .await
        .assert_error(404, "Conflict report not found");
}
