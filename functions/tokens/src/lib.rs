//! API tokens: machine credentials shown once and stored as hashes. All `org.manage`.

mod create;
mod list;
mod revoke;

use shared::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create::handle))
        .routes(routes!(list::handle))
        .routes(routes!(revoke::handle))
}

pub fn router(state: AppState) -> axum::Router {
    shared::http::openapi::into_router(api(), state)
}
