//! `api_tokens`: machine credentials, stored as SHA-256 hashes only.

use deadpool_postgres::GenericClient;
use uuid::Uuid;

use super::page::{Cursor, PageRequest, clause};
use super::{DbError, prepare};
use crate::auth::Role;
use crate::time::Timestamp;

pub struct ApiToken {
    pub id: Uuid,
    pub label: Option<String>,
    pub last_used_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub is_active: bool,
    pub created_at: Timestamp,
}

const COLUMNS: &str = "id, label, last_used_at, expires_at, is_active, created_at";

fn from_row(row: &tokio_postgres::Row) -> ApiToken {
    ApiToken {
        id: row.get(0),
        label: row.get(1),
        last_used_at: row.get(2),
        expires_at: row.get(3),
        is_active: row.get(4),
        created_at: row.get(5),
    }
}

pub async fn insert(
    c: &impl GenericClient,
    org_id: Uuid,
    user_id: Uuid,
    token_hash: &str,
    label: Option<&str>,
    expires_in_days: Option<i64>,
) -> Result<ApiToken, DbError> {
    let sql = format!(
        "INSERT INTO api_tokens (org_id, user_id, token_hash, label, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(days => $5::bigint::int))
         RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    let row = c
        .query_one(
            &st,
            &[&org_id, &user_id, &token_hash, &label, &expires_in_days],
        )
        .await?;
    Ok(from_row(&row))
}

/// Active tokens of the org (any owner), newest first.
pub async fn list(
    c: &impl GenericClient,
    org_id: Uuid,
    page: &PageRequest,
) -> Result<Vec<ApiToken>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE org_id = $1 AND is_active {}",
        clause(2)
    );
    let st = prepare(c, &sql).await?;
    let rows = c
        .query(
            &st,
            &[
                &org_id,
                &page.after_created(),
                &page.after_id(),
                &page.fetch_limit(),
            ],
        )
        .await?;
    Ok(rows.iter().map(from_row).collect())
}

/// Deactivates a token of the org; false when there is none with this id.
pub async fn revoke(c: &impl GenericClient, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let st = prepare(
        c,
        "UPDATE api_tokens SET is_active = false WHERE org_id = $1 AND id = $2",
    )
    .await?;
    Ok(c.execute(&st, &[&org_id, &id]).await? == 1)
}

pub fn cursor(t: &ApiToken) -> Cursor {
    Cursor {
        created_at: t.created_at.0,
        id: t.id,
    }
}

/// The principal behind a token hash.
pub struct TokenPrincipal {
    pub token_id: Uuid,
    pub org_id: Uuid,
    pub user_id: Uuid,
    pub role: Option<Role>,
    pub client_id: Option<Uuid>,
}

/// Looks a token up by hash (before the org is known); `touch` stamps `last_used_at`.
pub async fn authenticate(
    c: &impl GenericClient,
    token_hash: &str,
    touch: bool,
) -> Result<Option<TokenPrincipal>, DbError> {
    let st = prepare(
        c,
        "SELECT token_id, org_id, user_id, role::text, client_id FROM auth_api_token($1, $2)",
    )
    .await?;
    let row = c.query_opt(&st, &[&token_hash, &touch]).await?;
    Ok(row.map(|r| TokenPrincipal {
        token_id: r.get(0),
        org_id: r.get(1),
        user_id: r.get(2),
        role: r.get::<_, String>(3).parse().ok(),
        client_id: r.get(4),
    }))
}
