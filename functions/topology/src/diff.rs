//! `POST /api/topology/diff`: added and removed objects, and per common object the added,
//! removed and modified (type or label changed) fields, between two versions.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::{ApiError, AppState, db};
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct DiffRequest {
    pub client_id: Uuid,
    pub version_a: i32,
    pub version_b: i32,
    /// Only these objects (null or empty: all).
    pub object_names: Option<Vec<String>>,
}

impl Validate for DiffRequest {}

#[derive(Serialize, utoipa::ToSchema, Debug, PartialEq)]
pub struct ChangedField {
    pub name: String,
    pub change_type: String,
}

#[derive(Serialize, utoipa::ToSchema, Debug, PartialEq)]
pub struct ChangedObject {
    pub name: String,
    pub added_fields: Vec<String>,
    pub removed_fields: Vec<String>,
    pub changed_fields: Vec<ChangedField>,
}

#[derive(Serialize, utoipa::ToSchema, Debug, PartialEq)]
pub struct Diff {
    pub added_objects: Vec<String>,
    pub removed_objects: Vec<String>,
    pub changed_objects: Vec<ChangedObject>,
}

/// Fields (`[{name, type, label}]`) by object name.
pub type Fields = BTreeMap<String, Value>;

/// The diff of two versions' objects.
pub fn diff(a: &Fields, b: &Fields) -> Diff {
    let added_objects = b.keys().filter(|k| !a.contains_key(*k)).cloned().collect();
    let removed_objects = a.keys().filter(|k| !b.contains_key(*k)).cloned().collect();
    let mut changed_objects = Vec::new();
    for (name, fa) in a {
        let Some(fb) = b.get(name) else { continue };
        let index = |v: &Value| -> BTreeMap<String, (Value, Value)> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| {
                    let n = f["name"].as_str()?;
                    Some((n.to_string(), (f["type"].clone(), f["label"].clone())))
                })
                .collect()
        };
        let (ia, ib) = (index(fa), index(fb));
        let ka: BTreeSet<&String> = ia.keys().collect();
        let kb: BTreeSet<&String> = ib.keys().collect();
        let added_fields: Vec<String> = kb.difference(&ka).map(|s| s.to_string()).collect();
        let removed_fields: Vec<String> = ka.difference(&kb).map(|s| s.to_string()).collect();
        let changed_fields: Vec<ChangedField> = ka
            .intersection(&kb)
            .filter(|k| ia[**k] != ib[**k])
            .map(|k| ChangedField {
                name: k.to_string(),
                change_type: "modified".into(),
            })
            .collect();
        if !(added_fields.is_empty() && removed_fields.is_empty() && changed_fields.is_empty()) {
            changed_objects.push(ChangedObject {
                name: name.clone(),
                added_fields,
                removed_fields,
                changed_fields,
            });
        }
    }
    Diff {
        added_objects,
        removed_objects,
        changed_objects,
    }
}

#[utoipa::path(
    post, path = "/api/topology/diff", tag = "topology",
    request_body = DiffRequest,
    responses(
        (status = 200, body = Diff),
        (status = 404, description = "`Topology snapshot version {v} not found` or `Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<DiffRequest>,
) -> Result<Json<Diff>, ApiError> {
    ctx.require(Permission::TopologyRead)?;
    let filter = body.object_names.filter(|n| !n.is_empty());
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, body.client_id).await?;
    let mut sides = Vec::with_capacity(2);
    for v in [body.version_a, body.version_b] {
        let snap = db::topology::get(&tx, ctx.org_id, body.client_id, Some(v))
            .await?
            .ok_or_else(|| {
                ApiError::not_found(format!("Topology snapshot version {v} not found"))
            })?;
        let fields =
            db::topology::field_summaries(&tx, ctx.org_id, snap.id, filter.as_deref()).await?;
        sides.push(fields.into_iter().collect::<Fields>());
    }
    tx.commit().await?;
    Ok(Json(diff(&sides[0], &sides[1])))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_and_fields_added_removed_and_modified() {
        let a: Fields = [
            (
                "A".to_string(),
                json!([{"name": "X", "type": "string", "label": "X"},
                                     {"name": "Y", "type": "double", "label": "Y"},
                                     {"name": "Z", "type": "date", "label": "Z"}]),
            ),
            ("Gone".to_string(), json!([])),
            (
                "Same".to_string(),
                json!([{"name": "X", "type": "string", "label": "X"}]),
            ),
        ]
        .into();
        let b: Fields = [
            (
                "A".to_string(),
                json!([{"name": "X", "type": "textarea", "label": "X"},
                                     {"name": "Z", "type": "date", "label": "Zed"},
                                     {"name": "W", "type": "string", "label": "W"}]),
            ),
            ("New".to_string(), json!([])),
            (
                "Same".to_string(),
                json!([{"name": "X", "type": "string", "label": "X"}]),
            ),
        ]
        .into();
        let d = diff(&a, &b);
        assert_eq!(d.added_objects, ["New"]);
        assert_eq!(d.removed_objects, ["Gone"]);
        assert_eq!(d.changed_objects.len(), 1);
        let c = &d.changed_objects[0];
        assert_eq!(c.name, "A");
        assert_eq!(c.added_fields, ["W"]);
        assert_eq!(c.removed_fields, ["Y"]);
        let names: Vec<&str> = c.changed_fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["X", "Z"]);
    }
}
