//! `crm_topology_snapshots` and `crm_topology_objects`: a versioned snapshot of a client's org,
//! one row per described object so unchanged objects are copied forward and readers load only
//! what they ask for.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde_json::Value;
use uuid::Uuid;

use super::{DbError, prepare};
use crate::time::Timestamp;

/// A snapshot's row (its `snapshot` document holds names, counts and describe errors; the
/// describes themselves are in `crm_topology_objects`).
pub struct Snapshot {
    pub id: Uuid,
    pub client_id: Uuid,
    pub connection_id: Uuid,
    pub version: i32,
    pub objects_count: i32,
    pub custom_objects_count: i32,
    pub pulled_at: Timestamp,
    pub document: Value,
}

const COLUMNS: &str = "id, client_id, connection_id, version, COALESCE(objects_count, 0), \
    COALESCE(custom_objects_count, 0), pulled_at, snapshot";

fn from_row(r: &tokio_postgres::Row) -> Snapshot {
    Snapshot {
        id: r.get(0),
        client_id: r.get(1),
        connection_id: r.get(2),
        version: r.get(3),
        objects_count: r.get(4),
        custom_objects_count: r.get(5),
        pulled_at: r.get(6),
        document: r.get(7),
    }
}

/// Serialises version allocation for one client until the transaction ends.
pub async fn lock_client(c: &impl GenericClient, client_id: Uuid) -> Result<(), DbError> {
    let st = prepare(
        c,
        "SELECT pg_advisory_xact_lock(hashtextextended('topology:' || $1::uuid::text, 0))",
    )
    .await?;
    c.execute(&st, &[&client_id]).await?;
    Ok(())
}

/// The next version for the client (1 for the first). Call under [`lock_client`].
pub async fn next_version(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Uuid,
) -> Result<i32, DbError> {
    let st = prepare(
        c,
        "SELECT COALESCE(max(version), 0) + 1 FROM crm_topology_snapshots \
         WHERE org_id = $1 AND client_id = $2",
    )
    .await?;
    Ok(c.query_one(&st, &[&org_id, &client_id]).await?.get(0))
}

/// What a new snapshot row holds.
pub struct NewSnapshot<'a> {
    pub client_id: Uuid,
    pub connection_id: Uuid,
    pub version: i32,
    pub document: &'a Value,
    pub objects_count: i32,
    pub custom_objects_count: i32,
}

pub async fn insert(
    c: &impl GenericClient,
    org_id: Uuid,
    new: &NewSnapshot<'_>,
) -> Result<Snapshot, DbError> {
    let sql = format!(
        "INSERT INTO crm_topology_snapshots (org_id, client_id, connection_id, version, snapshot, \
         objects_count, custom_objects_count) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    let row = c
        .query_one(
            &st,
            &[
                &org_id,
                &new.client_id,
                &new.connection_id,
                &new.version,
                new.document,
                &new.objects_count,
                &new.custom_objects_count,
            ],
        )
        .await?;
    Ok(from_row(&row))
}

/// Stores fetched describes (JSON text each) with their validation rules (JSON text each).
pub async fn insert_objects(
    c: &impl GenericClient,
    org_id: Uuid,
    snapshot_id: Uuid,
    names: &[&str],
    describes: &[&str],
    rules: &[String],
    described_at: DateTime<Utc>,
) -> Result<u64, DbError> {
    let st = prepare(
        c,
        "INSERT INTO crm_topology_objects \
         (snapshot_id, object_name, org_id, describe, validation_rules, described_at) \
         SELECT $2, n, $1, d::jsonb, r::jsonb, $6 FROM unnest($3::text[], $4::text[], $5::text[]) \
         AS u(n, d, r)",
    )
    .await?;
    Ok(c.execute(
        &st,
        &[
            &org_id,
            &snapshot_id,
            &names,
            &describes,
            &rules,
            &described_at,
        ],
    )
    .await?)
}

/// Copies unchanged describes from an earlier snapshot, with this pull's validation rules.
pub async fn copy_objects(
    c: &impl GenericClient,
    org_id: Uuid,
    from: Uuid,
    to: Uuid,
    names: &[&str],
    rules: &[String],
) -> Result<u64, DbError> {
    let st = prepare(
        c,
        "INSERT INTO crm_topology_objects \
         (snapshot_id, object_name, org_id, describe, validation_rules, described_at) \
         SELECT $3, o.object_name, $1, o.describe, u.r::jsonb, o.described_at \
         FROM unnest($4::text[], $5::text[]) AS u(n, r) \
         JOIN crm_topology_objects o ON o.snapshot_id = $2 AND o.object_name = u.n \
         WHERE o.org_id = $1",
    )
    .await?;
    Ok(c.execute(&st, &[&org_id, &from, &to, &names, &rules])
        .await?)
}

/// When each object of a snapshot was last fetched from Salesforce.
pub async fn described_at(
    c: &impl GenericClient,
    org_id: Uuid,
    snapshot_id: Uuid,
) -> Result<HashMap<String, DateTime<Utc>>, DbError> {
    let st = prepare(
        c,
        "SELECT object_name, described_at FROM crm_topology_objects \
         WHERE org_id = $1 AND snapshot_id = $2",
    )
    .await?;
    let rows = c.query(&st, &[&org_id, &snapshot_id]).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// A client's snapshot by version, or its latest.
pub async fn get(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Uuid,
    version: Option<i32>,
) -> Result<Option<Snapshot>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM crm_topology_snapshots WHERE org_id = $1 AND client_id = $2 \
         AND ($3::int IS NULL OR version = $3) ORDER BY version DESC LIMIT 1"
    );
    let st = prepare(c, &sql).await?;
    Ok(c.query_opt(&st, &[&org_id, &client_id, &version])
        .await?
        .as_ref()
        .map(from_row))
}

