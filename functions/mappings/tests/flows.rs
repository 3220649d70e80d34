//! Mappings: the versioned `/api/mappings/*` and the older `/api/field-mappings/*` views of one
//! table, with the version bumped only by content changes.

use serde_json::{Value, json};
use shared::auth::Role;
use testkit::TestApp;
use uuid::Uuid;

struct Env {
    app: TestApp,
    token: String,
    client: Uuid,
}

async fn env() -> Env {
    let app = TestApp::new(mappings::router).await;
    let org = app.org("acme").await;
    let client = app.insert_client(org.id, "Globex").await;
    Env {
        app,
        token: org.admin.token,
        client,
    }
}

impl Env {
    async fn post(&self, path: &str, body: Value) -> testkit::Reply {
        self.app.post(path, &self.token, body).await
    }

    fn person(&self, mappings: Value) -> Value {
        json!({"client_id": self.client, "canonical_object": "person", "sfdc_object": "Contact",
               "field_mappings": mappings, "external_id_field": "Ext__c"})
    }
}

#[tokio::test]
async fn create_get_list_update_and_deactivate_follow_the_contract() {
    let env = env().await;
    let c = env.client;
    let created = env
        .post(
            "/api/mappings/create",
            env.person(json!({"email": "Email"})),
        )
        .await
        .ok()
        .clone();
    assert_eq!(created["mapping_version"], 1);
    assert_eq!(created["sfdc_object"], "Contact");
    assert_eq!(created["field_mappings"], json!({"email": "Email"}));
    assert!(created["created_at"].is_string());
    env.post("/api/mappings/create", env.person(json!({})))
        .await
        .assert_error(
            409,
            "Mapping already exists for this client and canonical object",
        );

    let by = json!({"client_id": c, "canonical_object": "person"});
    let got = env.post("/api/mappings/get", by.clone()).await.ok().clone();
    assert_eq!(got["id"], created["id"]);
    assert_eq!(got["external_id_field"], "Ext__c");
    assert!(got["updated_at"].is_string());
    assert!(got.get("is_active").is_none() && got.get("client_id").is_none());

    env.post(
        "/api/mappings/update",
        json!({"client_id": c, "canonical_object": "person"}),
    )
    .await
    .assert_error(400, "No fields provided for update");
    // Same content: the version stays.
    let same = env
        .post(
            "/api/mappings/update",
            json!({"client_id": c, "canonical_object": "person", "sfdc_object": "Contact"}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(same["mapping_version"], 1);
    let changed = env
        .post(
            "/api/mappings/update",
            json!({"client_id": c, "canonical_object": "person",
                   "field_mappings": {"email": "Email", "last": "LastName"}}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(changed["mapping_version"], 2);
    assert_eq!(changed["external_id_field"], "Ext__c", "absent: unchanged");
    let cleared = env
        .post(
            "/api/mappings/update",
            json!({"client_id": c, "canonical_object": "person", "external_id_field": null}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(cleared["external_id_field"], Value::Null);
    assert_eq!(cleared["mapping_version"], 3);

    env.post(
        "/api/mappings/create",
        json!({"client_id": c, "canonical_object": "company", "sfdc_object": "Account",
               "field_mappings": {}}),
    )
    .await
    .ok();
    let list = env
        .post("/api/mappings/list", json!({"client_id": c}))
        .await
        .ok()
        .clone();
    let names: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["canonical_object"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["company", "person"]);

    let gone = env
        .post("/api/mappings/deactivate", by.clone())
        .await
        .ok()
        .clone();
    assert_eq!(gone, json!({"success": true, "canonical_object": "person"}));
    env.post("/api/mappings/get", by.clone())
        .await
        .assert_error(404, "Mapping not found");
    env.post("/api/mappings/deactivate", by.clone())
        .await
        .assert_error(404, "Mapping not found");
    env.post(
        "/api/mappings/update",
        json!({"client_id": c, "canonical_object": "person", "sfdc_object": "Lead"}),
    )
    .await
    .assert_error(404, "Mapping not found");
    let list = env
        .post("/api/mappings/list", json!({"client_id": c}))
        .await
        .ok()
        .clone();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn creating_a_deactivated_mapping_again_reactivates_it() {
    let env = env().await;
    let by = json!({"client_id": env.client, "canonical_object": "person"});
    let first = env
        .post(
            "/api/mappings/create",
            env.person(json!({"email": "Email"})),
        )
        .await
        .ok()
        .clone();
    env.post("/api/mappings/deactivate", by.clone()).await.ok();
    // The same content: back, same row, same version.
    let again = env
        .post(
            "/api/mappings/create",
            env.person(json!({"email": "Email"})),
        )
        .await
        .ok()
        .clone();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["mapping_version"], 1);
    assert_eq!(
        env.post("/api/mappings/get", by.clone()).await.ok()["mapping_version"],
        1
    );
    // New content after another deactivation: back with it, version + 1.
    env.post("/api/mappings/deactivate", by.clone()).await.ok();
    let changed = env
        .post(
            "/api/mappings/create",
            env.person(json!({"email": "Email", "phone": "Phone"})),
        )
        .await
        .ok()
        .clone();
    assert_eq!(changed["id"], first["id"]);
    assert_eq!(changed["mapping_version"], 2);
    assert_eq!(
        changed["field_mappings"],
        json!({"email": "Email", "phone": "Phone"})
    );
}

#[tokio::test]
async fn field_mappings_are_the_unversioned_view_of_the_same_rows() {
    let env = env().await;
    let c = env.client;
    let set = env
        .post(
            "/api/field-mappings/set",
            env.person(json!({"email": "Email"})),
        )
        .await
        .ok()
        .clone();
    assert_eq!(set["is_active"], true);
    assert_eq!(set["client_id"], c.to_string());
    assert!(set.get("mapping_version").is_none());
    // Set without external_id_field clears it, and the versioned view sees the change.
    let reset = env
        .post(
            "/api/field-mappings/set",
            json!({"client_id": c, "canonical_object": "person", "sfdc_object": "Contact",
                   "field_mappings": {"email": "Email"}}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(reset["id"], set["id"]);
    assert_eq!(reset["external_id_field"], Value::Null);
    let versioned = env
        .post(
            "/api/mappings/get",
            json!({"client_id": c, "canonical_object": "person"}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(versioned["mapping_version"], 2);

    let r = env
        .post(
            "/api/field-mappings/set",
            env.person(json!({"email": "Email", "n": 3})),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        r.json["detail"][0]["loc"],
        json!(["body", "field_mappings", "n"])
    );
    let r = env
        .post("/api/mappings/create", env.person(json!({"x": {"y": 1}})))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);

    let by = json!({"client_id": c, "canonical_object": "person"});
    assert_eq!(
        env.post("/api/field-mappings/get", by.clone()).await.ok()["sfdc_object"],
        "Contact"
    );
    let list = env
        .post("/api/field-mappings/list", json!({"client_id": c}))
        .await
        .ok()
        .clone();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let deleted = env
        .post("/api/field-mappings/delete", by.clone())
        .await
        .ok()
        .clone();
    assert_eq!(
        deleted,
        json!({"canonical_object": "person", "is_active": false})
    );
    env.post("/api/field-mappings/get", by.clone())
        .await
        .assert_error(404, "Field mapping not found");
    env.post("/api/field-mappings/delete", by.clone())
        .await
        .assert_error(404, "Field mapping not found");
    // Set brings it back.
    let back = env
        .post(
            "/api/field-mappings/set",
            env.person(json!({"email": "Email"})),
        )
        .await
        .ok()
        .clone();
    assert_eq!(back["is_active"], true);
    assert_eq!(back["id"], set["id"]);
}

#[tokio::test]
async fn permissions_and_client_scope_are_enforced() {
    let env = env().await;
    let org: Uuid = env
        .app
        .owner
        .query_one("SELECT org_id FROM clients WHERE id = $1", &[&env.client])
        .await
        .unwrap()
        .get(0);
    let member = env
        .app
        .principal(org, Role::CompanyAdmin, Some(env.client))
        .await;
    let r = env
        .app
        .post(
            "/api/mappings/list",
            &member.token,
            json!({"client_id": env.client}),
        )
        .await;
    r.assert_error(403, "Insufficient permissions");
    env.post("/api/mappings/list", json!({"client_id": Uuid::new_v4()}))
        .await
        .assert_error(404, "Client not found");
}

#[tokio::test]
async fn lists_page_by_canonical_object() {
    let env = env().await;
    for name in ["d", "a", "c", "b", "e"] {
        env.post(
            "/api/field-mappings/set",
            json!({"client_id": env.client, "canonical_object": name, "sfdc_object": "Account",
                   "field_mappings": {}}),
        )
        .await
        .ok();
    }
    for path in ["/api/mappings/list", "/api/field-mappings/list"] {
        let mut seen = Vec::new();
        let mut cursor = Value::Null;
        loop {
            let page = env
                .post(
                    path,
                    json!({"client_id": env.client, "limit": 2, "cursor": cursor}),
                )
                .await
                .ok()
                .clone();
            for m in page["data"].as_array().unwrap() {
                seen.push(m["canonical_object"].as_str().unwrap().to_string());
            }
            cursor = page["next_cursor"].clone();
            if cursor.is_null() {
                break;
            }
        }
        assert_eq!(seen, ["a", "b", "c", "d", "e"], "{path}");
        let all = env
            .post(path, json!({"client_id": env.client}))
            .await
            .ok()
            .clone();
        assert_eq!(all["data"].as_array().unwrap().len(), 5);
        assert_eq!(all["next_cursor"], Value::Null);
        let r = env
            .post(path, json!({"client_id": env.client, "limit": 0}))
            .await;
        assert_eq!(r.status, 422, "{}", r.text);
        let r = env
            .post(path, json!({"client_id": env.client, "cursor": "%%%"}))
            .await;
        assert_eq!(r.status, 422, "{}", r.text);
    }
}
