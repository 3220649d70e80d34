//! Connection flows against the Salesforce/Nango simulator: pending → connected (by callback and
//! by Nango's webhook) → expired when Nango cannot refresh → revoked; foreign connections refused;
//! signatures checked; an expired Salesforce token recovered with one forced refresh.

use serde_json::{Value, json};
use shared::auth::Role;
use simulator::Simulator;
use testkit::{Org, TestApp};
use uuid::Uuid;

struct Env {
    app: TestApp,
    sim: Simulator,
    sim_url: String,
    org: Org,
    client: Uuid,
}

async fn env() -> Env {
    let (app, sim, sim_url) = testkit::sim::spawn_app(connections::router, |_| {}).await;
    let org = app.org("acme").await;
    let client = app.insert_client(org.id, "Globex").await;
    Env {
        app,
        sim,
        sim_url,
        org,
        client,
    }
}

impl Env {
    async fn post(&self, path: &str, body: Value) -> testkit::Reply {
        self.app.post(path, &self.org.admin.token, body).await
    }

    async fn status(&self) -> Option<String> {
        self.app
            .owner
            .query_opt(
                "SELECT status::text FROM crm_connections WHERE client_id = $1",
                &[&self.client],
            )
            .await
            .unwrap()
            .map(|r| r.get(0))
    }

    async fn wait_for_status(&self, want: &str) {
        testkit::eventually(&format!("the connection to become {want}"), || async {
            (self.status().await.as_deref() == Some(want)).then_some(())
        })
        .await;
    }

