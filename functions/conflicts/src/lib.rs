//! Conflicts: a deployment plan checked against the client's latest topology snapshot, stored as
//! a report the deploy can name. The rules are in [`checker`] (pure, no Salesforce call).

mod check;
pub mod checker;
mod get;

use serde::Serialize;
use serde_json::Value;
use shared::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(check::handle))
        .routes(routes!(get::handle))
}

pub fn router(state: AppState) -> axum::Router {
    shared::http::openapi::into_router(api(), state)
}

/// A stored report, as both endpoints answer it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReportOut {
    pub id: Uuid,
    /// `green`, `yellow` or `red`.
    pub overall_severity: String,
    pub green_count: i32,
    pub yellow_count: i32,
    pub red_count: i32,
    /// `[{severity, category, message}]`.
    #[schema(value_type = Vec<Object>)]
    pub findings: Value,
}

impl From<shared::db::conflict_reports::Report> for ReportOut {
    fn from(r: shared::db::conflict_reports::Report) -> Self {
        ReportOut {
            id: r.id,
            overall_severity: r.overall_severity,
            green_count: r.green_count,
            yellow_count: r.yellow_count,
            red_count: r.red_count,
            findings: r.findings,
        }
    }
}
