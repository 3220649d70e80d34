//! Push: records into a client's Salesforce org (API.md §4.14, §7.10; API-DECISIONS §9).
//!
//! Every push is a job ([`registry`] names the kinds) with a push log whose id is the job's:
//! `push/records` upserts by external id through sObject Collections (200 a call, a few calls in
//! flight) or, above `BULK_THRESHOLD`, Bulk API 2.0; `push/status-update` updates existing
//! records and never inserts; `push/link` sets lookups through relationship references by
//! external id. Every record ends succeeded or failed with Salesforce's error, failures in the
//! `crm_push_failures` ledger; `push/status` and `push/history` read the logs and
//! `push/validate` checks a mapping against the latest topology snapshot.

pub mod engine;
mod history;
mod link;
mod records;
mod run;
mod status;
mod status_update;
mod validate;

use shared::AppState;
use shared::jobs::Registry;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use link::KIND as LINK;
pub use records::KIND as RECORDS;
pub use run::Pushed;
pub use status_update::KIND as STATUS_UPDATE;

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(records::handle))
        .routes(routes!(validate::handle))
        .routes(routes!(status::handle))
        .routes(routes!(history::handle))
        .routes(routes!(status_update::handle))
        .routes(routes!(link::handle))
}

pub fn router(state: AppState) -> axum::Router {
    shared::http::openapi::into_router(api(), state)
}

/// Adds the push job kinds to a registry.
pub fn registry(r: Registry) -> Registry {
    r.add(records::KIND, records::run)
        .add(status_update::KIND, status_update::run)
        .add(link::KIND, link::run)
}

/// `{client_id}`.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct PushHistoryRequest {
    pub client_id: uuid::Uuid,
    #[serde(flatten)]
    pub page: shared::http::PageParams,
}

impl shared::http::Validate for PushHistoryRequest {
    fn validate(&self, errors: &mut Vec<shared::error::FieldError>) {
        self.page.validate(errors);
    }
}

/// A 422 at `body.<field>.<index>`, in Pydantic's shape.
pub(crate) fn item_error(
    field: &str,
    index: usize,
    kind: &str,
    msg: &str,
    input: serde_json::Value,
) -> shared::error::FieldError {
    shared::error::FieldError {
        kind: kind.into(),
        loc: vec!["body".into(), field.into(), index.into()],
        msg: msg.into(),
        input,
    }
}

/// A 422 for an empty list.
pub(crate) fn empty_list(field: &str) -> shared::error::FieldError {
    shared::error::FieldError::at(
        &[field],
        "too_short",
        "List should have at least 1 item after validation, not 0",
        serde_json::json!([]),
    )
}
