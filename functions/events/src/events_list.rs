//! `POST /api/events/list`: events after a cursor, oldest first, so a caller can follow an org's
//! changes. Only events of transactions that have ended are returned, in an order in which no
//! event can appear behind the cursor later (see `shared::db::events`).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::auth::{AuthContext, Permission};
use shared::db::events::{Event, EventFilter};
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, PageParams, Validate};
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};
use uuid::Uuid;

use crate::visible;

/// A page holds at most this many events (also without `limit`).
pub const MAX_PAGE: i64 = 1000;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ListEvents {
    /// Only events after this one: an event id, or the `next_cursor` of a previous page.
    pub since: Option<Uuid>,
    /// Only these types (`job.succeeded`, `connection.connected`, ...).
    pub types: Option<Vec<String>>,
    pub client_id: Option<Uuid>,
    /// Page size, 1 to 1000 (default 1000).
    #[schema(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

impl Validate for ListEvents {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        PageParams {
            limit: self.limit,
            cursor: None,
        }
        .validate(errors);
    }
}

/// An event: `{id, org_id, client_id, type, subject_id, data, occurred_at}`. Webhook deliveries
/// carry the same object.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EventOut {
    pub id: Uuid,
    pub org_id: Uuid,
    pub client_id: Option<Uuid>,
    /// A dotted name: `job.queued`, `job.running`, `job.retrying`, `job.succeeded`,
    /// `job.failed`, `job.canceled`, `connection.expired`, ...
    #[serde(rename = "type")]
    pub kind: String,
    pub subject_id: Option<Uuid>,
    #[schema(value_type = Object)]
    pub data: Value,
    pub occurred_at: Timestamp,
}

impl From<&Event> for EventOut {
    fn from(e: &Event) -> Self {
        EventOut {
            id: e.id,
            org_id: e.org_id,
            client_id: e.client_id,
            kind: e.kind.clone(),
            subject_id: e.subject_id,
            data: e.data.clone(),
            occurred_at: e.occurred_at,
        }
    }
}

/// `{data, next_cursor}`: `next_cursor` is the last event's id (pass it as `since`), or the given
/// `since` when no newer event is visible yet, so a follower can always poll with it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EventPage {
    pub data: Vec<EventOut>,
    pub next_cursor: Option<Uuid>,
}

#[utoipa::path(
    post, path = "/api/events/list", tag = "events",
    request_body = ListEvents,
    responses(
        (status = 200, body = EventPage),
        (status = 404, description = "Client not found, or Event not found (since)", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<ListEvents>,
) -> Result<Json<EventPage>, ApiError> {
    ctx.require(Permission::ConnectionsRead)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    if let Some(client_id) = body.client_id {
        ctx.check_client(&tx, client_id).await?;
    }
    let after = match body.since {
        None => None,
        Some(id) => match db::events::get(&tx, ctx.org_id, id).await? {
            Some(e) if visible(&ctx, e.client_id) => Some((e.tx, e.seq)),
            _ => return Err(ApiError::not_found("Event not found")),
        },
    };
    let filter = EventFilter {
        after,
        types: body.types,
        client_id: body.client_id,
        only_client: ctx.client_id,
    };
    let limit = body.limit.unwrap_or(MAX_PAGE);
    let rows = db::events::list(&tx, ctx.org_id, &filter, limit).await?;
    tx.commit().await?;
    let next_cursor = rows.last().map(|e| e.id).or(body.since);
    Ok(Json(EventPage {
        data: rows.iter().map(EventOut::from).collect(),
        next_cursor,
    }))
}
