//! Topology: versioned snapshots of a client's Salesforce schema (objects, fields, picklists,
//! references, active validation rules), read back whole or by object, and diffed.
//!
//! A pull is a job (`topology.pull`, [`pull::run`]): describeGlobal, then describes 25 per
//! composite batch with a few batches in flight, each with `If-Modified-Since` from the previous
//! snapshot so unchanged objects answer 304 and their stored describe is copied forward.

mod diff;
mod fetch;
mod get;
mod history;
mod picklist;
pub mod pull;

use shared::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use pull::KIND;

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pull::handle))
        .routes(routes!(get::handle))
        .routes(routes!(history::handle))
        .routes(routes!(picklist::handle))
        .routes(routes!(diff::handle))
}

pub fn router(state: AppState) -> axum::Router {
    shared::http::openapi::into_router(api(), state)
}

/// The body every topology request addressed by client takes.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct ByClient {
    pub client_id: uuid::Uuid,
}

impl shared::http::Validate for ByClient {}

/// `Topology snapshot not found`.
pub(crate) fn snapshot_not_found() -> shared::ApiError {
    shared::ApiError::not_found("Topology snapshot not found")
}
