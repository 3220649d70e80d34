//! What every Salesforce-facing group needs before it calls Salesforce: the client's connected
//! connection (API.md §3.1), and bookkeeping after the call (usage, expiry).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use deadpool_postgres::GenericClient;
use serde_json::json;
use uuid::Uuid;

use crate::db::connections::{self, Connection};
use crate::db::{self, DbError};
use crate::error::ApiError;
use crate::jobs::events::{self, NewEvent, Outbox, emit};
use crate::nango::NangoError;
use crate::salesforce::{OnUnusable, SalesforceError};
use crate::state::AppState;

/// A connected connection with its Nango id.
pub struct Connected {
    pub org_id: Uuid,
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

/// Client access for the caller, then [`connected`], in one short transaction: what an endpoint
/// checks before it calls Salesforce or starts a job that will.
pub async fn connected_for(
    state: &AppState,
    ctx: &crate::auth::AuthContext,
    client_id: Uuid,
) -> Result<Connected, ApiError> {
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, client_id).await?;
    let c = connected(&tx, ctx.org_id, client_id).await?;
    tx.commit().await?;
    Ok(c)
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
        org_id,
        row,
        nango_connection_id,
    })
}

impl Connected {
    /// A Salesforce client for this connection. When Nango answers that it can no longer give
    /// a token, the connection is marked `expired` (with its event) before the error reaches
    /// the caller (API-DECISIONS §4: "Nango 424 during work marks the connection `expired`").
    pub fn salesforce(&self, state: &AppState) -> crate::salesforce::SalesforceClient {
        let tokens = state
            .tokens()
            .source(
                &self.nango_connection_id,
                self.row.nango_provider_config_key.as_deref(),
            )
            .on_unusable(Arc::new(ExpireOnUnusable {
                state: state.clone(),
                org_id: self.org_id,
                client_id: self.row.client_id,
                connection_id: self.row.id,
            }));
        state.salesforce_with(tokens)
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

/// The hook [`Connected::salesforce`] gives its token source.
struct ExpireOnUnusable {
    state: AppState,
    org_id: Uuid,
    client_id: Uuid,
    connection_id: Uuid,
}

impl OnUnusable for ExpireOnUnusable {
    fn unusable<'a>(
        &'a self,
        error: &'a NangoError,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
        Box::pin(async move {
            let reason = format!("Nango could not provide a token: {error}");
            if let Err(e) = expire(
                &self.state,
                self.org_id,
                self.client_id,
                self.connection_id,
                &reason,
            )
            .await
            {
                tracing::error!(error = %e, connection_id = %self.connection_id,
                    "could not mark the connection expired");
            }
        })
    }
}

/// Marks a `connected` connection `expired` with `reason`, with its `connection.expired`
/// event; `false` (and no event) when it was not connected any more.
pub async fn expire(
    state: &AppState,
    org_id: Uuid,
    client_id: Uuid,
    connection_id: Uuid,
    reason: &str,
) -> Result<bool, DbError> {
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, org_id).await?;
    let mut outbox = Outbox::default();
    let changed = db::jobs::expire_connection(&tx, org_id, connection_id, reason).await?;
    if changed {
        let data = status_data(connection_id, "expired", Some("connected"), Some(reason));
        let event = NewEvent::new(
            events::CONNECTION_EXPIRED,
            Some(client_id),
            Some(connection_id),
            data,
        );
        emit(&tx, &mut outbox, org_id, event).await?;
    }
    tx.commit().await?;
    drop(conn);
    outbox.send(state).await;
    Ok(changed)
}

/// The data of a `connection.<status>` event.
pub fn status_data(
    connection_id: Uuid,
    status: &str,
    previous_status: Option<&str>,
    error_message: Option<&str>,
) -> serde_json::Value {
    json!({
        "connection_id": connection_id,
        "status": status,
        "previous_status": previous_status,
        "error_message": error_message,
    })
}
