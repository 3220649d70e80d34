//! Deploy: custom objects and fields (`deploy/execute`, alias `deploy/custom-objects`), check-only
//! validation (`deploy/validate`), reports and dashboards (`deploy/analytics`), their rollbacks,
//! and the deployments' status and history.
//!
//! Every deploy and rollback is a job ([`registry`] lists the kinds): the handler checks the
//! request (client, connection, conflict report, plan) and creates the job; the job inserts the
//! `crm_deployments` row (once per job), deploys through the SOAP Metadata API with a poll budget
//! ([`engine`]), and records the per-component outcome. The workflows crate reuses [`lifecycle`]
//! and [`engine`] for flows and assignment rules.

mod analytics;
pub mod engine;
pub mod execute;
mod history;
pub mod lifecycle;
pub mod plan;
pub mod rollback;
mod status;
pub mod validate;

use shared::AppState;
use shared::jobs::Registry;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use analytics::KIND as ANALYTICS_KIND;

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(execute::handle))
        .routes(routes!(execute::handle_alias))
        .routes(routes!(validate::handle))
        .routes(routes!(status::handle))
        .routes(routes!(history::handle))
        .routes(routes!(rollback::handle))
        .routes(routes!(analytics::handle))
        .routes(routes!(rollback::handle_analytics))
}

pub fn router(state: AppState) -> axum::Router {
    shared::http::openapi::into_router(api(), state)
}

/// Adds this crate's job kinds.
pub fn registry(r: Registry) -> Registry {
    r.add(execute::KIND, execute::run)
        .add(validate::KIND, validate::run)
        .add(analytics::KIND, analytics::run)
        .add(rollback::KIND, rollback::run)
        .add(rollback::ANALYTICS_KIND, rollback::run_analytics)
}

/// A body addressed by client.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct ByClient {
    pub client_id: uuid::Uuid,
}

impl shared::http::Validate for ByClient {}

/// A body addressed by deployment id.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct ById {
    pub id: uuid::Uuid,
}

impl shared::http::Validate for ById {}
