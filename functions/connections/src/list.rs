//! `POST /api/connections/list`: newest first. A company-scoped principal sees only its own
//! client's connection, with or without `client_id`.

use axum::extract::State;
use serde::Deserialize;
use shared::auth::{AuthContext, Permission, client_not_found};
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, ListResponse, PageParams, Validate};
use shared::{ApiError, AppState, db};
use uuid::Uuid;

use crate::status::ConnectionItem;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ListConnections {
    pub client_id: Option<Uuid>,
    #[serde(flatten)]
    pub page: PageParams,
}

impl Validate for ListConnections {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        self.page.validate(errors);
    }
}

#[utoipa::path(
    post, path = "/api/connections/list", tag = "connections",
    request_body = ListConnections,
    responses(
        (status = 200, body = ListResponse<ConnectionItem>),
        (status = 404, description = "Client not found", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<ListConnections>,
) -> Result<Json<ListResponse<ConnectionItem>>, ApiError> {
    ctx.require(Permission::ConnectionsRead)?;
    let page = body.page.request();
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    let client = match (body.client_id, ctx.client_id) {
        (Some(c), _) => {
            ctx.check_client(&tx, c).await?;
            Some(c)
        }
        // A company-scoped caller without `client_id` still sees only its own client.
        (None, Some(own)) => {
            if !db::clients::exists_active(&tx, ctx.org_id, own).await? {
                return Err(client_not_found());
            }
            Some(own)
        }
        (None, None) => None,
    };
    let rows = db::connections::list(&tx, ctx.org_id, client, &page).await?;
    tx.commit().await?;
    let (rows, next) = page.finish(rows, db::connections::cursor);
    Ok(Json(ListResponse::new(
        rows.iter().map(ConnectionItem::from).collect(),
        next,
    )))
}
