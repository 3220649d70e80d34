//! `POST /api/webhooks/list`: the org's webhooks, newest first (secrets are never shown again).

use axum::extract::State;
use serde::Deserialize;
use shared::auth::{AuthContext, Permission};
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, ListResponse, PageParams, Validate};
use shared::{ApiError, AppState, db};

use crate::webhooks_create::WebhookOut;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ListWebhooks {
    #[serde(flatten)]
    pub page: PageParams,
}

impl Validate for ListWebhooks {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        self.page.validate(errors);
    }
}

#[utoipa::path(
    post, path = "/api/webhooks/list", tag = "webhooks",
    request_body = ListWebhooks,
    responses(
        (status = 200, body = ListResponse<WebhookOut>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<ListWebhooks>,
) -> Result<Json<ListResponse<WebhookOut>>, ApiError> {
    ctx.require(Permission::OrgManage)?;
    let page = body.page.request();
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    let rows = db::webhooks::list(&tx, ctx.org_id, &page).await?;
    tx.commit().await?;
    let (rows, next) = page.finish(rows, db::webhooks::cursor);
    Ok(Json(ListResponse::new(
        rows.iter().map(WebhookOut::from).collect(),
        next,
    )))
}
