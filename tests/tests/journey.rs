//! A newcomer's journey through the local server over real HTTP, with the simulator as Salesforce
//! and Nango: bootstrap an org, connect a client (Nango's signed webhook completes it), follow
//! the events, and read Salesforce's limits through the connection.

use serde_json::{Value, json};
use testkit::SUPER_ADMIN_SECRET;

struct Http {
    base: String,
    http: reqwest::Client,
}

impl Http {
    async fn post(&self, path: &str, bearer: &str, body: Value) -> (u16, Value) {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(bearer)
            .json(&body)
            .send()
            .await
            .unwrap();
        (
            res.status().as_u16(),
            res.json().await.unwrap_or(Value::Null),
        )
    }

    async fn ok(&self, path: &str, bearer: &str, body: Value) -> Value {
        let (status, body) = self.post(path, bearer, body).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }
}

#[tokio::test]
async fn bootstrap_connect_follow_events_and_read_limits() {
    let (app, sim, sim_url) = testkit::sim::spawn_app(local::app, |_| {}).await;
    let _worker = jobs::local::spawn(app.state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = local::app(app.state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    sim.set_webhook_url(Some(&format!("{base}/api/connections/webhook")));
    let h = Http {
        base,
        http: reqwest::Client::new(),
    };

    let org = h
        .ok(
            "/api/super-admin/orgs",
            SUPER_ADMIN_SECRET,
            json!({"name": "Acme", "slug": "acme"}),
        )
        .await;
    h.ok(
        "/api/super-admin/users",
        SUPER_ADMIN_SECRET,
        json!({"org_id": org["id"], "email": "admin@acme.test", "password": "change-me-please", "role": "org_admin"}),
    )
    .await;
    let login = h
        .http
        .post(format!("{}/api/auth/login", h.base))
        .json(&json!({"email": "admin@acme.test", "password": "change-me-please"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let session = login["access_token"].as_str().unwrap().to_string();
    let token = h
        .ok("/api/tokens/create", &session, json!({"label": "ci"}))
        .await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let client = h
        .ok(
            "/api/clients/create",
            &token,
            json!({"name": "Globex", "domain": "globex.test"}),
        )
        .await;
    let client_id = client["id"].as_str().unwrap().to_string();

    let created = h
        .ok(
            "/api/connections/create",
            &token,
            json!({"client_id": client_id}),
        )
        .await;
    assert_eq!(created["status"], "pending");
    let conn_id = created["id"].as_str().unwrap().to_string();
    sim.complete_session(created["connect_session"]["token"].as_str().unwrap(), None)
        .unwrap();
    let got = testkit::eventually("the connection to be connected", || async {
        let got = h
            .ok("/api/connections/get", &token, json!({"id": conn_id}))
            .await;
        (got["status"] == "connected").then_some(got)
    })
    .await;
    assert_eq!(got["instance_url"], sim_url);

    let limits = h
        .ok(
            "/api/connections/limits",
            &token,
            json!({"client_id": client_id}),
        )
        .await;
    assert!(limits["DailyApiRequests"]["Max"].as_i64().unwrap() > 0);

    // The events follow the connection, oldest first.
    testkit::eventually("the connection's events", || async {
        let events = h
            .ok("/api/events/list", &token, json!({"client_id": client_id}))
            .await;
        let types: Vec<String> = events["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_string())
            .collect();
        (types == ["connection.pending", "connection.connected"]).then_some(())
    })
    .await;

    let me = h
        .http
        .get(format!("{}/api/auth/me", h.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.json::<Value>().await.unwrap()["org_id"], org["id"]);
}
