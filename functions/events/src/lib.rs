//! Jobs, events and webhooks: following long operations and the changes of an org.
//!
//! `jobs/*` and `events/list` are readable by every role (`connections.read`, which all roles
//! hold); a company-scoped principal sees only its own client's jobs and events, never another
//! client's nor org-level ones. `webhooks/*` need `org.manage`.

mod events_list;
mod jobs_get;
mod jobs_list;
mod webhooks_create;
mod webhooks_delete;
mod webhooks_list;

use serde::Serialize;
use serde_json::Value;
use shared::AppState;
use shared::auth::AuthContext;
use shared::db::jobs::{Job, JobStatus};
use shared::jobs::Progress;
use shared::time::Timestamp;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The documented routes of this group.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(jobs_get::handle))
        .routes(routes!(jobs_list::handle))
        .routes(routes!(events_list::handle))
        .routes(routes!(webhooks_create::handle))
        .routes(routes!(webhooks_list::handle))
        .routes(routes!(webhooks_delete::handle))
}

pub fn router(state: AppState) -> axum::Router {
    shared::http::openapi::into_router(api(), state)
}

/// `{code, message}` of a job's last failure.
#[derive(Serialize, utoipa::ToSchema)]
pub struct JobErrorOut {
    pub code: String,
    pub message: String,
}

/// A job as `jobs/get` and `jobs/list` return it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct JobOut {
    pub id: Uuid,
    pub kind: String,
    pub status: JobStatus,
    pub client_id: Option<Uuid>,
    pub progress: Progress,
    /// Exactly the body the synchronous call would have returned (null until it succeeded).
    #[schema(value_type = Option<Object>)]
    pub result: Option<Value>,
    /// The last failure: the final one of a failed job, the latest of a job waiting to retry.
    pub error: Option<JobErrorOut>,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
}

impl From<&Job> for JobOut {
    fn from(j: &Job) -> Self {
        JobOut {
            id: j.id,
            kind: j.kind.clone(),
            status: j.status,
            client_id: j.client_id,
            progress: Progress::of(j),
            result: j.result.clone(),
            error: j.error.as_ref().map(|e| JobErrorOut {
                code: e["code"].as_str().unwrap_or("error").to_string(),
                message: e["message"].as_str().unwrap_or_default().to_string(),
            }),
            created_at: j.created_at,
            started_at: j.started_at,
            finished_at: j.finished_at,
        }
    }
}

/// Whether the principal may see a row of this client (company principals: only their own).
pub(crate) fn visible(ctx: &AuthContext, client_id: Option<Uuid>) -> bool {
    match ctx.client_id {
        None => true,
        Some(own) => client_id == Some(own),
    }
}
