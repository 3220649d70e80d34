//! Users of an org: create and list. All `org.manage`.

mod create;
mod list;

use shared::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create::handle))
        .routes(routes!(list::handle))
}

pub fn router(state: AppState) -> axum::Router {
    shared::http::openapi::into_router(api(), state)
}
