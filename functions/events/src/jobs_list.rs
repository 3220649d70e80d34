//! `POST /api/jobs/list`: the org's jobs, newest first, filtered by client, kind and status.

use axum::extract::State;
use serde::Deserialize;
use shared::auth::{AuthContext, Permission};
use shared::db::jobs::{JobFilter, JobStatus};
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, ListResponse, PageParams, Validate};
use shared::{ApiError, AppState, db};
use uuid::Uuid;

use crate::JobOut;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ListJobs {
    pub client_id: Option<Uuid>,
    pub kind: Option<String>,
    pub status: Option<JobStatus>,
    #[serde(flatten)]
    pub page: PageParams,
}

impl Validate for ListJobs {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        self.page.validate(errors);
    }
}

#[utoipa::path(
    post, path = "/api/jobs/list", tag = "jobs",
    request_body = ListJobs,
    responses(
        (status = 200, body = ListResponse<JobOut>),
        (status = 404, description = "Client not found", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<ListJobs>,
) -> Result<Json<ListResponse<JobOut>>, ApiError> {
    ctx.require(Permission::ConnectionsRead)?;
    let page = body.page.request();
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    if let Some(client_id) = body.client_id {
        ctx.check_client(&tx, client_id).await?;
    }
    let filter = JobFilter {
        client_id: body.client_id,
        only_client: ctx.client_id,
        kind: body.kind,
        status: body.status,
    };
    let rows = db::jobs::list(&tx, ctx.org_id, &filter, &page).await?;
    tx.commit().await?;
    let (rows, next) = page.finish(rows, db::jobs::cursor);
    Ok(Json(ListResponse::new(
        rows.iter().map(JobOut::from).collect(),
        next,
    )))
}
