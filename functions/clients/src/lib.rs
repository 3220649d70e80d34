//! Clients: an org's customers, each of which has (at most) one Salesforce org. All `org.manage`.

mod create;
mod get;
mod list;

use shared::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The documented routes of this group.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create::handle))
        .routes(routes!(list::handle))
        .routes(routes!(get::handle))
}

pub fn router(state: AppState) -> axum::Router {
    shared::http::openapi::into_router(api(), state)
}

/// A client as every endpoint of this group returns it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ClientOut {
    pub id: uuid::Uuid,
    pub name: String,
    pub domain: Option<String>,
    pub is_active: bool,
    pub created_at: shared::time::Timestamp,
}

impl From<&shared::db::clients::Client> for ClientOut {
    fn from(c: &shared::db::clients::Client) -> Self {
        ClientOut {
            id: c.id,
            name: c.name.clone(),
            domain: c.domain.clone(),
            is_active: c.is_active,
            created_at: c.created_at,
        }
    }
}
