//! `POST /api/conflicts/check`: runs the checker over the latest snapshot's objects the plan
//! names (only those are loaded) and stores the report.

use axum::extract::State;
use serde::Deserialize;
use serde_json::{Map, Value};
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::{ApiError, AppState, db};
use uuid::Uuid;

use crate::ReportOut;
use crate::checker;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CheckRequest {
    pub client_id: Uuid,
    /// Any object; not validated.
    #[schema(value_type = Object)]
    pub deployment_plan: Map<String, Value>,
}

impl Validate for CheckRequest {}

/// Object names the plan's rules look at.
fn named_objects(plan: &Value) -> Vec<String> {
    let names = |list: &str, key: &str| -> Vec<String> {
        plan.get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .flat_map(|o| {
                let mut n = vec![o.get(key).and_then(Value::as_str)];
                for group in ["fields", "relationships"] {
                    for f in o.get(group).and_then(Value::as_array).into_iter().flatten() {
                        n.push(f.get("related_to").and_then(Value::as_str));
                        n.push(f.get("referenceTo").and_then(Value::as_str));
                    }
                }
                n.into_iter().flatten().map(str::to_string)
            })
            .collect()
    };
    let mut all = names("custom_objects", "api_name");
    all.extend(names("standard_object_fields", "object"));
    all.sort();
    all.dedup();
    all
}

#[utoipa::path(
    post, path = "/api/conflicts/check", tag = "conflicts",
    request_body = CheckRequest,
    responses(
        (status = 200, body = ReportOut),
        (status = 400, description = "`No topology snapshot found - run a topology pull first.` or `No connected Salesforce connection found`", body = ErrorBody),
        (status = 404, description = "`Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<CheckRequest>,
) -> Result<Json<ReportOut>, ApiError> {
    ctx.require(Permission::DeployWrite)?;
    let plan = Value::Object(body.deployment_plan);
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, body.client_id).await?;
    let snap = db::topology::get(&tx, ctx.org_id, body.client_id, None)
        .await?
        .ok_or_else(|| {
            ApiError::bad_request("No topology snapshot found - run a topology pull first.")
        })?;
    let connection = db::connections::get_by_client(&tx, ctx.org_id, body.client_id)
        .await?
        .filter(|c| c.status == "connected")
        .ok_or_else(|| ApiError::bad_request("No connected Salesforce connection found"))?;
    let names = named_objects(&plan);
    let objects: Map<String, Value> =
        db::topology::objects(&tx, ctx.org_id, snap.id, Some(&names), true)
            .await?
            .into_iter()
            .collect();
    let report = checker::check(&plan, &objects);
    let findings = serde_json::to_value(&report.findings).map_err(ApiError::internal)?;
    let new = db::conflict_reports::NewReport {
        client_id: body.client_id,
        connection_id: connection.id,
        topology_snapshot_id: snap.id,
        deployment_plan: &plan,
        findings: &findings,
        overall_severity: report.overall.as_str(),
        counts: report.counts,
    };
    let stored = db::conflict_reports::insert(&tx, ctx.org_id, &new)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "storing a conflict report failed");
            ApiError::Detail {
                status: axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                detail: Value::from("Failed to store conflict report"),
            }
        })?;
    tx.commit().await?;
    Ok(Json(stored.into()))
}
