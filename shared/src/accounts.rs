//! Creating users, shared by `/api/users/create` and `/api/super-admin/users`: the scope rules of
//! API.md §4.5, password rules, hashing and the duplicate-email answer.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::Role;
use crate::auth::secrets::{self, PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES};
use crate::db;
use crate::error::{ApiError, FieldError};

/// The 422 entries for a password outside 8 to 72 bytes (bcrypt's limit).
pub fn validate_password(password: &str, errors: &mut Vec<FieldError>) {
    let len = password.len();
    if len < PASSWORD_MIN_BYTES {
        errors.push(FieldError::at(
            &["password"],
            "string_too_short",
            format!("String should have at least {PASSWORD_MIN_BYTES} bytes"),
            Value::from(len),
        ));
    } else if len > PASSWORD_MAX_BYTES {
        errors.push(FieldError::at(
            &["password"],
            "string_too_long",
            format!("String should have at most {PASSWORD_MAX_BYTES} bytes"),
            Value::from(len),
        ));
    }
}

/// The 422 entry for a blank email.
pub fn validate_email(email: &str, errors: &mut Vec<FieldError>) {
    if email.trim().is_empty() {
        errors.push(FieldError::at(
            &["email"],
            "string_too_short",
            "String should have at least 1 character",
            Value::from(email),
        ));
    }
}

/// Rules 1 and 2: org admins have no client; company roles must have one.
pub fn check_scope(role: &str, client_id: Option<Uuid>) -> Result<(), ApiError> {
    match (role, client_id) {
        ("org_admin", Some(_)) => Err(ApiError::bad_request(
            "org_admin users cannot have client_id",
        )),
        ("company_admin" | "company_member", None) => Err(ApiError::bad_request(format!(
            "{role} users must include client_id"
        ))),
        _ => Ok(()),
    }
}

/// A user to create (after the scope and client checks passed).
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub name: Option<&'a str>,
    pub password: &'a str,
    pub role: &'a str,
    pub client_id: Option<Uuid>,
}

/// Hashes the password and inserts the user; 400 for an unknown role or a taken email.
pub async fn create(
    c: &impl GenericClient,
    org_id: Uuid,
    new: NewAccount<'_>,
    bcrypt_cost: u32,
) -> Result<db::users::User, ApiError> {
    let role: Role = new
        .role
        .parse()
        .map_err(|_| ApiError::bad_request("Invalid role"))?;
    let hash = secrets::hash_password(new.password.to_string(), bcrypt_cost)
        .await
        .map_err(ApiError::internal)?;
    db::users::insert(
        c,
        org_id,
        &db::users::NewUser {
            client_id: new.client_id,
            email: new.email,
            name: new.name,
            role,
            password_hash: &hash,
        },
    )
    .await
    .map_err(|e| match e.constraint() {
        Some("users_org_email_key") => {
            ApiError::bad_request("User email already exists in organization")
        }
        Some("users_org_id_fkey") => ApiError::not_found("Organization not found"),
        _ => e.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_admins_cannot_have_a_client() {
        let e = check_scope("org_admin", Some(Uuid::new_v4())).unwrap_err();
        assert_eq!(
            e.to_string(),
            "bad request: org_admin users cannot have client_id"
        );
    }

    #[test]
    fn company_roles_need_a_client() {
        let e = check_scope("company_member", None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "bad request: company_member users must include client_id"
        );
        assert!(check_scope("company_admin", Some(Uuid::new_v4())).is_ok());
        assert!(check_scope("org_admin", None).is_ok());
    }

    #[test]
    fn passwords_must_fit_bcrypt() {
        let mut e = Vec::new();
        validate_password(&"x".repeat(73), &mut e);
        validate_password("short", &mut e);
        validate_password(&"x".repeat(72), &mut e);
        validate_password("12345678", &mut e);
        let kinds: Vec<&str> = e.iter().map(|f| f.kind.as_str()).collect();
        assert_eq!(kinds, ["string_too_long", "string_too_short"]);
    }
}
