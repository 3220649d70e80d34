//! `clients`: an org's customers, each with (at most) one Salesforce org.

use deadpool_postgres::GenericClient;
use uuid::Uuid;

use super::page::{Cursor, PageRequest, clause};
use super::{DbError, prepare};
use crate::time::Timestamp;

pub struct Client {
    pub id: Uuid,
    pub name: String,
    pub domain: Option<String>,
    pub is_active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const COLUMNS: &str = "id, name, domain, is_active, created_at, updated_at";

fn from_row(row: &tokio_postgres::Row) -> Client {
    Client {
        id: row.get(0),
        name: row.get(1),
        domain: row.get(2),
        is_active: row.get(3),
        created_at: row.get(4),
        updated_at: row.get(5),
    }
}

/// Inserts a client; a duplicate domain surfaces as `clients_org_domain_key`.
pub async fn insert(
    c: &impl GenericClient,
    org_id: Uuid,
    name: &str,
    domain: Option<&str>,
) -> Result<Client, DbError> {
    let sql = format!(
        "INSERT INTO clients (org_id, name, domain) VALUES ($1, $2, $3) RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    Ok(from_row(
        &c.query_one(&st, &[&org_id, &name, &domain]).await?,
    ))
}

/// Active clients of the org, newest first.
pub async fn list(
    c: &impl GenericClient,
    org_id: Uuid,
    page: &PageRequest,
) -> Result<Vec<Client>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM clients WHERE org_id = $1 AND is_active {}",
        clause(2)
    );
    let st = prepare(c, &sql).await?;
    let rows = c
        .query(
            &st,
            &[
                &org_id,
                &page.after_created(),
                &page.after_id(),
                &page.fetch_limit(),
            ],
        )
        .await?;
    Ok(rows.iter().map(from_row).collect())
}

/// One active client of the org.
pub async fn get_active(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<Client>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM clients WHERE org_id = $1 AND id = $2 AND is_active");
    let st = prepare(c, &sql).await?;
    Ok(c.query_opt(&st, &[&org_id, &id])
        .await?
        .as_ref()
        .map(from_row))
}

/// Whether an active client with this id exists in the org (client-access validation).
pub async fn exists_active(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
) -> Result<bool, DbError> {
    let st = prepare(
        c,
        "SELECT EXISTS (SELECT 1 FROM clients WHERE org_id = $1 AND id = $2 AND is_active)",
    )
    .await?;
    Ok(c.query_one(&st, &[&org_id, &id]).await?.get(0))
}

pub fn cursor(client: &Client) -> Cursor {
    Cursor {
        created_at: client.created_at.0,
        id: client.id,
    }
}
