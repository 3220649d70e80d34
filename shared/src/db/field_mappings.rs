//! `crm_field_mappings`: per client, how a canonical object's keys translate to a Salesforce
//! object's fields. `mapping_version` is bumped by a trigger only when content changes
//! (`sfdc_object`, `field_mappings`, `external_id_field`); reactivation alone keeps it.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use uuid::Uuid;

use super::{DbError, prepare};
use crate::time::Timestamp;

pub struct Mapping {
    pub id: Uuid,
    pub client_id: Uuid,
    pub canonical_object: String,
    pub sfdc_object: String,
    pub field_mappings: Value,
    pub external_id_field: Option<String>,
    pub is_active: bool,
    pub mapping_version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const COLUMNS: &str = "id, client_id, canonical_object, sfdc_object, field_mappings, \
                       external_id_field, is_active, mapping_version, created_at, updated_at";

fn from_row(r: &tokio_postgres::Row) -> Mapping {
    Mapping {
        id: r.get(0),
        client_id: r.get(1),
        canonical_object: r.get(2),
        sfdc_object: r.get(3),
        field_mappings: r.get(4),
        external_id_field: r.get(5),
        is_active: r.get(6),
        mapping_version: r.get(7),
        created_at: r.get(8),
        updated_at: r.get(9),
    }
}

/// The content of a mapping as written by create / set.
pub struct Content<'a> {
    pub client_id: Uuid,
    pub canonical_object: &'a str,
    pub sfdc_object: &'a str,
    pub field_mappings: &'a Value,
    pub external_id_field: Option<&'a str>,
}

/// A mapping by (client, canonical object), active or not when `active_only` is false.
pub async fn get(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Uuid,
    canonical_object: &str,
    active_only: bool,
) -> Result<Option<Mapping>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM crm_field_mappings WHERE org_id = $1 AND client_id = $2 \
         AND canonical_object = $3 AND (is_active OR NOT $4)"
    );
    let st = prepare(c, &sql).await?;
    Ok(
        c.query_opt(&st, &[&org_id, &client_id, &canonical_object, &active_only])
            .await?
            .as_ref()
            .map(from_row),
    )
}

/// A client's active mappings by canonical object: those after `after`, at most `limit`.
pub async fn list_active(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Uuid,
    after: Option<&str>,
    limit: Option<i64>,
) -> Result<Vec<Mapping>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM crm_field_mappings WHERE org_id = $1 AND client_id = $2 \
         AND is_active AND ($3::text IS NULL OR canonical_object > $3) \
         ORDER BY canonical_object LIMIT $4"
    );
    let st = prepare(c, &sql).await?;
    let rows = c.query(&st, &[&org_id, &client_id, &after, &limit]).await?;
    Ok(rows.iter().map(from_row).collect())
}

/// `mappings/create`: a new row, or a deactivated one reactivated with this content. `None`
/// when an active mapping already exists.
pub async fn create(
    c: &impl GenericClient,
    org_id: Uuid,
    m: &Content<'_>,
) -> Result<Option<Mapping>, DbError> {
    let sql = format!(
        "INSERT INTO crm_field_mappings (org_id, client_id, canonical_object, sfdc_object, \
         field_mappings, external_id_field) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (org_id, client_id, canonical_object) DO UPDATE SET \
         sfdc_object = EXCLUDED.sfdc_object, field_mappings = EXCLUDED.field_mappings, \
         external_id_field = EXCLUDED.external_id_field, is_active = true \
         WHERE NOT crm_field_mappings.is_active RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    Ok(c.query_opt(
        &st,
        &[
            &org_id,
            &m.client_id,
            &m.canonical_object,
            &m.sfdc_object,
            m.field_mappings,
            &m.external_id_field,
        ],
    )
    .await?
    .as_ref()
    .map(from_row))
}

/// `field-mappings/set`: insert, or replace the content and reactivate.
pub async fn set(
    c: &impl GenericClient,
    org_id: Uuid,
    m: &Content<'_>,
) -> Result<Mapping, DbError> {
    let sql = format!(
        "INSERT INTO crm_field_mappings (org_id, client_id, canonical_object, sfdc_object, \
         field_mappings, external_id_field) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (org_id, client_id, canonical_object) DO UPDATE SET \
         sfdc_object = EXCLUDED.sfdc_object, field_mappings = EXCLUDED.field_mappings, \
         external_id_field = EXCLUDED.external_id_field, is_active = true RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    let row = c
        .query_one(
            &st,
            &[
                &org_id,
                &m.client_id,
                &m.canonical_object,
                &m.sfdc_object,
                m.field_mappings,
                &m.external_id_field,
            ],
        )
        .await?;
    Ok(from_row(&row))
}

/// What `mappings/update` changes; `None` leaves a column as it is. `external_id_field:
/// Some(None)` clears it.
pub struct Changes<'a> {
    pub sfdc_object: Option<&'a str>,
    pub field_mappings: Option<&'a Value>,
    pub external_id_field: Option<Option<&'a str>>,
}

/// Updates an active mapping; `None` when there is none.
pub async fn update(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Uuid,
    canonical_object: &str,
    ch: &Changes<'_>,
) -> Result<Option<Mapping>, DbError> {
    let sql = format!(
        "UPDATE crm_field_mappings SET sfdc_object = COALESCE($4, sfdc_object), \
         field_mappings = COALESCE($5, field_mappings), \
         external_id_field = CASE WHEN $6 THEN $7 ELSE external_id_field END \
         WHERE org_id = $1 AND client_id = $2 AND canonical_object = $3 AND is_active \
         RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    let (set_ext, ext) = match ch.external_id_field {
        Some(v) => (true, v),
        None => (false, None),
    };
    Ok(c.query_opt(
        &st,
        &[
            &org_id,
            &client_id,
            &canonical_object,
            &ch.sfdc_object,
            &ch.field_mappings,
            &set_ext,
            &ext,
        ],
    )
    .await?
    .as_ref()
    .map(from_row))
}

/// Deactivates an active mapping; `None` when there is none.
pub async fn deactivate(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Uuid,
    canonical_object: &str,
) -> Result<Option<Mapping>, DbError> {
    let sql = format!(
        "UPDATE crm_field_mappings SET is_active = false WHERE org_id = $1 AND client_id = $2 \
         AND canonical_object = $3 AND is_active RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    Ok(c.query_opt(&st, &[&org_id, &client_id, &canonical_object])
        .await?
        .as_ref()
        .map(from_row))
}
