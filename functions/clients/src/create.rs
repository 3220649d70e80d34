//! `POST /api/clients/create`

use axum::extract::State;
use serde::Deserialize;
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::{ApiError, AppState, db};

use crate::ClientOut;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateClient {
    pub name: String,
    /// Unique within the org when given.
    pub domain: Option<String>,
}

impl Validate for CreateClient {}

#[utoipa::path(
    post, path = "/api/clients/create", tag = "clients",
    request_body = CreateClient,
    responses(
        (status = 200, body = ClientOut),
        (status = 400, description = "Client domain already exists in organization", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<CreateClient>,
) -> Result<Json<ClientOut>, ApiError> {
    ctx.require(Permission::OrgManage)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    let client = db::clients::insert(&tx, ctx.org_id, &body.name, body.domain.as_deref())
        .await
        .map_err(|e| match e.constraint() {
            Some("clients_org_domain_key") => {
                ApiError::bad_request("Client domain already exists in organization")
            }
            _ => e.into(),
        })?;
    tx.commit().await?;
    Ok(Json(ClientOut::from(&client)))
}
