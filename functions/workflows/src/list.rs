//! `POST /api/workflows/list`: the org's flow definitions (Tooling) and active assignment rules
//! (a standard sObject, so a REST query).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::Json;
use shared::{ApiError, AppState, crm, db};
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ListRequest {
    pub client_id: Uuid,
}

impl shared::http::Validate for ListRequest {}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FlowItem {
    pub id: Option<String>,
    pub api_name: String,
    pub active_version_id: Option<String>,
    pub latest_version_id: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RuleItem {
    pub id: Option<String>,
    pub object_name: Option<String>,
    pub name: String,
    pub active: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ListResponse {
    pub flows: Vec<FlowItem>,
    pub assignment_rules: Vec<RuleItem>,
}

const RULES: &str = "SELECT Id, Name, SobjectType, Active FROM AssignmentRule WHERE Active = true ORDER BY SobjectType, Name";

#[utoipa::path(
    post, path = "/api/workflows/list", tag = "workflows",
    request_body = ListRequest,
    responses(
        (status = 200, body = ListResponse),
        (status = 400, description = "connection 400s", body = ErrorBody),
        (status = 404, description = "`Client not found`", body = ErrorBody),
        (status = 502, body = ErrorBody), (status = 504, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<ListRequest>,
) -> Result<Json<ListResponse>, ApiError> {
    ctx.require(Permission::WorkflowsRead)?;
    let connected = crm::connected_for(&state, &ctx, body.client_id).await?;
    let sf = connected.salesforce(&state);
    let read = async {
        let flows = sf.flow_definitions(&[]).await?;
        let rules = sf.query(RULES).await?;
        Ok::<_, shared::salesforce::SalesforceError>((flows, rules))
    }
    .await;
    // Always stamp the connection, whatever Salesforce answered.
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    connected.record_usage(&state, &tx, ctx.org_id).await?;
    tx.commit().await?;
    let (flows, rules) = read?;
    let s = |v: &serde_json::Value, k: &str| v[k].as_str().map(str::to_string);
    Ok(Json(ListResponse {
        flows: flows
            .into_iter()
            .filter(|f| !f.developer_name.trim().is_empty())
            .map(|f| FlowItem {
                id: Some(f.id),
                api_name: f.developer_name,
                active_version_id: f.active_version_id,
                latest_version_id: f.latest_version_id,
            })
            .collect(),
        assignment_rules: rules
            .records
            .iter()
            .filter_map(|r| {
                let name = s(r, "Name").filter(|n| !n.trim().is_empty())?;
                Some(RuleItem {
                    id: s(r, "Id"),
                    object_name: s(r, "SobjectType"),
                    name,
                    active: r["Active"] == true,
                })
            })
            .collect(),
    }))
}
