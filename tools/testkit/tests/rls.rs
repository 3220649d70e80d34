//! The database enforces tenancy by itself: as the service's role, a query that forgets its
//! `WHERE org_id` still sees one org only, writes into another org are refused, and the tenant
//! triggers refuse rows whose client, connection or snapshot belong elsewhere.

use testkit::{APP_ROLE, TestApp, admin_url, url_for};
use tokio_postgres::Client;

async fn as_service(app: &TestApp) -> Client {
    shared::db::migrate::connect_once(&url_for(&admin_url(), &app.database, Some(APP_ROLE)))
        .await
        .unwrap()
}

async fn count_clients(c: &Client, org: Option<uuid::Uuid>) -> i64 {
    c.batch_execute("BEGIN").await.unwrap();
    if let Some(org) = org {
        c.execute(
            "SELECT set_config('app.org_id', $1, true)",
            &[&org.to_string()],
        )
        .await
        .unwrap();
    }
    // Deliberately no org filter.
    let n: i64 = c
        .query_one("SELECT count(*) FROM clients", &[])
        .await
        .unwrap()
        .get(0);
    c.batch_execute("COMMIT").await.unwrap();
    n
}

#[tokio::test]
async fn an_unfiltered_query_as_the_service_role_sees_one_org_only() {
    let app = TestApp::new(|s| axum::Router::new().with_state(s)).await;
    let a = app.insert_org("a").await;
    let b = app.insert_org("b").await;
    for i in 0..3 {
        app.insert_client(a, &format!("a{i}")).await;
    }
    app.insert_client(b, "b0").await;
    let svc = as_service(&app).await;
    assert_eq!(count_clients(&svc, Some(a)).await, 3);
    assert_eq!(count_clients(&svc, Some(b)).await, 1);
    assert_eq!(
        count_clients(&svc, None).await,
        0,
        "no org set: nothing visible"
    );
    // The owner (not subject to RLS) sees all four: the rows are really there.
    let all: i64 = app
        .owner
        .query_one("SELECT count(*) FROM clients", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(all, 4);
}

#[tokio::test]
async fn the_service_role_cannot_write_into_another_org() {
    let app = TestApp::new(|s| axum::Router::new().with_state(s)).await;
    let a = app.insert_org("a").await;
    let b = app.insert_org("b").await;
    let svc = as_service(&app).await;
    svc.batch_execute("BEGIN").await.unwrap();
    svc.execute(
        "SELECT set_config('app.org_id', $1, true)",
        &[&a.to_string()],
    )
    .await
    .unwrap();
    let err = svc
        .execute(
            "INSERT INTO clients (org_id, name) VALUES ($1, 'sneaky')",
            &[&b],
        )
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("row-level security"), "{err}");
    svc.batch_execute("ROLLBACK").await.unwrap();
    // Nor update or delete what it cannot see.
    let theirs = app.insert_client(b, "theirs").await;
    svc.batch_execute("BEGIN").await.unwrap();
    svc.execute(
        "SELECT set_config('app.org_id', $1, true)",
        &[&a.to_string()],
    )
    .await
    .unwrap();
    let n = svc
        .execute("DELETE FROM clients WHERE id = $1", &[&theirs])
        .await
        .unwrap();
    assert_eq!(n, 0);
    svc.batch_execute("COMMIT").await.unwrap();
}

#[tokio::test]
async fn the_service_role_owns_nothing_and_cannot_read_the_migration_table() {
    let app = TestApp::new(|s| axum::Router::new().with_state(s)).await;
    let svc = as_service(&app).await;
    let owned: i64 = svc
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(owned, 0);
    assert!(
        svc.query("SELECT * FROM sfdc_meta.schema_migrations", &[])
            .await
            .is_err()
    );
}

#[tokio::test]
async fn tenant_triggers_refuse_a_connection_or_snapshot_of_another_client() {
    let app = TestApp::new(|s| axum::Router::new().with_state(s)).await;
    let org = app.insert_org("a").await;
    let other_org = app.insert_org("b").await;
    let c1 = app.insert_client(org, "c1").await;
    let c2 = app.insert_client(org, "c2").await;
    let foreign = app.insert_client(other_org, "f").await;
    let o = &app.owner;
    let err = o
        .execute(
            "INSERT INTO crm_connections (org_id, client_id) VALUES ($1, $2)",
            &[&org, &foreign],
        )
        .await
        .unwrap_err();
    assert!(
        format!("{err:?}").contains("client_id does not belong to org_id"),
        "{err}"
    );
    let conn1: uuid::Uuid = o
        .query_one(
            "INSERT INTO crm_connections (org_id, client_id) VALUES ($1, $2) RETURNING id",
            &[&org, &c1],
        )
        .await
        .unwrap()
        .get(0);
    let err = o
        .execute(
            "INSERT INTO crm_topology_snapshots (org_id, client_id, connection_id, snapshot) VALUES ($1, $2, $3, '{}')",
            &[&org, &c2, &conn1],
        )
        .await
        .unwrap_err();
    assert!(
        format!("{err:?}").contains("connection_id does not belong"),
        "{err}"
    );
    let snap: uuid::Uuid = o
        .query_one(
            "INSERT INTO crm_topology_snapshots (org_id, client_id, connection_id, snapshot) VALUES ($1, $2, $3, '{}') RETURNING id",
            &[&org, &c1, &conn1],
        )
        .await
        .unwrap()
        .get(0);
    let conn2: uuid::Uuid = o
        .query_one(
            "INSERT INTO crm_connections (org_id, client_id) VALUES ($1, $2) RETURNING id",
            &[&org, &c2],
        )
        .await
        .unwrap()
        .get(0);
    let err = o
        .execute(
            "INSERT INTO crm_conflict_reports (org_id, client_id, connection_id, topology_snapshot_id, deployment_plan, findings, overall_severity)
             VALUES ($1, $2, $3, $4, '{}', '[]', 'green')",
            &[&org, &c2, &conn2, &snap],
        )
        .await
        .unwrap_err();
    assert!(
        format!("{err:?}").contains("topology_snapshot_id does not belong"),
        "{err}"
    );
}

#[tokio::test]
async fn an_edited_migration_is_refused() {
    let app = TestApp::new(|s| axum::Router::new().with_state(s)).await;
    let mut owner = shared::db::migrate::connect_once(&url_for(&admin_url(), &app.database, None))
        .await
        .unwrap();
    // Already applied: nothing to do.
    let applied = shared::db::migrate::run(&mut owner, shared::db::migrate::MIGRATIONS)
        .await
        .unwrap();
    assert!(applied.is_empty());
    let mut edited = shared::db::migrate::MIGRATIONS.to_vec();
    edited[0].sql = "SELECT 1; -- edited";
    let err = shared::db::migrate::run(&mut owner, &edited)
        .await
        .unwrap_err();
    assert!(
        format!("{err:?}").contains("was edited after it was applied"),
        "{err}"
    );
    // A migration the build does not know is refused too.
    let err = shared::db::migrate::run(&mut owner, &[]).await.unwrap_err();
    assert!(format!("{err:?}").contains("does not know"), "{err}");
}