    async fn events(&self) -> Vec<String> {
        self.app
            .owner
            .query(
                "SELECT type FROM events WHERE client_id = $1 ORDER BY seq",
                &[&self.client],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    }

    /// create → the user completes Nango's connect UI → callback.
    async fn connect(&self) -> (String, Value) {
        let created = self
            .post("/api/connections/create", json!({"client_id": self.client}))
            .await;
        let token = created.ok()["connect_session"]["token"]
            .as_str()
            .unwrap()
            .to_string();
        let done = self
            .sim
            .complete_session(&token, None)
            .expect("session completes");
        let nango_id = done["connection_id"].as_str().unwrap().to_string();
        let r = self
            .post(
                "/api/connections/callback",
                json!({"client_id": self.client, "nango_connection_id": nango_id}),
            )
            .await;
        (nango_id, r.ok().clone())
    }

    async fn serve(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = connections::router(self.app.state.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        base
    }
}

#[tokio::test]
async fn a_connection_goes_pending_then_connected_by_callback() {
    let env = env().await;
    let created = env
        .post("/api/connections/create", json!({"client_id": env.client}))
        .await;
    let c = created.ok();
    assert_eq!(c["status"], "pending");
    assert!(
        c["connect_session"]["token"]
            .as_str()
            .unwrap()
            .starts_with("nango_connect_session_")
    );
    assert_eq!(env.status().await.as_deref(), Some("pending"));

    let token = c["connect_session"]["token"].as_str().unwrap();
    let done = env.sim.complete_session(token, None).unwrap();
    let nango_id = done["connection_id"].as_str().unwrap();
    let r = env
        .post(
            "/api/connections/callback",
            json!({"client_id": env.client, "nango_connection_id": nango_id}),
        )
        .await;
    let body = r.ok();
    assert_eq!(body["status"], "connected");
    assert_eq!(body["instance_url"], env.sim_url);
    let row = env
        .app
        .owner
        .query_one(
            "SELECT sfdc_org_id, nango_connection_id FROM crm_connections WHERE client_id = $1",
            &[&env.client],
        )
        .await
        .unwrap();
    assert_eq!(
        row.get::<_, Option<String>>(0).as_deref(),
        done["org_id"].as_str()
    );
    assert_eq!(row.get::<_, Option<String>>(1).as_deref(), Some(nango_id));
    assert_eq!(
        env.events().await,
        ["connection.pending", "connection.connected"]
    );
}

#[tokio::test]
async fn a_connection_becomes_connected_through_the_signed_webhook() {
    let env = env().await;
    let base = env.serve().await;
    env.sim
        .set_webhook_url(Some(&format!("{base}/api/connections/webhook")));
    let created = env
        .post("/api/connections/create", json!({"client_id": env.client}))
        .await;
    let token = created.ok()["connect_session"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    env.sim.complete_session(&token, None).unwrap();
    env.wait_for_status("connected").await;
    // Then Nango cannot refresh: the refresh webhook marks it expired.
    let nango_id: String = env
        .app
        .owner
        .query_one(
            "SELECT nango_connection_id FROM crm_connections WHERE client_id = $1",
            &[&env.client],
        )
        .await
        .unwrap()
        .get(0);
    assert!(env.sim.fail_refresh(&nango_id));
    env.wait_for_status("expired").await;
    assert_eq!(
        env.events().await,
        [
            "connection.pending",
            "connection.connected",
            "connection.expired"
        ]
    );
}

#[tokio::test]
async fn a_repeated_webhook_changes_nothing_and_a_bad_signature_is_refused() {
    let env = env().await;
    let (nango_id, _) = env.connect().await;
    let body = json!({
        "from": "nango", "type": "auth", "operation": "creation", "connectionId": nango_id,
        "providerConfigKey": "salesforce", "success": true,
        "tags": {"org_id": env.org.id, "client_id": env.client}
    })
    .to_string();
    let sign = |b: &str| {
        use hmac::{KeyInit, Mac};
        let mut mac =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(b"sim-nango-webhook-secret").unwrap();
        mac.update(b.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    };
    let req = |sig: String| {
        http::Request::builder()
            .method("POST")
            .uri("/api/connections/webhook")
            .header("content-type", "application/json")
            .header("x-nango-hmac-sha256", sig)
            .body(axum::body::Body::from(body.clone()))
            .unwrap()
    };
    let r = env.app.send(req(sign(&body))).await;
    assert_eq!(r.json, json!({"status": "ok"}), "{}", r.text);
    assert_eq!(
        env.events().await,
        ["connection.pending", "connection.connected"],
        "no second event"
    );
    let r = env.app.send(req(sign("something else"))).await;
    r.assert_error(401, "Invalid webhook signature");
    let r = env.app.send(req("00".repeat(32))).await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn refresh_marks_the_connection_expired_when_nango_cannot_refresh() {
    let env = env().await;
    let (nango_id, _) = env.connect().await;
    let ok = env
        .post("/api/connections/refresh", json!({"client_id": env.client}))
        .await;
    assert_eq!(ok.ok()["status"], "connected");
    assert!(ok.json["last_refreshed_at"].is_string());
    env.sim.fail_refresh(&nango_id);
    let r = env
        .post("/api/connections/refresh", json!({"client_id": env.client}))
        .await;
    assert_eq!(r.status, 424, "{}", r.text);
    assert_eq!(r.detail()["code"], "nango_refresh_exhausted");
    assert_eq!(env.status().await.as_deref(), Some("expired"));
}

#[tokio::test]
async fn revoke_deletes_the_nango_connection_and_marks_it_revoked() {
    let env = env().await;
    let (nango_id, _) = env.connect().await;
    let r = env
        .post("/api/connections/revoke", json!({"client_id": env.client}))
        .await;
    assert_eq!(r.ok(), &json!({"status": "revoked"}));
    assert_eq!(env.status().await.as_deref(), Some("revoked"));
    let gone = env
        .app
        .state
        .nango()
        .get_connection(&nango_id, None, false)
        .await;
    assert!(gone.is_err(), "Nango still has the connection");
    assert_eq!(
        env.events().await.last().map(String::as_str),
        Some("connection.revoked")
    );
}

#[tokio::test]
async fn a_nango_connection_tagged_for_another_org_or_client_cannot_be_bound() {
    let env = env().await;
    let other_client = env.app.insert_client(env.org.id, "Other").await;
    for (i, tags) in [
        json!({"org_id": Uuid::new_v4(), "client_id": env.client}),
        json!({"org_id": env.org.id, "client_id": other_client}),
        json!({}),
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("foreign-{i}");
        env.sim
            .create_connection(&id, "salesforce", tags.as_object().unwrap().clone(), None);
        env.post(
            "/api/connections/callback",
            json!({"client_id": env.client, "nango_connection_id": id}),
        )
        .await
        .assert_error(404, "Nango connection not found");
    }
    assert_eq!(env.status().await, None, "nothing was bound");
    env.post(
        "/api/connections/callback",
        json!({"client_id": env.client}),
    )
    .await
    .assert_error(400, "No Nango connection found for this client");
}

#[tokio::test]
async fn an_expired_salesforce_token_is_recovered_with_one_forced_refresh_and_one_retry() {
    let env = env().await;
    env.connect().await;
    let first = env
        .post("/api/connections/limits", json!({"client_id": env.client}))
        .await;
    assert!(first.ok()["DailyApiRequests"]["Max"].is_number());
    let sf_org: String = env
        .app
        .owner
        .query_one(
            "SELECT sfdc_org_id FROM crm_connections WHERE client_id = $1",
            &[&env.client],
        )
        .await
        .unwrap()
        .get(0);
    assert!(env.sim.expire_token(&sf_org) > 0);
    let second = env
        .post("/api/connections/limits", json!({"client_id": env.client}))
        .await;
    assert!(second.ok()["DailyApiRequests"]["Remaining"].is_number());
    let log: Vec<_> = env
        .sim
        .request_log(&sf_org)
        .into_iter()
        .filter(|r| r.path.ends_with("/limits") || r.path.ends_with("/limits/"))
        .collect();
    let statuses: Vec<u16> = log.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 401, 200], "{log:?}");
    assert_eq!(
        log[0].token_id, log[1].token_id,
        "the cached token was tried first"
    );
    assert_ne!(
        log[1].token_id, log[2].token_id,
        "the retry used a freshly minted token"
    );
    // The usage Salesforce reported is on the connection.
    let conn_id: Uuid = env
        .app
        .owner
        .query_one(
            "SELECT id FROM crm_connections WHERE client_id = $1",
            &[&env.client],
        )
        .await
        .unwrap()
        .get(0);
    let got = env
        .post("/api/connections/get", json!({"id": conn_id}))
        .await;
    let usage = &got.ok()["api_usage"];
    assert!(usage["used"].as_i64().unwrap() > 0, "{usage}");
    assert!(usage["max"].as_i64().unwrap() > 0);
}

#[tokio::test]
async fn company_users_see_only_their_client_and_cannot_write() {
    let env = env().await;
    env.connect().await;
    let other = env.app.insert_client(env.org.id, "Other").await;
    env.app
        .owner
        .execute(
            "INSERT INTO crm_connections (org_id, client_id) VALUES ($1, $2)",
            &[&env.org.id, &other],
        )
        .await
        .unwrap();
    let member = env
        .app
        .principal(env.org.id, Role::CompanyMember, Some(env.client))
        .await;
    let all = env.post("/api/connections/list", json!({})).await;
    assert_eq!(all.ok()["data"].as_array().unwrap().len(), 2);
    let mine = env
        .app
        .post("/api/connections/list", &member.token, json!({}))
        .await;
    let data = mine.ok()["data"].as_array().unwrap().clone();
    assert_eq!(
        data.len(),
        1,
        "a company member without client_id sees only its client"
    );
    assert_eq!(data[0]["client_id"], env.client.to_string());
    env.app
        .post(
            "/api/connections/list",
            &member.token,
            json!({"client_id": other}),
        )
        .await
        .assert_error(404, "Client not found");
    let other_conn: Uuid = env
        .app
        .owner
        .query_one(
            "SELECT id FROM crm_connections WHERE client_id = $1",
            &[&other],
        )
        .await
        .unwrap()
        .get(0);
    env.app
        .post(
            "/api/connections/get",
            &member.token,
            json!({"id": other_conn}),
        )
        .await
        .assert_error(404, "Client not found");
    env.app
        .post(
            "/api/connections/create",
            &member.token,
            json!({"client_id": env.client}),
        )
        .await
        .assert_error(403, "Insufficient permissions");
}

#[tokio::test]
async fn another_orgs_connection_is_not_found() {
    let env = env().await;
    env.connect().await;
    let stranger = env.app.org("stranger").await;
    let conn_id: Uuid = env
        .app
        .owner
        .query_one(
            "SELECT id FROM crm_connections WHERE client_id = $1",
            &[&env.client],
        )
        .await
        .unwrap()
        .get(0);
    env.app
        .post(
            "/api/connections/get",
            &stranger.admin.token,
            json!({"id": conn_id}),
        )
        .await
        .assert_error(404, "Connection not found");
    for path in [
        "/api/connections/refresh",
        "/api/connections/revoke",
        "/api/connections/limits",
        "/api/connections/create",
    ] {
        env.app
            .post(
                path,
                &stranger.admin.token,
                json!({"client_id": env.client}),
            )
            .await
            .assert_error(404, "Client not found");
    }
    env.app
        .post(
            "/api/connections/update",
            &stranger.admin.token,
            json!({"client_id": env.client, "auto_refresh": true}),
        )
        .await
        .assert_error(404, "Client not found");
}

#[tokio::test]
async fn update_sets_auto_refresh_and_limits_needs_a_connected_connection() {
    let env = env().await;
    env.post(
        "/api/connections/update",
        json!({"client_id": env.client, "auto_refresh": true}),
    )
    .await
    .assert_error(404, "Connection not found");
    env.post("/api/connections/limits", json!({"client_id": env.client}))
        .await
        .assert_error(400, "No connected Salesforce connection found");
    env.connect().await;
    let r = env
        .post(
            "/api/connections/update",
            json!({"client_id": env.client, "auto_refresh": true}),
        )
        .await;
    assert_eq!(r.ok()["auto_refresh"], true);
    let r = env
        .post(
            "/api/connections/update",
            json!({"client_id": env.client, "auto_refresh": "yes"}),
        )
        .await;
    assert_eq!(r.status, 422);
}
