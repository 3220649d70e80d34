//! `organizations`: the tenants. Created by the super-admin only.

use deadpool_postgres::GenericClient;
use uuid::Uuid;

use super::{DbError, prepare};
use crate::time::Timestamp;

pub struct Organization {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub is_active: bool,
    pub created_at: Timestamp,
}

/// Inserts an org with a chosen id (the transaction's org must be that id).
pub async fn insert(
    c: &impl GenericClient,
    id: Uuid,
    name: &str,
    slug: &str,
) -> Result<Organization, DbError> {
    let st = prepare(
        c,
        "INSERT INTO organizations (id, name, slug) VALUES ($1, $2, $3)
         RETURNING id, name, slug, is_active, created_at",
    )
    .await?;
    let row = c.query_one(&st, &[&id, &name, &slug]).await?;
    Ok(Organization {
        id: row.get(0),
        name: row.get(1),
        slug: row.get(2),
        is_active: row.get(3),
        created_at: row.get(4),
    })
}

/// Whether the org exists (seen through the transaction's org).
pub async fn exists(c: &impl GenericClient, id: Uuid) -> Result<bool, DbError> {
    let st = prepare(
        c,
        "SELECT EXISTS (SELECT 1 FROM organizations WHERE id = $1)",
    )
    .await?;
    Ok(c.query_one(&st, &[&id]).await?.get(0))
}
