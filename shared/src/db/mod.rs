//! PostgreSQL: the pool, the row-level-security transaction, migrations, one module per table.
//!
//! Every tenant query takes `org_id` as its first parameter and runs inside [`begin`], which sets
//! `app.org_id` for the transaction so the database's policies hide other orgs' rows even from a
//! query that forgot its filter.

pub mod api_tokens;
pub mod automap;
pub mod clients;
pub mod conflict_reports;
pub mod connections;
pub mod deployments;
pub mod events;
pub mod field_mappings;
pub mod jobs;
pub mod migrate;
pub mod organizations;
pub mod page;
pub mod pool;
pub mod push_logs;
pub mod topology;
pub mod users;
pub mod webhooks;

use std::sync::atomic::{AtomicBool, Ordering};

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::Statement;
use uuid::Uuid;

pub use deadpool_postgres::{Object as Conn, Pool};
pub use pool::connect;

/// What went wrong talking to PostgreSQL.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database: {}", describe(.0))]
    Postgres(#[from] tokio_postgres::Error),
    #[error("database pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("database setup: {0}")]
    Setup(String),
}

impl DbError {
    /// The name of the constraint a failed statement violated, if that is what happened.
    pub fn constraint(&self) -> Option<&str> {
        match self {
            DbError::Postgres(e) => e.as_db_error().and_then(|d| d.constraint()),
            _ => None,
        }
    }

    /// The SQLSTATE of a failed statement.
    pub fn code(&self) -> Option<&str> {
        match self {
            DbError::Postgres(e) => e.code().map(|c| c.code()),
            _ => None,
        }
    }

    /// The server's message (for trigger errors raised with RAISE EXCEPTION).
    pub fn db_message(&self) -> Option<&str> {
        match self {
            DbError::Postgres(e) => e.as_db_error().map(|d| d.message()),
            _ => None,
        }
    }
}

/// The server's message and code when there is one (tokio-postgres prints only "db error").
fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => format!("{} ({})", d.message(), d.code().code()),
        None => e.to_string(),
    }
}

static STATEMENT_CACHE: AtomicBool = AtomicBool::new(true);

/// Turns prepared-statement caching off, for transaction-mode poolers (RDS Proxy, PgBouncer).
pub fn set_statement_cache(enabled: bool) {
    STATEMENT_CACHE.store(enabled, Ordering::Relaxed);
}

/// Prepares `sql`, from the connection's cache unless caching is off.
pub async fn prepare(client: &impl GenericClient, sql: &str) -> Result<Statement, DbError> {
    if STATEMENT_CACHE.load(Ordering::Relaxed) {
        Ok(client.prepare_cached(sql).await?)
    } else {
        Ok(client.prepare(sql).await?)
    }
}

/// Starts a transaction scoped to one org: row-level security sees only its rows.
pub async fn begin(conn: &mut Conn, org_id: Uuid) -> Result<Transaction<'_>, DbError> {
    let tx = conn.transaction().await?;
    let set = prepare(&tx, "SELECT set_config('app.org_id', $1, true)").await?;
    tx.execute(&set, &[&org_id.to_string()]).await?;
    Ok(tx)
}

/// A pooled connection.
pub async fn conn(pool: &Pool) -> Result<Conn, DbError> {
    Ok(pool.get().await?)
}
