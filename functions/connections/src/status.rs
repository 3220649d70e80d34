//! Status changes and their events (`connection.pending|connected|expired|revoked`).

use deadpool_postgres::GenericClient;
use shared::db::DbError;
use shared::db::connections::Connection;
use shared::jobs::events::{NewEvent, Outbox, emit};
use uuid::Uuid;

/// Appends `connection.<status>` when the status changed.
pub async fn changed(
    c: &impl GenericClient,
    outbox: &mut Outbox,
    org_id: Uuid,
    row: &Connection,
    before: Option<&str>,
) -> Result<(), DbError> {
    if before == Some(row.status.as_str()) {
        return Ok(());
    }
    let data = shared::crm::status_data(row.id, &row.status, before, row.error_message.as_deref());
    emit(
        c,
        outbox,
        org_id,
        NewEvent::new(
            format!("connection.{}", row.status),
            Some(row.client_id),
            Some(row.id),
            data,
        ),
    )
    .await?;
    Ok(())
}

/// `{id, client_id, status, instance_url, last_used_at, created_at, nango_provider_config_key}`
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ConnectionItem {
    pub id: Uuid,
    pub client_id: Uuid,
    pub status: String,
    pub instance_url: Option<String>,
    pub last_used_at: Option<shared::time::Timestamp>,
    pub created_at: shared::time::Timestamp,
    pub nango_provider_config_key: Option<String>,
    pub auto_refresh: bool,
}

impl From<&Connection> for ConnectionItem {
    fn from(c: &Connection) -> Self {
        ConnectionItem {
            id: c.id,
            client_id: c.client_id,
            status: c.status.clone(),
            instance_url: c.instance_url.clone(),
            last_used_at: c.last_used_at,
            created_at: c.created_at,
            nango_provider_config_key: c.nango_provider_config_key.clone(),
            auto_refresh: c.auto_refresh,
        }
    }
}

/// Client-access check, then the client's connection (if any), in one short transaction.
pub async fn of_client(
    ctx: &shared::auth::AuthContext,
    conn: &mut shared::db::Conn,
    client_id: Uuid,
) -> Result<Option<Connection>, shared::ApiError> {
    let tx = shared::db::begin(conn, ctx.org_id).await?;
    ctx.check_client(&tx, client_id).await?;
    let row = shared::db::connections::get_by_client(&tx, ctx.org_id, client_id).await?;
    tx.commit().await?;
    Ok(row)
}

/// The client's connection with its Nango id, or 400 `No Nango connection found for this client`.
pub async fn with_nango_id(
    ctx: &shared::auth::AuthContext,
    conn: &mut shared::db::Conn,
    client_id: Uuid,
) -> Result<(Connection, String), shared::ApiError> {
    let row = of_client(ctx, conn, client_id).await?;
    let row = row
        .filter(|r| {
            r.nango_connection_id
                .as_deref()
                .is_some_and(|id| !id.is_empty())
        })
        .ok_or_else(no_nango_connection)?;
    let id = row.nango_connection_id.clone().unwrap_or_default();
    Ok((row, id))
}

pub fn not_found() -> shared::ApiError {
    shared::ApiError::not_found("Connection not found")
}

pub fn no_nango_connection() -> shared::ApiError {
    shared::ApiError::bad_request("No Nango connection found for this client")
}