/// Every snapshot of a client, newest first (without their documents).
pub async fn history(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Uuid,
) -> Result<Vec<Snapshot>, DbError> {
    let sql = format!(
        "SELECT {} FROM crm_topology_snapshots WHERE org_id = $1 AND client_id = $2 \
         ORDER BY version DESC",
        COLUMNS.replace("snapshot", "'{}'::jsonb")
    );
    let st = prepare(c, &sql).await?;
    let rows = c.query(&st, &[&org_id, &client_id]).await?;
    Ok(rows.iter().map(from_row).collect())
}

/// Object describes of a snapshot with `validationRules` merged in, by name; all of them when
/// `names` is None. Without `include_fields` the `fields` key is left out.
pub async fn objects(
    c: &impl GenericClient,
    org_id: Uuid,
    snapshot_id: Uuid,
    names: Option<&[String]>,
    include_fields: bool,
) -> Result<Vec<(String, Value)>, DbError> {
    let st = prepare(
        c,
        "SELECT object_name, (CASE WHEN $4 THEN describe ELSE describe - 'fields' END) \
         || jsonb_build_object('validationRules', validation_rules) \
         FROM crm_topology_objects WHERE org_id = $1 AND snapshot_id = $2 \
         AND ($3::text[] IS NULL OR object_name = ANY($3)) ORDER BY object_name",
    )
    .await?;
    let rows = c
        .query(&st, &[&org_id, &snapshot_id, &names, &include_fields])
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// `{name, type, label}` of every field of each object, for diffs.
pub async fn field_summaries(
    c: &impl GenericClient,
    org_id: Uuid,
    snapshot_id: Uuid,
    names: Option<&[String]>,
) -> Result<Vec<(String, Value)>, DbError> {
    let st = prepare(
        c,
        "SELECT object_name, COALESCE((SELECT jsonb_agg(jsonb_build_object('name', f->'name', \
         'type', f->'type', 'label', f->'label')) FROM jsonb_array_elements(CASE WHEN \
         jsonb_typeof(describe->'fields') = 'array' THEN describe->'fields' ELSE '[]' END) f), \
         '[]') FROM crm_topology_objects WHERE org_id = $1 AND snapshot_id = $2 \
         AND ($3::text[] IS NULL OR object_name = ANY($3))",
    )
    .await?;
    let rows = c.query(&st, &[&org_id, &snapshot_id, &names]).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}
