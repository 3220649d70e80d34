//! Workflows: flows and assignment rules of a client's org. `workflows/list` reads them;
//! `workflows/deploy` (alias `deploy/workflows`) and `workflows/remove` change them through
//! Metadata deploys in jobs, recorded as deployments like every deploy (see the deploy crate's
//! `lifecycle` and `engine`).

mod deploy;
mod list;
pub mod plan;
mod remove;

use shared::AppState;
use shared::jobs::Registry;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use deploy::KIND as DEPLOY_KIND;
pub use remove::KIND as REMOVE_KIND;

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list::handle))
        .routes(routes!(deploy::handle))
        .routes(routes!(deploy::handle_alias))
        .routes(routes!(remove::handle))
}

pub fn router(state: AppState) -> axum::Router {
    shared::http::openapi::into_router(api(), state)
}

/// Adds this crate's job kinds.
pub fn registry(r: Registry) -> Registry {
    r.add(deploy::KIND, deploy::run)
        .add(remove::KIND, remove::run)
}
