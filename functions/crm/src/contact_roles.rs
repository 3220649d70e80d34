//! `POST /api/crm/contact-roles`: the OpportunityContactRole rows of the given opportunities,
//! every chunk read to the end.

use axum::extract::State;
use serde::Deserialize;
use shared::auth::AuthContext;
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::{ApiError, AppState};
use uuid::Uuid;

use crate::{QueryResponse, all_rows, chunks, prepare};

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = CrmContactRoles)]
pub struct ContactRoles {
    pub client_id: Uuid,
    /// Salesforce IDs (15 or 18 characters); any number.
    pub opportunity_ids: Vec<String>,
}

impl Validate for ContactRoles {}

const HEAD: &str = "SELECT Id, ContactId, OpportunityId, Role, IsPrimary \
                    FROM OpportunityContactRole WHERE OpportunityId IN (";

#[utoipa::path(
    post, path = "/api/crm/contact-roles", tag = "crm",
    request_body = ContactRoles,
    responses(
        (status = 200, description = "Every matching row: `done` true, `next_records_path` null", body = QueryResponse),
        (status = 400, description = "`opportunity_ids cannot be empty`, `Invalid Salesforce ID in opportunity_ids: {id}`", body = ErrorBody),
        (status = 404, description = "`Client not found`, `No active Salesforce connection`, `Connection has no Nango connection ID`", body = ErrorBody),
        (status = 502, description = "Salesforce error `{code, message}`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<ContactRoles>,
) -> Result<Json<QueryResponse>, ApiError> {
    let (sf, queries) = prepare(&state, &ctx, body.client_id, false, |_| {
        if body.opportunity_ids.is_empty() {
            return Err(ApiError::bad_request("opportunity_ids cannot be empty"));
        }
        let ids = chunks::ids(&body.opportunity_ids, "opportunity_ids")?;
        chunks::queries(HEAD, ")", &ids)
    })
    .await?;
    all_rows(&sf, queries).await
}
