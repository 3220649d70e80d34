//! CRM reads (`query/*`, `crm/*`): live Salesforce reads for a client, nothing persisted and
//! `last_used_at` not bumped (API.md §4.15, API-DECISIONS §10). SOQL is built by [`soql`] from
//! validated parts; long ID lists go through [`chunks`].

mod activities;
mod associations;
mod bulk;
mod bulk_results;
mod campaign_members;
pub mod chunks;
mod contact_roles;
mod count;
mod lead_conversions;
mod pipelines;
mod query_more;
mod query_soql;
mod search;
pub mod soql;
#[cfg(test)]
mod soql_tests;

use serde::Serialize;
use serde_json::Value;
use shared::auth::{AuthContext, Permission};
use shared::error::FieldError;
use shared::salesforce::{QueryPage, SalesforceClient, SalesforceError};
use shared::{ApiError, AppState, crm, db};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(query_soql::handle))
        .routes(routes!(query_more::handle))
        .routes(routes!(bulk::handle))
        .routes(routes!(bulk_results::handle))
        .routes(routes!(search::handle))
        .routes(routes!(count::handle))
        .routes(routes!(associations::handle))
        .routes(routes!(contact_roles::handle))
        .routes(routes!(campaign_members::handle))
        .routes(routes!(lead_conversions::handle))
        .routes(routes!(pipelines::handle))
        .routes(routes!(activities::handle))
}

pub fn router(state: AppState) -> axum::Router {
    shared::http::openapi::into_router(api(), state)
}

/// A query answer (API.md's SOQLResponse): Salesforce's records as they came (with
/// `attributes`), and the cursor of the next page when there is one.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SoqlResponse)]
pub struct QueryResponse {
    pub total_size: u64,
    /// True only when every record has been returned.
    pub done: bool,
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<Value>,
    /// Salesforce's `nextRecordsUrl`, for `query/more`.
    pub next_records_path: Option<String>,
    /// Salesforce's `Sforce-Limit-Info` header (`api-usage=used/max`), when it sent one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sforce_limit_info: Option<String>,
}

impl From<QueryPage> for QueryResponse {
    fn from(p: QueryPage) -> Self {
        QueryResponse {
            total_size: p.total_size,
            done: p.done,
            records: p.records,
            next_records_path: p.next_records_url,
            sforce_limit_info: p.sforce_limit_info,
        }
    }
}

impl From<chunks::Rows> for QueryResponse {
    fn from(r: chunks::Rows) -> Self {
        QueryResponse {
            total_size: r.total_size,
            done: true,
            records: r.records,
            next_records_path: None,
            sforce_limit_info: r.sforce_limit_info,
        }
    }
}

/// A Salesforce failure as the contract shows it; a success body that is not a query answer
/// says `{what} response was not an object`.
pub(crate) fn upstream(what: &'static str) -> impl Fn(SalesforceError) -> ApiError {
    move |e| match e {
        SalesforceError::InvalidResponse(_) => ApiError::upstream(
            axum::http::StatusCode::BAD_GATEWAY,
            "salesforce_invalid_response",
            &format!("{what} response was not an object"),
        ),
        e => e.into(),
    }
}

/// What every endpoint does before Salesforce, in the contract's order: permission, client
/// access, `check` (the endpoint's validation; it gets the latest snapshot's object names when
/// `objects` is set and the client has a snapshot), then the active connection (404s).
pub(crate) async fn prepare<T>(
    state: &AppState,
    ctx: &AuthContext,
    client_id: Uuid,
    objects: bool,
    check: impl FnOnce(Option<&[String]>) -> Result<T, ApiError>,
) -> Result<(SalesforceClient, T), ApiError> {
    ctx.require(Permission::CrmRead)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, client_id).await?;
    let known = if objects {
        db::topology::get(&tx, ctx.org_id, client_id, None)
            .await?
            .and_then(|s| object_names(&s.document))
    } else {
        None
    };
    let out = check(known.as_deref())?;
    let connected = crm::active(&tx, ctx.org_id, client_id).await?;
    tx.commit().await?;
    Ok((connected.salesforce(state), out))
}

fn object_names(document: &Value) -> Option<Vec<String>> {
    let names = document.get("object_names")?.as_array()?;
    Some(
        names
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
    )
}

/// 422 entries for a `limit`/`offset` outside SOQL's 0..=2000.
pub(crate) fn check_bound(name: &str, value: Option<i64>, errors: &mut Vec<FieldError>) {
    match value {
        Some(v) if v < 0 => errors.push(FieldError::at(
            &[name],
            "greater_than_equal",
            "Input should be greater than or equal to 0",
            Value::from(v),
        )),
        Some(v) if v > 2000 => errors.push(FieldError::at(
            &[name],
            "less_than_equal",
            "Input should be less than or equal to 2000",
            Value::from(v),
        )),
        _ => {}
    }
}

/// A 422 entry for a list that must not be empty.
pub(crate) fn check_non_empty(name: &str, list: &[String], errors: &mut Vec<FieldError>) {
    if list.is_empty() {
        errors.push(FieldError::at(
            &[name],
            "too_short",
            "List should have at least 1 item after validation, not 0",
            Value::Array(vec![]),
        ));
    }
}

/// `["Id", "Name"]`-style defaults.
pub(crate) fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The SELECT list of optional `fields`: the defaults when null or empty.
pub(crate) fn select_or(
    fields: &Option<Vec<String>>,
    defaults: &[&str],
) -> Result<String, ApiError> {
    match fields.as_deref() {
        Some(list) if !list.is_empty() => soql::select_list(list),
        _ => soql::select_list(&names(defaults)),
    }
}

/// The first page of a query, as the endpoints answer it.
pub(crate) async fn first_page(
    sf: &SalesforceClient,
    soql: &str,
) -> Result<shared::http::Json<QueryResponse>, ApiError> {
    let page = sf.query(soql).await.map_err(upstream("Salesforce query"))?;
    Ok(shared::http::Json(page.into()))
}

/// Every row of chunked queries, as the endpoints answer it.
pub(crate) async fn all_rows(
    sf: &SalesforceClient,
    queries: Vec<String>,
) -> Result<shared::http::Json<QueryResponse>, ApiError> {
    let rows = chunks::read_all(sf, queries, None)
        .await
        .map_err(upstream("Salesforce query"))?;
    Ok(shared::http::Json(rows.into()))
}
