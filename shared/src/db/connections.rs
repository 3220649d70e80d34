//! `crm_connections`: one Salesforce connection per client, its status and what Nango told us
//! about it. No token is ever stored here: Nango holds them.

use deadpool_postgres::GenericClient;
use uuid::Uuid;

use super::page::{Cursor, PageRequest, clause};
use super::{DbError, prepare};
use crate::time::Timestamp;

pub struct Connection {
    pub id: Uuid,
    pub client_id: Uuid,
    pub status: String,
    pub instance_url: Option<String>,
    pub sfdc_org_id: Option<String>,
    pub sfdc_user_id: Option<String>,
    pub nango_connection_id: Option<String>,
    pub nango_provider_config_key: Option<String>,
    pub auto_refresh: bool,
    pub api_usage_used: Option<i64>,
    pub api_usage_max: Option<i64>,
    pub api_usage_observed_at: Option<Timestamp>,
    pub last_refreshed_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub error_message: Option<String>,
    pub created_at: Timestamp,
}

const COLUMNS: &str = "id, client_id, status::text, instance_url, sfdc_org_id, sfdc_user_id, \
    nango_connection_id, nango_provider_config_key, auto_refresh, api_usage_used, api_usage_max, \
    api_usage_observed_at, last_refreshed_at, last_used_at, error_message, created_at";

fn from_row(r: &tokio_postgres::Row) -> Connection {
    Connection {
        id: r.get(0),
        client_id: r.get(1),
        status: r.get(2),
        instance_url: r.get(3),
        sfdc_org_id: r.get(4),
        sfdc_user_id: r.get(5),
        nango_connection_id: r.get(6),
        nango_provider_config_key: r.get(7),
        auto_refresh: r.get(8),
        api_usage_used: r.get(9),
        api_usage_max: r.get(10),
        api_usage_observed_at: r.get(11),
        last_refreshed_at: r.get(12),
        last_used_at: r.get(13),
        error_message: r.get(14),
        created_at: r.get(15),
    }
}

pub fn cursor(c: &Connection) -> Cursor {
    Cursor {
        created_at: c.created_at.0,
        id: c.id,
    }
}

/// The client's connection, if it has one.
pub async fn get_by_client(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Uuid,
) -> Result<Option<Connection>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM crm_connections WHERE org_id = $1 AND client_id = $2");
    let st = prepare(c, &sql).await?;
    Ok(c.query_opt(&st, &[&org_id, &client_id])
        .await?
        .as_ref()
        .map(from_row))
}

/// A connection by id.
pub async fn get(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<Connection>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM crm_connections WHERE org_id = $1 AND id = $2");
    let st = prepare(c, &sql).await?;
    Ok(c.query_opt(&st, &[&org_id, &id])
        .await?
        .as_ref()
        .map(from_row))
}

/// The connection Nango knows by this id.
pub async fn get_by_nango_id(
    c: &impl GenericClient,
    org_id: Uuid,
    nango_connection_id: &str,
) -> Result<Option<Connection>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM crm_connections WHERE org_id = $1 AND nango_connection_id = $2"
    );
    let st = prepare(c, &sql).await?;
    Ok(c.query_opt(&st, &[&org_id, &nango_connection_id])
        .await?
        .as_ref()
        .map(from_row))
}

/// Connections of the org (or of one client), newest first.
pub async fn list(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Option<Uuid>,
    page: &PageRequest,
) -> Result<Vec<Connection>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM crm_connections
         WHERE org_id = $1 AND ($5::uuid IS NULL OR client_id = $5) {}",
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
                &client_id,
            ],
        )
        .await?;
    Ok(rows.iter().map(from_row).collect())
}

/// Starts (or restarts) connecting a client: a new row is `pending`; a connected one keeps
/// working until Nango reports the new connection. Returns the row and whether it is new or
/// changed status.
pub async fn begin_connect(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Uuid,
    provider_config_key: Option<&str>,
    auto_refresh: Option<bool>,
) -> Result<Connection, DbError> {
    let sql = format!(
        "INSERT INTO crm_connections (org_id, client_id, status, nango_provider_config_key, auto_refresh)
         VALUES ($1, $2, 'pending', $3, coalesce($4, false))
         ON CONFLICT (org_id, client_id) DO UPDATE SET
             status = CASE WHEN crm_connections.status = 'connected' THEN crm_connections.status
                           ELSE 'pending'::connection_status END,
             nango_provider_config_key = coalesce(EXCLUDED.nango_provider_config_key,
                                                  crm_connections.nango_provider_config_key),
             auto_refresh = coalesce($4, crm_connections.auto_refresh),
             error_message = NULL
         RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    Ok(from_row(
        &c.query_one(
            &st,
            &[&org_id, &client_id, &provider_config_key, &auto_refresh],
        )
        .await?,
    ))
}

/// What Nango told us about a connection that works.
pub struct Connected<'a> {
    pub nango_connection_id: &'a str,
    pub provider_config_key: &'a str,
    pub instance_url: &'a str,
    pub sfdc_org_id: Option<&'a str>,
    pub sfdc_user_id: Option<&'a str>,
}

