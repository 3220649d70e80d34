//! What every Salesforce-facing group needs before it calls Salesforce: the client's connected
//! connection (API.md §3.1), and bookkeeping after the call (usage, expiry).

use deadpool_postgres::GenericClient;
use uuid::Uuid;

use crate::db::connections::{self, Connection};
use crate::error::ApiError;
use crate::salesforce::SalesforceError;
use crate::state::AppState;

/// A connected connection with its Nango id.
pub struct Connected {
    pub row: Connection,
    pub nango_connection_id: String,
}

/// The client's `connected` connection, or the contract's 400s (`No connected Salesforce
/// connection found`, `Connection has no Nango connection ID`).
pub async fn connected(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Uuid,
) -> Result<Connected, ApiError> {
    find(
        c,
        org_id,
        client_id,
        ApiError::bad_request,
        "No connected Salesforce connection found",
    )
    .await
}

/// The same look-up as the CRM read endpoints make it, with their 404s (API.md §3.1:
/// `No active Salesforce connection`, `Connection has no Nango connection ID`).
pub async fn active(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Uuid,
) -> Result<Connected, ApiError> {
    find(
        c,
        org_id,
        client_id,
        ApiError::not_found,
        "No active Salesforce connection",
    )
    .await
}

async fn find(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Uuid,
    error: fn(&'static str) -> ApiError,
    missing: &'static str,
) -> Result<Connected, ApiError> {
    let row = connections::get_by_client(c, org_id, client_id)
        .await?
        .filter(|r| r.status == "connected")
        .ok_or_else(|| error(missing))?;
    let nango_connection_id = row
        .nango_connection_id
        .clone()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| error("Connection has no Nango connection ID"))?;
    Ok(Connected {
        row,
        nango_connection_id,
    })
}

impl Connected {
    /// A Salesforce client for this connection.
    pub fn salesforce(&self, state: &AppState) -> crate::salesforce::SalesforceClient {
        state.salesforce(
            &self.nango_connection_id,
            self.row.nango_provider_config_key.as_deref(),
        )
    }

    /// Stores the latest API usage seen for this connection and stamps `last_used_at`.
    pub async fn record_usage(
        &self,
        state: &AppState,
        c: &impl GenericClient,
        org_id: Uuid,
    ) -> Result<(), ApiError> {
        let usage = state.limits().latest(&self.nango_connection_id);
        connections::record_usage(
            c,
            org_id,
            self.row.id,
            usage.map(|u| u.used as i64),
            usage.map(|u| u.max as i64),
        )
        .await?;
        Ok(())
    }
}

/// Whether a Salesforce failure means Nango can no longer give us a token for the connection
/// (refresh exhausted, connection gone): the connection is then `expired`.
pub fn connection_unusable(e: &SalesforceError) -> bool {
    matches!(e, SalesforceError::Token(n) if n.is_connection_unusable())
}
