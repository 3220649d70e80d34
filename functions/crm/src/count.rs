//! `POST /api/crm/count`: `SELECT COUNT() FROM {object} WHERE {filters}` → `{count}`.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shared::auth::AuthContext;
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::{ApiError, AppState};
use uuid::Uuid;

use crate::soql::{self, Filter};
use crate::{prepare, upstream};

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = CrmCount)]
pub struct Count {
    pub client_id: Uuid,
    /// Checked against the latest topology snapshot when the client has one.
    pub object_name: String,
    #[serde(default)]
    pub filters: Vec<Filter>,
}

impl Validate for Count {}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = CrmCountOut)]
pub struct CountOut {
    pub count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sforce_limit_info: Option<String>,
}

#[utoipa::path(
    post, path = "/api/crm/count", tag = "crm",
    request_body = Count,
    responses(
        (status = 200, body = CountOut),
        (status = 400, description = "`Invalid field name: {field}`, `Invalid object name: {name}`, `Operator {op} requires a list value`, `Invalid {type} value for field {field}`", body = ErrorBody),
        (status = 404, description = "`Client not found`, `Object {name} not found in topology snapshot`, `No active Salesforce connection`, `Connection has no Nango connection ID`", body = ErrorBody),
        (status = 502, description = "Salesforce error `{code, message}`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<Count>,
) -> Result<Json<CountOut>, ApiError> {
    let (sf, q) = prepare(&state, &ctx, body.client_id, true, |known| {
        let conditions = soql::conditions(&body.filters)?;
        let object = soql::object(&body.object_name, known)?;
        Ok(format!(
            "SELECT COUNT() FROM {object}{}",
            soql::where_clause(&conditions)
        ))
    })
    .await?;
    let page = sf.query(&q).await.map_err(upstream("Salesforce query"))?;
    Ok(Json(CountOut {
        count: page.total_size,
        sforce_limit_info: page.sforce_limit_info,
    }))
}
