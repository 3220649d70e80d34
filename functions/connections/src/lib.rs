//! Connections: a client's Salesforce org, connected through Nango (which holds the tokens).
//!
//! `pending` (create) → `connected` (callback or Nango's webhook) → `expired` (Nango cannot
//! refresh) or `revoked`. A Nango connection is bound only when its tags name the caller's org
//! and client. Every status change is an event.

mod callback;
mod create;
mod get;
mod limits;
mod list;
mod refresh;
mod revoke;
mod status;
mod update;
mod webhook;

use shared::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create::handle))
        .routes(routes!(callback::handle))
        .routes(routes!(list::handle))
        .routes(routes!(get::handle))
        .routes(routes!(refresh::handle))
        .routes(routes!(revoke::handle))
        .routes(routes!(update::handle))
        .routes(routes!(limits::handle))
        .routes(routes!(webhook::handle))
}

pub fn router(state: AppState) -> axum::Router {
    shared::http::openapi::into_router(api(), state)
}

/// The body every connection request addressed by client takes.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct ByClient {
    pub client_id: uuid::Uuid,
}

impl shared::http::Validate for ByClient {}
