//! The test harness every crate's tests use.
//!
//! `TEST_DATABASE_URL` names a superuser connection to a throwaway cluster (the test command
//! starts one). The first test of a run builds a template database with every migration applied
//! (once, under an advisory lock, named by the migrations' fingerprint); each test then gets its
//! own database copied from it, so tests are isolated and run in parallel. The service connects
//! as `sfdc_app_login`, a member of the non-owner role `sfdc_app`, so row-level security applies
//! exactly as in production. Fixtures are written through the owner connection.

pub mod bench;
mod fixtures;
pub mod lambda;
pub mod sim;

use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use shared::config::{Config, Source};
use shared::{AppState, db};
use tower::ServiceExt;

pub use fixtures::{Org, Principal};

/// The super-admin secret of test configurations.
pub const SUPER_ADMIN_SECRET: &str = "test-super-admin-secret";
/// The session-token secret of test configurations.
pub const JWT_SECRET: &str = "test-jwt-secret-test-jwt-secret-0123";
/// The webhook signing key of test configurations.
pub const WEBHOOK_SIGNING_KEY: &str = "test-webhook-signing-key-0123456789abcdef";
/// The login role the service uses in tests (member of `sfdc_app`).
pub const APP_ROLE: &str = "sfdc_app_login";

/// The superuser URL of the throwaway cluster.
pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| {
        panic!(
            "TEST_DATABASE_URL is not set: run the tests with scripts/test, which starts a \
             throwaway PostgreSQL cluster (or set it to a superuser URL of a disposable cluster)"
        )
    })
}

/// `url` with another database name (and optionally another user).
pub fn url_for(base: &str, database: &str, user: Option<&str>) -> String {
    let mut cfg: tokio_postgres::Config =
        base.parse().expect("TEST_DATABASE_URL is not a valid URL");
    cfg.dbname(database);
    if let Some(u) = user {
        cfg.user(u);
    }
    let host = match cfg.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        Some(tokio_postgres::config::Host::Unix(p)) => p.to_string_lossy().into_owned(),
        None => "127.0.0.1".into(),
    };
    let port = cfg.get_ports().first().copied().unwrap_or(5432);
    let user = cfg.get_user().unwrap_or("postgres");
    if host.starts_with('/') {
        format!("postgresql://{user}@/{database}?host={host}&port={port}")
    } else {
        format!("postgresql://{user}@{host}:{port}/{database}")
    }
}

async fn admin_client(database: &str) -> tokio_postgres::Client {
    db::migrate::connect_once(&url_for(&admin_url(), database, None))
        .await
        .expect("cannot connect to the test cluster")
}

/// Builds the migrated template database once per run; returns its name.
async fn template() -> String {
    static NAME: OnceLock<String> = OnceLock::new();
    if let Some(n) = NAME.get() {
        return n.clone();
    }
    let name = format!(
        "sfdc_tmpl_{}",
        db::migrate::fingerprint(db::migrate::MIGRATIONS)
    );
    let admin = admin_client("postgres").await;
    admin
        .batch_execute("SELECT pg_advisory_lock(7245002)")
        .await
        .unwrap();
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .unwrap()
        .is_some();
    if !exists {
        let building = format!("{name}_building");
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {building}"))
            .await
            .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {building}"))
            .await
            .unwrap();
        {
            let mut c = admin_client(&building).await;
            db::migrate::run(&mut c, db::migrate::MIGRATIONS)
                .await
                .expect("migrations failed");
            c.batch_execute(&format!(
                "DO $$ BEGIN
                   IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                     CREATE ROLE {APP_ROLE} LOGIN IN ROLE sfdc_app;
                   END IF;
                 END $$;"
            ))
            .await
            .unwrap();
        }
        // The connection above must be gone before the database can be renamed.
        for _ in 0..50 {
            let busy: i64 = admin
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = $1",
                    &[&building],
                )
                .await
                .unwrap()
                .get(0);
            if busy == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        admin
            .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
            .await
            .unwrap();
    }
    admin
        .batch_execute("SELECT pg_advisory_unlock(7245002)")
        .await
        .unwrap();
    let _ = NAME.set(name.clone());
    name
}

/// A fresh database, a service state over it, and one function's router.
pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub database: String,
    /// Superuser connection to this test's database, for fixtures and for checking what was
    /// written. Never used by the code under test.
    pub owner: tokio_postgres::Client,
}

impl TestApp {
    /// A fresh database and `router(state)` over it.
    pub async fn new(router: fn(AppState) -> Router) -> TestApp {
        TestApp::with_config(router, |_| {}).await
    }

    /// Like [`TestApp::new`], with a chance to change the configuration first.
    pub async fn with_config(
        router: fn(AppState) -> Router,
        tweak: impl FnOnce(&mut Config),
    ) -> TestApp {
        let database = fresh_database().await;
        let mut config = test_config(&url_for(&admin_url(), &database, Some(APP_ROLE)));
        tweak(&mut config);
        let state = AppState::new(config).expect("state");
        let owner = admin_client(&database).await;
        TestApp {
            router: router(state.clone()),
            state,
            database,
            owner,
        }
    }

    /// Sends a request through the router in-process.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let body = match body {
            Some(v) => {
                req = req.header("content-type", "application/json");
                Body::from(serde_json::to_vec(&v).unwrap())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap()).await
    }

    /// Sends a prepared request (raw bodies, odd headers).
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            json,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, path, token, None).await
    }
}

/// Creates a database for one test from the template.
pub async fn fresh_database() -> String {
    let template = template().await;
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let admin = admin_client("postgres").await;
    admin
        .batch_execute(&format!(
            "CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY"
        ))
        .await
        .expect("cannot create the test database");
    name
}

/// The configuration tests run with.
pub fn test_config(database_url: &str) -> Config {
    let url = database_url.to_string();
    Config::from_source(&Source::new(
        move |k| match k {
            "DATABASE_URL" => Some(url.clone()),
            "DATABASE_POOL_SIZE" => Some("4".into()),
            "SUPER_ADMIN_JWT_SECRET" => Some(SUPER_ADMIN_SECRET.into()),
            "JWT_SECRET" => Some(JWT_SECRET.into()),
            "BCRYPT_COST" => Some("4".into()),
            "NANGO_SECRET_KEY" => Some("test-nango-secret".into()),
            "WEBHOOK_SIGNING_KEY" => Some(WEBHOOK_SIGNING_KEY.into()),
            _ => None,
        },
        Default::default(),
    ))
    .expect("test configuration")
}

/// A response: status, body as JSON (Null when not JSON) and as text.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub json: Value,
    pub text: String,
}

impl Reply {
    /// The `detail` of an error body.
    pub fn detail(&self) -> &Value {
        &self.json["detail"]
    }

    /// Asserts the status and returns the body, printing it when the status is wrong.
    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.text);
        &self.json
    }

    /// Asserts an error status and its `detail` string.
    #[track_caller]
    pub fn assert_error(&self, status: u16, detail: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        assert_eq!(self.detail(), detail, "body: {}", self.text);
    }
}

/// How long [`eventually`] waits before failing the test.
pub const EVENTUALLY: std::time::Duration = std::time::Duration::from_secs(30);

/// Polls `check` until it returns `Some`, failing the test (naming `what`) after [`EVENTUALLY`].
/// For waiting on work in the background: a condition with a deadline, never a fixed sleep.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + EVENTUALLY;
    let mut pause = std::time::Duration::from_millis(5);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(std::time::Duration::from_millis(100));
    }
}
