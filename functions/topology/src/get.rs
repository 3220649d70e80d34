//! `POST /api/topology/get`: a snapshot (latest or by version), whole or only the named objects,
//! with or without their fields.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct GetTopology {
    pub client_id: Uuid,
    pub version: Option<i32>,
    /// Only these objects (all when omitted).
    pub object_names: Option<Vec<String>>,
    /// Whether describes keep their `fields` (default true).
    pub include_fields: Option<bool>,
}

impl Validate for GetTopology {}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TopologyOut {
    pub id: Uuid,
    pub client_id: Uuid,
    pub version: i32,
    pub objects_count: i32,
    pub custom_objects_count: i32,
    /// `{objects: {name: describe + validationRules}, describe_errors, object_names,
    /// custom_object_names, objects_count, custom_objects_count, api_version}`.
    #[schema(value_type = Object)]
    pub snapshot: Value,
    pub pulled_at: Timestamp,
}

#[utoipa::path(
    post, path = "/api/topology/get", tag = "topology",
    request_body = GetTopology,
    responses(
        (status = 200, body = TopologyOut),
        (status = 404, description = "`Topology snapshot not found` or `Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<GetTopology>,
) -> Result<Json<TopologyOut>, ApiError> {
    ctx.require(Permission::TopologyRead)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, body.client_id).await?;
    let snap = db::topology::get(&tx, ctx.org_id, body.client_id, body.version)
        .await?
        .ok_or_else(crate::snapshot_not_found)?;
    let objects = db::topology::objects(
        &tx,
        ctx.org_id,
        snap.id,
        body.object_names.as_deref(),
        body.include_fields.unwrap_or(true),
    )
    .await?;
    tx.commit().await?;
    let mut snapshot = match snap.document {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    snapshot.insert(
        "objects".into(),
        Value::Object(objects.into_iter().collect()),
    );
    Ok(Json(TopologyOut {
        id: snap.id,
        client_id: snap.client_id,
        version: snap.version,
        objects_count: snap.objects_count,
        custom_objects_count: snap.custom_objects_count,
        snapshot: Value::Object(snapshot),
        pulled_at: snap.pulled_at,
    }))
}
