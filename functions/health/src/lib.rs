//! Liveness (`GET /health`, with `?deep=true` a database check) and the OpenAPI document of
//! every group (`GET /openapi.json`). This crate is also the one list of the HTTP groups: the
//! local server mounts [`GROUPS`], and the document is built from the same list.

mod check;

use std::sync::OnceLock;

use axum::response::IntoResponse;
use shared::AppState;
use shared::http::openapi::Security;
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A group's documented routes.
pub type GroupApi = fn() -> OpenApiRouter<AppState>;

/// Every HTTP group by name (its folder under `functions/`), with its documented routes.
pub const GROUPS: &[(&str, GroupApi)] = &[
    ("admin", admin::api),
    ("auth", auth::api),
    ("clients", clients::api),
    ("connections", connections::api),
    ("topology", topology::api),
    ("conflicts", conflicts::api),
    ("crm", crm::api),
    ("deploy", deploy::api),
    ("workflows", workflows::api),
    ("users", users::api),
    ("tokens", tokens::api),
    ("events", events::api),
    ("mappings", mappings::api),
    ("push", push::api),
    ("health", api),
];

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(check::handle))
        .routes(routes!(openapi_json))
}

pub fn router(state: AppState) -> axum::Router {
    shared::http::openapi::into_router(api(), state)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "sfdc-engine-x",
        description = "Administer client Salesforce orgs through an API: connections, topology, deployments, record push, CRM reads, jobs and webhooks."
    ),
    modifiers(&Security)
)]
struct Base;

/// The OpenAPI 3.1 document of every group.
pub fn document() -> OpenApi {
    let mut doc = Base::openapi();
    for (_, api) in GROUPS {
        doc.merge(shared::http::openapi::document(api()));
    }
    doc
}

/// `GET /openapi.json`
#[utoipa::path(get, path = "/openapi.json", tag = "health",
    responses((status = 200, description = "This document", content_type = "application/json")))]
pub async fn openapi_json() -> impl IntoResponse {
    static JSON: OnceLock<String> = OnceLock::new();
    let body = JSON.get_or_init(|| document().to_json().unwrap_or_default());
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.as_str(),
    )
}
