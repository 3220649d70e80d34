//! `POST /api/crm/activities`: Tasks and Events whose `WhoId` or `WhatId` is among the given
//! IDs (Tasks first, then Events; each record's `attributes.type` says which).

use std::collections::HashSet;

use axum::extract::State;
use serde::Deserialize;
use serde_json::Value;
use shared::auth::AuthContext;
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, Validate};
use shared::{ApiError, AppState};
use uuid::Uuid;

use crate::{QueryResponse, check_bound, chunks, prepare, select_or, upstream};

const DEFAULT_FIELDS: &[&str] = &[
    "Id",
    "Subject",
    "WhoId",
    "WhatId",
    "ActivityDate",
    "OwnerId",
];

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = CrmActivities)]
pub struct Activities {
    pub client_id: Uuid,
    /// Contacts or Leads (`WhoId`).
    #[serde(default)]
    pub who_ids: Vec<String>,
    /// Accounts, Opportunities, Cases, Campaigns... (`WhatId`).
    #[serde(default)]
    pub what_ids: Vec<String>,
    /// Fields of both Task and Event. Null or empty: `Id, Subject, WhoId, WhatId,
    /// ActivityDate, OwnerId`.
    pub fields: Option<Vec<String>>,
    /// At most this many Tasks and this many Events (0 to 2000); all when omitted.
    pub limit: Option<i64>,
}

impl Validate for Activities {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        check_bound("limit", self.limit, errors);
    }
}

#[utoipa::path(
    post, path = "/api/crm/activities", tag = "crm",
    request_body = Activities,
    responses(
        (status = 200, description = "Tasks then Events, each once: `total_size` = records returned, `done` true", body = QueryResponse),
        (status = 400, description = "`who_ids or what_ids is required`, `Invalid field name: {field}`, `Invalid Salesforce ID in who_ids: {id}`", body = ErrorBody),
        (status = 404, description = "`Client not found`, `No active Salesforce connection`, `Connection has no Nango connection ID`", body = ErrorBody),
        (status = 502, description = "Salesforce error `{code, message}`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<Activities>,
) -> Result<Json<QueryResponse>, ApiError> {
    let limit = body.limit.map(|l| l as usize);
    let (sf, per_object) = prepare(&state, &ctx, body.client_id, false, |_| {
        if body.who_ids.is_empty() && body.what_ids.is_empty() {
            return Err(ApiError::bad_request("who_ids or what_ids is required"));
        }
        let fields = select_or(&body.fields, DEFAULT_FIELDS)?;
        let who = chunks::ids(&body.who_ids, "who_ids")?;
        let what = chunks::ids(&body.what_ids, "what_ids")?;
        let tail = match limit {
            Some(n) => format!(") LIMIT {n}"),
            None => ")".to_string(),
        };
        let mut per_object = Vec::new();
        for object in ["Task", "Event"] {
            let mut queries = Vec::new();
            for (column, ids) in [("WhoId", &who), ("WhatId", &what)] {
                let head = format!("SELECT {fields} FROM {object} WHERE {column} IN (");
                queries.extend(chunks::queries(&head, &tail, ids)?);
            }
            per_object.push(queries);
        }
        Ok(per_object)
    })
    .await?;
    let mut out = QueryResponse {
        total_size: 0,
        done: true,
        records: Vec::new(),
        next_records_path: None,
        sforce_limit_info: None,
    };
    for queries in per_object {
        let rows = chunks::read_all(&sf, queries, limit)
            .await
            .map_err(upstream("Salesforce query"))?;
        // A record can match both by WhoId and by WhatId: keep it once.
        let mut seen = HashSet::new();
        let mut records: Vec<Value> = rows
            .records
            .into_iter()
            .filter(|r| match r.get("Id").and_then(Value::as_str) {
                Some(id) => seen.insert(id.to_string()),
                None => true,
            })
            .collect();
        if let Some(n) = limit {
            records.truncate(n);
        }
        out.records.append(&mut records);
        out.sforce_limit_info = rows.sforce_limit_info.or(out.sforce_limit_info);
    }
    out.total_size = out.records.len() as u64;
    Ok(Json(out))
}
