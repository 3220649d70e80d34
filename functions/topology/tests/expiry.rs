//! A pull (a job) that meets Nango's 424 leaves the connection `expired`, with its event, and
//! the job failed after one attempt: nothing retries against a connection that needs
//! re-authorisation.

mod common;

use serde_json::{Value, json};
use testkit::eventually;

#[tokio::test]
async fn a_pull_that_meets_nangos_424_expires_the_connection_and_fails() {
    let env = common::env_with(topology::router, 0).await;
    assert!(env.sim.fail_refresh(&env.nango_id));

    let request = axum::http::Request::post("/api/topology/pull")
        .header("authorization", format!("Bearer {}", env.org.admin.token))
        .header("content-type", "application/json")
        .header("prefer", "respond-async")
        .body(axum::body::Body::from(
            json!({"client_id": env.client}).to_string(),
        ))
        .unwrap();
    let reply = env.app.send(request).await;
    assert_eq!(reply.status.as_u16(), 202, "{}", reply.text);
    let job: uuid::Uuid = reply.json["job_id"].as_str().unwrap().parse().unwrap();

    let owner = &env.app.owner;
    let (status, error): (String, Value) = eventually("the pull job to end", || async {
        let row = owner
            .query_one(
                "SELECT status::text, coalesce(error, 'null'::jsonb) FROM jobs WHERE id = $1",
                &[&job],
            )
            .await
            .unwrap();
        let status: String = row.get(0);
        matches!(status.as_str(), "failed" | "succeeded").then(|| (status, row.get(1)))
    })
    .await;
    assert_eq!(status, "failed", "{error}");
    assert_eq!(error["code"], "nango_connection_unavailable", "{error}");
    let attempts: i32 = owner
        .query_one("SELECT attempts FROM jobs WHERE id = $1", &[&job])
        .await
        .unwrap()
        .get(0);
    assert_eq!(attempts, 1, "an expired connection is not retried");

    let row = owner
        .query_one(
            "SELECT id, status::text FROM crm_connections WHERE client_id = $1",
            &[&env.client],
        )
        .await
        .unwrap();
    let connection: uuid::Uuid = row.get(0);
    assert_eq!(row.get::<_, String>(1), "expired");
    let events: Vec<String> = owner
        .query(
            "SELECT type FROM events WHERE subject_id = $1",
            &[&connection],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(events, ["connection.expired"]);
    // No snapshot was stored.
    let snapshots: i64 = owner
        .query_one("SELECT count(*) FROM crm_topology_snapshots", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(snapshots, 0);
}
