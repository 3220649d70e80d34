//! `POST /api/crm/lead-conversions`: converted leads (`IsConverted = true`) with filters.

use axum::extract::State;
use serde::Deserialize;
use shared::auth::AuthContext;
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::{ApiError, AppState};
use uuid::Uuid;

use crate::soql::{self, Filter};
use crate::{QueryResponse, first_page, prepare, select_or};

const DEFAULT_FIELDS: &[&str] = &[
    "Id",
    "ConvertedContactId",
    "ConvertedAccountId",
    "ConvertedOpportunityId",
    "ConvertedDate",
    "Name",
    "Email",
];

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = CrmLeadConversions)]
pub struct LeadConversions {
    pub client_id: Uuid,
    #[serde(default)]
    pub filters: Vec<Filter>,
    /// Null or empty: `Id, ConvertedContactId, ConvertedAccountId, ConvertedOpportunityId,
    /// ConvertedDate, Name, Email`.
    pub fields: Option<Vec<String>>,
}

impl Validate for LeadConversions {}

#[utoipa::path(
    post, path = "/api/crm/lead-conversions", tag = "crm",
    request_body = LeadConversions,
    responses(
        (status = 200, body = QueryResponse),
        (status = 400, description = "`Invalid field name: {field}`, `Operator {op} requires a list value`, `Invalid {type} value for field {field}`", body = ErrorBody),
        (status = 404, description = "`Client not found`, `No active Salesforce connection`, `Connection has no Nango connection ID`", body = ErrorBody),
        (status = 502, description = "Salesforce error `{code, message}`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<LeadConversions>,
) -> Result<Json<QueryResponse>, ApiError> {
    let (sf, q) = prepare(&state, &ctx, body.client_id, false, |_| {
        let fields = select_or(&body.fields, DEFAULT_FIELDS)?;
        let mut conditions = soql::conditions(&body.filters)?;
        conditions.push("IsConverted = true".into());
        Ok(format!(
            "SELECT {fields} FROM Lead{}",
            soql::where_clause(&conditions)
        ))
    })
    .await?;
    first_page(&sf, &q).await
}
