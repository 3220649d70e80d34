//! `crm_deployments`: one row per deploy, workflow change or analytics deploy, created by its job
//! (`job_id` makes the insert idempotent), finalised with its result, then possibly rolled back.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use uuid::Uuid;

use super::{DbError, prepare};
use crate::time::Timestamp;

#[derive(Debug, Clone)]
pub struct Deployment {
    pub id: Uuid,
    pub client_id: Uuid,
    pub connection_id: Uuid,
    pub deployment_type: String,
    pub status: String,
    pub plan: Value,
    pub result: Option<Value>,
    pub error_message: Option<String>,
    pub sfdc_deploy_id: Option<String>,
    pub deployed_at: Option<Timestamp>,
    pub rolled_back_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

const COLUMNS: &str = "id, client_id, connection_id, deployment_type::text, status::text, plan, \
     result, error_message, sfdc_deploy_id, deployed_at, rolled_back_at, created_at";

fn from_row(r: &tokio_postgres::Row) -> Deployment {
    Deployment {
        id: r.get(0),
        client_id: r.get(1),
        connection_id: r.get(2),
        deployment_type: r.get(3),
        status: r.get(4),
        plan: r.get(5),
        result: r.get(6),
        error_message: r.get(7),
        sfdc_deploy_id: r.get(8),
        deployed_at: r.get(9),
        rolled_back_at: r.get(10),
        created_at: r.get(11),
    }
}

/// What a new deployment holds.
pub struct NewDeployment<'a> {
    pub job_id: Uuid,
    pub client_id: Uuid,
    pub connection_id: Uuid,
    pub deployed_by: &'a str,
    pub deployment_type: &'a str,
    pub plan: &'a Value,
    pub conflict_report_id: Option<Uuid>,
}

/// Inserts the job's deployment (`in_progress`), or returns the one an earlier run of the job
/// inserted.
pub async fn insert_for_job(
    c: &impl GenericClient,
    org_id: Uuid,
    new: &NewDeployment<'_>,
) -> Result<Deployment, DbError> {
    let sql = format!(
        "INSERT INTO crm_deployments (org_id, client_id, connection_id, deployed_by, \
         deployment_type, status, plan, conflict_report_id, job_id) \
         VALUES ($1, $2, $3, $4, $5::text::deployment_type, 'in_progress', $6, $7, $8) \
         ON CONFLICT (job_id) WHERE job_id IS NOT NULL DO NOTHING RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    let row = c
        .query_opt(
            &st,
            &[
                &org_id,
                &new.client_id,
                &new.connection_id,
                &new.deployed_by,
                &new.deployment_type,
                new.plan,
                &new.conflict_report_id,
                &new.job_id,
            ],
        )
        .await?;
    if let Some(row) = row {
        return Ok(from_row(&row));
    }
    let sql = format!("SELECT {COLUMNS} FROM crm_deployments WHERE org_id = $1 AND job_id = $2");
    let st = prepare(c, &sql).await?;
    Ok(from_row(&c.query_one(&st, &[&org_id, &new.job_id]).await?))
}

/// A deployment of the org by id.
pub async fn get(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<Deployment>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM crm_deployments WHERE org_id = $1 AND id = $2");
    let st = prepare(c, &sql).await?;
    Ok(c.query_opt(&st, &[&org_id, &id])
        .await?
        .as_ref()
        .map(from_row))
}

/// The client's deployments, newest first.
pub async fn history(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Uuid,
) -> Result<Vec<Deployment>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM crm_deployments WHERE org_id = $1 AND client_id = $2 \
         ORDER BY created_at DESC, id DESC"
    );
    let st = prepare(c, &sql).await?;
    Ok(c.query(&st, &[&org_id, &client_id])
        .await?
        .iter()
        .map(from_row)
        .collect())
}

/// Remembers Salesforce's async id of the submitted deploy, so a later run polls it instead of
/// submitting again.
pub async fn set_sfdc_deploy_id(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
    sfdc_deploy_id: &str,
) -> Result<(), DbError> {
    let st = prepare(
        c,
        "UPDATE crm_deployments SET sfdc_deploy_id = $3 WHERE org_id = $1 AND id = $2",
    )
    .await?;
    c.execute(&st, &[&org_id, &id, &sfdc_deploy_id]).await?;
    Ok(())
}

/// Records the outcome of a deployment still `in_progress` (`succeeded`, `partial`, `failed`);
/// `None` when it was already finalised.
pub async fn finish(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
    status: &str,
    result: &Value,
) -> Result<Option<Deployment>, DbError> {
    let sql = format!(
        "UPDATE crm_deployments SET status = $3::text::deployment_status, result = $4, \
         error_message = NULL, \
         deployed_at = CASE WHEN $3 = 'failed' THEN NULL ELSE now() END \
         WHERE org_id = $1 AND id = $2 AND status = 'in_progress' RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    Ok(c.query_opt(&st, &[&org_id, &id, &status, result])
        .await?
        .as_ref()
        .map(from_row))
}

/// Records a rollback: `rolled_back` (with `rolled_back_at`) or `rollback_failed`, the result
/// extended with the rollback's.
pub async fn record_rollback(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
    status: &str,
    result: &Value,
) -> Result<Deployment, DbError> {
    let sql = format!(
        "UPDATE crm_deployments SET status = $3::text::deployment_status, result = $4, \
         rolled_back_at = CASE WHEN $3 = 'rolled_back' THEN now() ELSE rolled_back_at END \
         WHERE org_id = $1 AND id = $2 RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    Ok(from_row(
        &c.query_one(&st, &[&org_id, &id, &status, result]).await?,
    ))
}

/// The severity of a conflict report of the org and client (`green|yellow|red`), if there is one.
pub async fn conflict_report_severity(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Uuid,
    report_id: Uuid,
) -> Result<Option<String>, DbError> {
    let st = prepare(
        c,
        "SELECT overall_severity::text FROM crm_conflict_reports \
         WHERE org_id = $1 AND client_id = $2 AND id = $3",
    )
    .await?;
    Ok(c.query_opt(&st, &[&org_id, &client_id, &report_id])
        .await?
        .map(|r| r.get(0)))
}
