//! Fixtures written through the owner connection: orgs, clients, users, tokens, sessions.

use shared::auth::{Role, jwt, secrets};
use uuid::Uuid;

use crate::TestApp;

/// An org with an org admin who has an API token.
pub struct Org {
    pub id: Uuid,
    pub admin: Principal,
}

/// A user and a credential for it.
pub struct Principal {
    pub user_id: Uuid,
    pub token: String,
}

impl TestApp {
    pub async fn insert_org(&self, slug: &str) -> Uuid {
        self.owner
            .query_one(
                "INSERT INTO organizations (name, slug) VALUES ($1, $1) RETURNING id",
                &[&slug],
            )
            .await
            .unwrap()
            .get(0)
    }

    pub async fn insert_client(&self, org: Uuid, name: &str) -> Uuid {
        self.owner
            .query_one(
                "INSERT INTO clients (org_id, name) VALUES ($1, $2) RETURNING id",
                &[&org, &name],
            )
            .await
            .unwrap()
            .get(0)
    }

    /// A user with password `password123`.
    pub async fn insert_user(
        &self,
        org: Uuid,
        email: &str,
        role: Role,
        client: Option<Uuid>,
    ) -> Uuid {
        let hash = bcrypt::hash("password123", 4).unwrap();
        self.owner
            .query_one(
                "INSERT INTO users (org_id, client_id, email, role, password_hash)
                 VALUES ($1, $2, $3, $4::text::user_role, $5) RETURNING id",
                &[&org, &client, &email, &role.as_str(), &hash],
            )
            .await
            .unwrap()
            .get(0)
    }

    /// A new API token for a user; returns the raw token.
    pub async fn insert_token(&self, org: Uuid, user: Uuid) -> String {
        let raw = secrets::generate_api_token();
        self.owner
            .execute(
                "INSERT INTO api_tokens (org_id, user_id, token_hash) VALUES ($1, $2, $3)",
                &[&org, &user, &secrets::hash_token(&raw)],
            )
            .await
            .unwrap();
        raw
    }

    /// A user of `role` (in `client` for company roles) with an API token.
    pub async fn principal(&self, org: Uuid, role: Role, client: Option<Uuid>) -> Principal {
        let email = format!("{}-{}@example.com", role.as_str(), Uuid::new_v4().simple());
        let user_id = self.insert_user(org, &email, role, client).await;
        let token = self.insert_token(org, user_id).await;
        Principal { user_id, token }
    }

    /// An org with an org admin holding an API token.
    pub async fn org(&self, slug: &str) -> Org {
        let id = self.insert_org(slug).await;
        let admin = self.principal(id, Role::OrgAdmin, None).await;
        Org { id, admin }
    }

    /// A session JWT as `/api/auth/login` would issue it.
    pub fn session(&self, org: Uuid, sub: Uuid, role: Role, client: Option<Uuid>) -> String {
        jwt::issue(
            &self.state.config().jwt_secret,
            3600,
            sub,
            org,
            role,
            client,
        )
        .unwrap()
        .0
    }
}
