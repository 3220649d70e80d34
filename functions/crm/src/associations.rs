//! `POST /api/crm/associations`: rows of a related object pointing at any of the given
//! Contacts or Opportunities, every chunk read to the end.

use axum::extract::State;
use serde::Deserialize;
use shared::auth::AuthContext;
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, Validate};
use shared::{ApiError, AppState};
use uuid::Uuid;

use crate::{QueryResponse, all_rows, check_non_empty, chunks, prepare, soql};

#[derive(Clone, Copy, Deserialize, utoipa::ToSchema)]
#[schema(as = CrmSourceObject)]
pub enum SourceObject {
    Contact,
    Opportunity,
}

impl SourceObject {
    fn column(self) -> &'static str {
        match self {
            SourceObject::Contact => "ContactId",
            SourceObject::Opportunity => "OpportunityId",
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = CrmAssociations)]
pub struct Associations {
    pub client_id: Uuid,
    pub source_object: SourceObject,
    /// Salesforce IDs (15 or 18 characters); any number.
    pub source_ids: Vec<String>,
    /// Checked against the latest topology snapshot when the client has one.
    pub related_object: String,
    pub related_fields: Vec<String>,
}

impl Validate for Associations {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        check_non_empty("related_fields", &self.related_fields, errors);
    }
}

#[utoipa::path(
    post, path = "/api/crm/associations", tag = "crm",
    request_body = Associations,
    responses(
        (status = 200, description = "Every matching row: `done` true, `next_records_path` null", body = QueryResponse),
        (status = 400, description = "`source_ids cannot be empty`, `Invalid field name: {field}`, `Invalid Salesforce ID in source_ids: {id}`, `Invalid object name: {name}`", body = ErrorBody),
        (status = 404, description = "`Client not found`, `Object {name} not found in topology snapshot`, `No active Salesforce connection`, `Connection has no Nango connection ID`", body = ErrorBody),
        (status = 502, description = "Salesforce error `{code, message}`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<Associations>,
) -> Result<Json<QueryResponse>, ApiError> {
    let (sf, queries) = prepare(&state, &ctx, body.client_id, true, |known| {
        if body.source_ids.is_empty() {
            return Err(ApiError::bad_request("source_ids cannot be empty"));
        }
        let fields = soql::select_list(&body.related_fields)?;
        let ids = chunks::ids(&body.source_ids, "source_ids")?;
        let object = soql::object(&body.related_object, known)?;
        let head = format!(
            "SELECT {fields} FROM {object} WHERE {} IN (",
            body.source_object.column()
        );
        chunks::queries(&head, ")", &ids)
    })
    .await?;
    all_rows(&sf, queries).await
}
