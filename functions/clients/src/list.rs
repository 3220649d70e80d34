//! `POST /api/clients/list`: active clients, newest first.

use axum::extract::State;
use serde::Deserialize;
use shared::auth::{AuthContext, Permission};
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, ListResponse, PageParams, Validate};
use shared::{ApiError, AppState, db};

use crate::ClientOut;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ListClients {
    #[serde(flatten)]
    pub page: PageParams,
}

impl Validate for ListClients {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        self.page.validate(errors);
    }
}

#[utoipa::path(
    post, path = "/api/clients/list", tag = "clients",
    request_body = ListClients,
    responses(
        (status = 200, body = ListResponse<ClientOut>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<ListClients>,
) -> Result<Json<ListResponse<ClientOut>>, ApiError> {
    ctx.require(Permission::OrgManage)?;
    let page = body.page.request();
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    let rows = db::clients::list(&tx, ctx.org_id, &page).await?;
    tx.commit().await?;
    let (rows, next) = page.finish(rows, db::clients::cursor);
    Ok(Json(ListResponse::new(
        rows.iter().map(ClientOut::from).collect(),
        next,
    )))
}
