//! `POST /api/crm/search`: `SELECT {fields} FROM {object} WHERE {filters} LIMIT n OFFSET m`,
//! every part validated; the first batch with its cursor.

use axum::extract::State;
use serde::Deserialize;
use shared::auth::AuthContext;
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, Validate};
use shared::{ApiError, AppState};
use uuid::Uuid;

use crate::soql::{self, Filter};
use crate::{QueryResponse, check_bound, check_non_empty, first_page, names, prepare};

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = CrmSearch)]
pub struct Search {
    pub client_id: Uuid,
    /// Checked against the latest topology snapshot when the client has one.
    pub object_name: String,
    #[serde(default)]
    pub filters: Vec<Filter>,
    /// Default `["Id", "Name"]`.
    #[serde(default = "default_fields")]
    pub fields: Vec<String>,
    /// 0 to 2000.
    pub limit: Option<i64>,
    /// 0 to 2000 (SOQL's bound).
    pub offset: Option<i64>,
}

fn default_fields() -> Vec<String> {
    names(&["Id", "Name"])
}

impl Validate for Search {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        check_non_empty("fields", &self.fields, errors);
        check_bound("limit", self.limit, errors);
        check_bound("offset", self.offset, errors);
    }
}

/// The query of a search.
pub fn build(body: &Search, known: Option<&[String]>) -> Result<String, ApiError> {
    let fields = soql::select_list(&body.fields)?;
    let conditions = soql::conditions(&body.filters)?;
    let object = soql::object(&body.object_name, known)?;
    let mut q = format!(
        "SELECT {fields} FROM {object}{}",
        soql::where_clause(&conditions)
    );
    if let Some(limit) = body.limit {
        q.push_str(&format!(" LIMIT {limit}"));
    }
    if let Some(offset) = body.offset {
        q.push_str(&format!(" OFFSET {offset}"));
    }
    Ok(q)
}

#[utoipa::path(
    post, path = "/api/crm/search", tag = "crm",
    request_body = Search,
    responses(
        (status = 200, body = QueryResponse),
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
    Json(body): Json<Search>,
) -> Result<Json<QueryResponse>, ApiError> {
    let (sf, q) = prepare(&state, &ctx, body.client_id, true, |known| {
        build(&body, known)
    })
    .await?;
    first_page(&sf, &q).await
}
