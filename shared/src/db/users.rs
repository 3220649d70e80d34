//! `users`: people who log in. Emails are stored trimmed and lowercased.

use deadpool_postgres::GenericClient;
use uuid::Uuid;

use super::page::{Cursor, PageRequest, clause};
use super::{DbError, prepare};
use crate::auth::Role;
use crate::time::Timestamp;

pub struct User {
    pub id: Uuid,
    pub org_id: Uuid,
    pub client_id: Option<Uuid>,
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    pub is_active: bool,
    pub created_at: Timestamp,
}

const COLUMNS: &str = "id, org_id, client_id, email, name, role::text, is_active, created_at";

fn from_row(row: &tokio_postgres::Row) -> User {
    User {
        id: row.get(0),
        org_id: row.get(1),
        client_id: row.get(2),
        email: row.get(3),
        name: row.get(4),
        role: row
            .get::<_, String>(5)
            .parse()
            .unwrap_or(Role::CompanyMember),
        is_active: row.get(6),
        created_at: row.get(7),
    }
}

pub struct NewUser<'a> {
    pub client_id: Option<Uuid>,
    pub email: &'a str,
    pub name: Option<&'a str>,
    pub role: Role,
    pub password_hash: &'a str,
}

/// Inserts a user; unique violations surface as `users_org_email_key`.
pub async fn insert(
    c: &impl GenericClient,
    org_id: Uuid,
    new: &NewUser<'_>,
) -> Result<User, DbError> {
    let sql = format!(
        "INSERT INTO users (org_id, client_id, email, name, role, password_hash)
         VALUES ($1, $2, lower(btrim($3)), $4, $5::text::user_role, $6)
         RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    let row = c
        .query_one(
            &st,
            &[
                &org_id,
                &new.client_id,
                &new.email,
                &new.name,
                &new.role.as_str(),
                &new.password_hash,
            ],
        )
        .await?;
    Ok(from_row(&row))
}

/// Active users of the org, newest first.
pub async fn list(
    c: &impl GenericClient,
    org_id: Uuid,
    page: &PageRequest,
) -> Result<Vec<User>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM users WHERE org_id = $1 AND is_active {}",
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

pub fn cursor(u: &User) -> Cursor {
    Cursor {
        created_at: u.created_at.0,
        id: u.id,
    }
}

/// A user who may log in with this email, with the stored password hash.
pub struct LoginCandidate {
    pub user_id: Uuid,
    pub org_id: Uuid,
    pub role: Role,
    pub client_id: Option<Uuid>,
    pub password_hash: Option<String>,
}

/// Every active user with this email, across orgs (before the org is known).
pub async fn login_candidates(
    c: &impl GenericClient,
    email: &str,
) -> Result<Vec<LoginCandidate>, DbError> {
    let st = prepare(
        c,
        "SELECT user_id, org_id, role::text, client_id, password_hash FROM auth_login_candidates($1)",
    )
    .await?;
    let rows = c.query(&st, &[&email]).await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(LoginCandidate {
                user_id: r.get(0),
                org_id: r.get(1),
                role: r.get::<_, String>(2).parse().ok()?,
                client_id: r.get(3),
                password_hash: r.get(4),
            })
        })
        .collect())
}

/// Whether a local, active user exists with this id in this org.
pub async fn is_active(
    c: &impl GenericClient,
    org_id: Uuid,
    user_id: Uuid,
) -> Result<bool, DbError> {
    let st = prepare(c, "SELECT auth_user_active($1, $2)").await?;
    Ok(c.query_one(&st, &[&org_id, &user_id]).await?.get(0))
}
