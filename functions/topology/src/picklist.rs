//! `POST /api/topology/picklist`: a field's `picklistValues` from the stored snapshot (no
//! Salesforce call).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::{ApiError, AppState, db};
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct GetPicklist {
    pub client_id: Uuid,
    pub object_name: String,
    pub field_name: String,
    pub version: Option<i32>,
}

impl Validate for GetPicklist {}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Picklist {
    pub object_name: String,
    pub field_name: String,
    #[schema(value_type = Vec<Object>)]
    pub values: Vec<Value>,
}

#[utoipa::path(
    post, path = "/api/topology/picklist", tag = "topology",
    request_body = GetPicklist,
    responses(
        (status = 200, body = Picklist),
        (status = 404, description = "`Topology snapshot not found`, `Object {object_name} not found in topology snapshot`, `Field {field_name} not found on {object_name}` or `Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<GetPicklist>,
) -> Result<Json<Picklist>, ApiError> {
    ctx.require(Permission::TopologyRead)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, body.client_id).await?;
    let snap = db::topology::get(&tx, ctx.org_id, body.client_id, body.version)
        .await?
        .ok_or_else(crate::snapshot_not_found)?;
    let names = [body.object_name.clone()];
    let mut objects = db::topology::objects(&tx, ctx.org_id, snap.id, Some(&names), true).await?;
    tx.commit().await?;
    let (_, describe) = objects.pop().ok_or_else(|| {
        ApiError::not_found(format!(
            "Object {} not found in topology snapshot",
            body.object_name
        ))
    })?;
    let field = describe["fields"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["name"] == body.field_name.as_str()))
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "Field {} not found on {}",
                body.field_name, body.object_name
            ))
        })?;
    let values = field["picklistValues"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Ok(Json(Picklist {
        object_name: body.object_name,
        field_name: body.field_name,
        values,
    }))
}
