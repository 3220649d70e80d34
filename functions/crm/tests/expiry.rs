//! A connection Nango can no longer serve (its 424) is marked `expired` by the read that hit it
//! (API-DECISIONS §4), with its event; later reads find no active connection.

mod common;

use common::env;
use serde_json::json;

#[tokio::test]
async fn a_read_that_meets_nangos_424_marks_the_connection_expired() {
    let e = env(false).await;
    assert!(e.sim.fail_refresh(&e.nango_id));

    let reply = e
        .post("/api/query/soql", json!({"soql": "SELECT Id FROM Account"}))
        .await;
    assert_eq!(reply.status.as_u16(), 502, "{}", reply.text);
    assert_eq!(reply.json["detail"]["code"], "nango_connection_unavailable");
    assert_eq!(reply.json["detail"]["nango_status_code"], 424);

    let row = e
        .app
        .owner
        .query_one(
            "SELECT id, status::text, error_message FROM crm_connections WHERE client_id = $1",
            &[&e.client],
        )
        .await
        .unwrap();
    let connection: uuid::Uuid = row.get(0);
    assert_eq!(row.get::<_, String>(1), "expired");
    let reason: String = row.get(2);
    assert!(
        reason.starts_with("Nango could not provide a token"),
        "{reason}"
    );

    let events = e
        .app
        .owner
        .query(
            "SELECT type, data FROM events WHERE subject_id = $1",
            &[&connection],
        )
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].get::<_, String>(0), "connection.expired");
    let data: serde_json::Value = events[0].get(1);
    assert_eq!(data["previous_status"], "connected");
    assert_eq!(data["status"], "expired");

    // The next read does not call Salesforce or Nango: there is no active connection.
    e.post("/api/query/soql", json!({"soql": "SELECT Id FROM Account"}))
        .await
        .assert_error(404, "No active Salesforce connection");
}
