//! The hourly connection health check against the Nango simulator: a connection Nango can no
//! longer refresh becomes `expired` with an event; a healthy one is left alone.

use serde_json::Value;
use uuid::Uuid;

#[tokio::test]
async fn the_health_check_expires_connections_nango_cannot_refresh() {
    let (app, sim, sim_url) = testkit::sim::spawn_app(jobs_router, |_| {}).await;
    let org = app.org("acme").await;
    let mut ids = Vec::new();
    for name in ["healthy", "broken"] {
        let client = app.insert_client(org.id, name).await;
        sim.create_connection(name, "salesforce", Default::default(), None);
        let id: Uuid = app
            .owner
            .query_one(
                "INSERT INTO crm_connections (org_id, client_id, status, nango_connection_id, instance_url)
                 VALUES ($1, $2, 'connected', $3, $4) RETURNING id",
                &[&org.id, &client, &name, &sim_url],
            )
            .await
            .unwrap()
            .get(0);
        ids.push(id);
    }
    assert!(sim.fail_refresh("broken"));
    let report: Value = jobs::local::trigger(&app.state, "connection_health")
        .await
        .unwrap();
    let status = |id: Uuid| {
        let owner = &app.owner;
        async move {
            owner
                .query_one(
                    "SELECT status::text FROM crm_connections WHERE id = $1",
                    &[&id],
                )
                .await
                .unwrap()
                .get::<_, String>(0)
        }
    };
    assert_eq!(status(ids[0]).await, "connected", "{report}");
    assert_eq!(status(ids[1]).await, "expired", "{report}");
    let events: Vec<String> = app
        .owner
        .query("SELECT type FROM events WHERE subject_id = $1", &[&ids[1]])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(events, ["connection.expired"]);
}

fn jobs_router(state: shared::AppState) -> axum::Router {
    axum::Router::new().with_state(state)
}
