//! `POST /api/crm/campaign-members`: a campaign's members (first batch and cursor).

use axum::extract::State;
use serde::Deserialize;
use serde_json::Value;
use shared::auth::AuthContext;
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::{ApiError, AppState};
use uuid::Uuid;

use crate::{QueryResponse, names, prepare, soql, upstream};

const DEFAULT_FIELDS: &[&str] = &[
    "Id",
    "ContactId",
    "LeadId",
    "CampaignId",
    "Status",
    "FirstRespondedDate",
];

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CampaignMembers {
    pub client_id: Uuid,
    pub campaign_id: String,
    /// Null or empty: `Id, ContactId, LeadId, CampaignId, Status, FirstRespondedDate`.
    pub fields: Option<Vec<String>>,
}

impl Validate for CampaignMembers {}

#[utoipa::path(
    post, path = "/api/crm/campaign-members", tag = "crm",
    request_body = CampaignMembers,
    responses(
        (status = 200, body = QueryResponse),
        (status = 400, description = "`Invalid field name: {field}`", body = ErrorBody),
        (status = 404, description = "`Client not found`, `No active Salesforce connection`, `Connection has no Nango connection ID`", body = ErrorBody),
        (status = 502, description = "Salesforce error `{code, message}`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<CampaignMembers>,
) -> Result<Json<QueryResponse>, ApiError> {
    let (sf, q) = prepare(&state, &ctx, body.client_id, false, |_| {
        let fields = body
            .fields
            .clone()
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| names(DEFAULT_FIELDS));
        let fields = soql::select_list(&fields)?;
        let id = soql::literal("CampaignId", &Value::from(body.campaign_id.as_str()), None)?;
        Ok(format!(
            "SELECT {fields} FROM CampaignMember WHERE CampaignId = {id}"
        ))
    })
    .await?;
    let page = sf.query(&q).await.map_err(upstream("Salesforce query"))?;
    Ok(Json(page.into()))
}
