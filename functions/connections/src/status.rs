//! Status changes and their events (`connection.pending|connected|expired|revoked`).

use deadpool_postgres::GenericClient;
use serde_json::json;
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
    let data = json!({
        "connection_id": row.id,
        "status": row.status,
        "previous_status": before,
        "error_message": row.error_message,
    });
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

pub fn not_found() -> shared::ApiError {
    shared::ApiError::not_found("Connection not found")
}

pub fn no_nango_connection() -> shared::ApiError {
    shared::ApiError::bad_request("No Nango connection found for this client")
}