/// Marks the client's connection connected (creating the row if needed); returns it with the
/// status it had before (None when new).
pub async fn mark_connected(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Uuid,
    n: &Connected<'_>,
) -> Result<(Connection, Option<String>), DbError> {
    let before = get_by_client(c, org_id, client_id).await?.map(|r| r.status);
    let sql = format!(
        "INSERT INTO crm_connections (org_id, client_id, status, nango_connection_id,
             nango_provider_config_key, instance_url, sfdc_org_id, sfdc_user_id, last_refreshed_at)
         VALUES ($1, $2, 'connected', $3, $4, $5, $6, $7, now())
         ON CONFLICT (org_id, client_id) DO UPDATE SET
             status = 'connected', nango_connection_id = EXCLUDED.nango_connection_id,
             nango_provider_config_key = EXCLUDED.nango_provider_config_key,
             instance_url = EXCLUDED.instance_url,
             sfdc_org_id = coalesce(EXCLUDED.sfdc_org_id, crm_connections.sfdc_org_id),
             sfdc_user_id = coalesce(EXCLUDED.sfdc_user_id, crm_connections.sfdc_user_id),
             last_refreshed_at = now(), error_message = NULL
         RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    let row = c
        .query_one(
            &st,
            &[
                &org_id,
                &client_id,
                &n.nango_connection_id,
                &n.provider_config_key,
                &n.instance_url,
                &n.sfdc_org_id,
                &n.sfdc_user_id,
            ],
        )
        .await?;
    Ok((from_row(&row), before))
}

/// Sets a connection's status (and error message); returns the row and the status before.
pub async fn set_status(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
    status: &str,
    error_message: Option<&str>,
) -> Result<Option<(Connection, String)>, DbError> {
    let lock = prepare(
        c,
        "SELECT status::text FROM crm_connections WHERE org_id = $1 AND id = $2 FOR UPDATE",
    )
    .await?;
    let Some(before) = c.query_opt(&lock, &[&org_id, &id]).await? else {
        return Ok(None);
    };
    let sql = format!(
        "UPDATE crm_connections SET status = $3::text::connection_status, error_message = $4
         WHERE org_id = $1 AND id = $2 RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    let row = c
        .query_one(&st, &[&org_id, &id, &status, &error_message])
        .await?;
    Ok(Some((from_row(&row), before.get(0))))
}

/// A successful forced refresh: connected, `last_refreshed_at` now.
pub async fn mark_refreshed(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<Connection>, DbError> {
    let sql = format!(
        "UPDATE crm_connections SET status = 'connected', last_refreshed_at = now(), error_message = NULL
         WHERE org_id = $1 AND id = $2 RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    Ok(c.query_opt(&st, &[&org_id, &id])
        .await?
        .as_ref()
        .map(from_row))
}

pub async fn set_auto_refresh(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Uuid,
    auto_refresh: bool,
) -> Result<Option<Connection>, DbError> {
    let sql = format!(
        "UPDATE crm_connections SET auto_refresh = $3 WHERE org_id = $1 AND client_id = $2 RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    Ok(c.query_opt(&st, &[&org_id, &client_id, &auto_refresh])
        .await?
        .as_ref()
        .map(from_row))
}

/// Records the API usage Salesforce reported (`Sforce-Limit-Info`) and stamps `last_used_at`.
pub async fn record_usage(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
    used: Option<i64>,
    max: Option<i64>,
) -> Result<(), DbError> {
    let st = prepare(
        c,
        "UPDATE crm_connections SET last_used_at = now(),
             api_usage_used = coalesce($3, api_usage_used), api_usage_max = coalesce($4, api_usage_max),
             api_usage_observed_at = CASE WHEN $3::bigint IS NULL THEN api_usage_observed_at ELSE now() END
         WHERE org_id = $1 AND id = $2",
    )
    .await?;
    c.execute(&st, &[&org_id, &id, &used, &max]).await?;
    Ok(())
}
