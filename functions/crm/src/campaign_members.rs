//! `POST /api/crm/campaign-members`: a campaign's members (first batch and cursor).

use axum::extract::State;
use serde::Deserialize;
use shared::auth::AuthContext;
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::{ApiError, AppState};
use uuid::Uuid;

use crate::{QueryResponse, chunks, first_page, prepare, select_or};

const DEFAULT_FIELDS: &[&str] = &[
    "Id",
    "ContactId",
    "LeadId",
    "CampaignId",
    "Status",
    "FirstRespondedDate",
];

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = CrmCampaignMembers)]
pub struct CampaignMembers {
    pub client_id: Uuid,
    /// A Salesforce ID (15 or 18 characters).
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
        (status = 400, description = "`Invalid field name: {field}`, `Invalid Salesforce ID in campaign_id: {id}`", body = ErrorBody),
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
        let fields = select_or(&body.fields, DEFAULT_FIELDS)?;
        let id = chunks::ids(std::slice::from_ref(&body.campaign_id), "campaign_id")?;
        Ok(format!(
            "SELECT {fields} FROM CampaignMember WHERE CampaignId = '{}'",
            id[0]
        ))
    })
    .await?;
    first_page(&sf, &q).await
}
