//! `crm_conflict_reports`: the conflict checker's findings for a plan against a snapshot.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use uuid::Uuid;

use super::{DbError, prepare};

pub struct Report {
    pub id: Uuid,
    pub overall_severity: String,
    pub green_count: i32,
    pub yellow_count: i32,
    pub red_count: i32,
    pub findings: Value,
}

const COLUMNS: &str = "id, overall_severity::text, green_count, yellow_count, red_count, findings";

fn from_row(r: &tokio_postgres::Row) -> Report {
    Report {
        id: r.get(0),
        overall_severity: r.get(1),
        green_count: r.get(2),
        yellow_count: r.get(3),
        red_count: r.get(4),
        findings: r.get(5),
    }
}

/// What a new report holds.
pub struct NewReport<'a> {
    pub client_id: Uuid,
    pub connection_id: Uuid,
    pub topology_snapshot_id: Uuid,
    pub deployment_plan: &'a Value,
    pub findings: &'a Value,
    pub overall_severity: &'a str,
    pub counts: [i32; 3],
}

pub async fn insert(
    c: &impl GenericClient,
    org_id: Uuid,
    new: &NewReport<'_>,
) -> Result<Report, DbError> {
    let sql = format!(
        "INSERT INTO crm_conflict_reports (org_id, client_id, connection_id, topology_snapshot_id, \
         deployment_plan, findings, overall_severity, green_count, yellow_count, red_count) \
         VALUES ($1, $2, $3, $4, $5, $6, $7::text::conflict_severity, $8, $9, $10) \
         RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    let [g, y, r] = new.counts;
    let row = c
        .query_one(
            &st,
            &[
                &org_id,
                &new.client_id,
                &new.connection_id,
                &new.topology_snapshot_id,
                new.deployment_plan,
                new.findings,
                &new.overall_severity,
                &g,
                &y,
                &r,
            ],
        )
        .await?;
    Ok(from_row(&row))
}

/// A report of the org by id.
pub async fn get(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<Report>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM crm_conflict_reports WHERE org_id = $1 AND id = $2");
    let st = prepare(c, &sql).await?;
    Ok(c.query_opt(&st, &[&org_id, &id])
        .await?
        .as_ref()
        .map(from_row))
}
