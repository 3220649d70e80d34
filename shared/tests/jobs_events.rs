//! Following the event log: a reader never skips an event whose transaction commits late, and
//! events fan out to matching webhooks once per (webhook, event).

use serde_json::json;
use shared::db::events::EventFilter;
use shared::jobs::{self, NewEvent, Outbox};
use shared::{AppState, db};
use testkit::TestApp;
use uuid::Uuid;

fn no_routes(_: AppState) -> axum::Router {
    axum::Router::new()
}

async fn owner_connection(app: &TestApp) -> tokio_postgres::Client {
    let url = testkit::url_for(&testkit::admin_url(), &app.database, None);
    db::migrate::connect_once(&url).await.unwrap()
}

async fn follow(app: &TestApp, org: Uuid, after: Option<(i64, i64)>) -> Vec<db::events::Event> {
    let mut conn = db::conn(app.state.db()).await.unwrap();
    let tx = db::begin(&mut conn, org).await.unwrap();
    let filter = EventFilter {
        after,
        ..Default::default()
    };
    let rows = db::events::list(&tx, org, &filter, 100).await.unwrap();
    tx.commit().await.unwrap();
    rows
}

/// [`follow`] once it returns at least `n` events: other tests' transactions, in other databases
/// of the cluster, also hold the snapshot's xmin back for a moment.
async fn follow_until(
    app: &TestApp,
    org: Uuid,
    after: Option<(i64, i64)>,
    n: usize,
) -> Vec<db::events::Event> {
    testkit::eventually("events to become visible", || async move {
        let rows = follow(app, org, after).await;
        (rows.len() >= n).then_some(rows)
    })
    .await
}

const INSERT: &str = "INSERT INTO events (org_id, type) VALUES ($1, $2)";

#[tokio::test]
async fn an_event_whose_transaction_commits_late_is_never_skipped() {
    let app = TestApp::new(no_routes).await;
    let org = app.org("acme").await;
    let slow = owner_connection(&app).await;
    let fast = owner_connection(&app).await;

    // `slow` takes the lower sequence number but commits after `fast`.
    slow.batch_execute("BEGIN").await.unwrap();
    slow.execute(INSERT, &[&org.id, &"slow"]).await.unwrap();
    fast.batch_execute("BEGIN").await.unwrap();
    fast.execute(INSERT, &[&org.id, &"fast"]).await.unwrap();
    fast.batch_execute("COMMIT").await.unwrap();

    // While `slow` may still commit, nothing at or after its transaction is handed out.
    let seen = follow(&app, org.id, None).await;
    assert!(seen.is_empty(), "{seen:?}");

    slow.batch_execute("COMMIT").await.unwrap();
    let seen = follow_until(&app, org.id, None, 2).await;
    let types: Vec<&str> = seen.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(types, ["slow", "fast"]);

    // The other interleaving: a transaction that started first (lower id) but writes last.
    let early = owner_connection(&app).await;
    early.batch_execute("BEGIN").await.unwrap();
    early
        .execute("SELECT pg_current_xact_id()", &[])
        .await
        .unwrap();
    fast.batch_execute("BEGIN").await.unwrap();
    fast.execute(INSERT, &[&org.id, &"later"]).await.unwrap();
    early.execute(INSERT, &[&org.id, &"earlier"]).await.unwrap();
    fast.batch_execute("COMMIT").await.unwrap();
    let cursor = seen.last().map(|e| (e.tx, e.seq));
    assert!(follow(&app, org.id, cursor).await.is_empty());
    early.batch_execute("COMMIT").await.unwrap();
    let next: Vec<String> = follow_until(&app, org.id, cursor, 2)
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(next, ["earlier", "later"]);
}

#[tokio::test]
async fn an_event_fans_out_once_to_each_matching_webhook() {
    let app = TestApp::new(no_routes).await;
    let org = app.org("acme").await;
    let client = app.insert_client(org.id, "Globex").await;
    let other_client = app.insert_client(org.id, "Initech").await;
    let hook = |types: Option<Vec<&str>>, client: Option<Uuid>| {
        let types: Option<Vec<String>> = types.map(|t| t.iter().map(|s| s.to_string()).collect());
        let owner = &app.owner;
        let org = org.id;
        async move {
            owner
                .query_one(
                    "INSERT INTO webhooks (org_id, client_id, url, types, secret_hash)
                     VALUES ($1, $2, 'https://hooks.example.com/x', $3, 'h') RETURNING id",
                    &[&org, &client, &types],
                )
                .await
                .unwrap()
                .get::<_, Uuid>(0)
        }
    };
    let all = hook(None, None).await;
    let only_jobs = hook(Some(vec!["job.succeeded"]), None).await;
    let other_types = hook(Some(vec!["push.partial"]), None).await;
    let mine = hook(None, Some(client)).await;
    let theirs = hook(None, Some(other_client)).await;
    let _ = (other_types, theirs);

    let mut conn = db::conn(app.state.db()).await.unwrap();
    let tx = db::begin(&mut conn, org.id).await.unwrap();
    let mut outbox = Outbox::default();
    let event = jobs::emit(
        &tx,
        &mut outbox,
        org.id,
        NewEvent::new("job.succeeded", Some(client), None, json!({})),
    )
    .await
    .unwrap();
    // Fanning the same event out again (a retried step) creates nothing new.
    let again = db::webhooks::fan_out(
        &tx,
        org.id,
        event.id,
        "job.succeeded",
        Some(client),
        jobs::webhook::DELIVER,
        jobs::webhook::MAX_ATTEMPTS,
    )
    .await
    .unwrap();
    assert!(again.is_empty());
    tx.commit().await.unwrap();
    drop(conn);
    assert!(!outbox.is_empty());
    outbox.send(&app.state).await;

    let rows = app
        .owner
        .query(
            "SELECT d.webhook_id, j.kind, j.payload->>'delivery_id' = d.id::text
             FROM webhook_deliveries d JOIN jobs j ON j.id = d.job_id
             WHERE d.event_id = $1",
            &[&event.id],
        )
        .await
        .unwrap();
    let mut hooks: Vec<Uuid> = rows.iter().map(|r| r.get(0)).collect();
    hooks.sort();
    let mut expected = vec![all, only_jobs, mine];
    expected.sort();
    assert_eq!(hooks, expected);
    assert!(
        rows.iter()
            .all(|r| r.get::<_, String>(1) == "webhook.deliver")
    );
    assert!(rows.iter().all(|r| r.get::<_, bool>(2)));
    // Delivery jobs make no events of their own (they would fan out without end).
    let job_events: i64 = app
        .owner
        .query_one(
            "SELECT count(*) FROM events WHERE type LIKE 'job.%' AND org_id = $1",
            &[&org.id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(job_events, 1);
}
