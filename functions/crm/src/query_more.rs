//! `POST /api/query/more`: the next page of a query (or queryAll) cursor.

use axum::extract::State;
use serde::Deserialize;
use shared::auth::AuthContext;
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::{ApiError, AppState};
use uuid::Uuid;

use crate::{QueryResponse, prepare, upstream};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct QueryMore {
    pub client_id: Uuid,
    /// A `next_records_path` from an earlier answer:
    /// `/services/data/vNN.N/query/{cursor}-{offset}` (or `/queryAll/`).
    pub next_records_path: String,
}

impl Validate for QueryMore {}

/// `^/services/data/v[0-9]+\.[0-9]+/(query|queryAll)/[A-Za-z0-9]+-[0-9]+$`.
pub fn is_cursor_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/services/data/v") else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let Some((version, rest)) = rest.split_once('/') else {
        return false;
    };
    let Some((major, minor)) = version.split_once('.') else {
        return false;
    };
    let Some(locator) = rest
        .strip_prefix("query/")
        .or_else(|| rest.strip_prefix("queryAll/"))
    else {
        return false;
    };
    let Some((cursor, offset)) = locator.split_once('-') else {
        return false;
    };
    digits(major)
        && digits(minor)
        && digits(offset)
        && !cursor.is_empty()
        && cursor.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[utoipa::path(
    post, path = "/api/query/more", tag = "crm",
    request_body = QueryMore,
    responses(
        (status = 200, body = QueryResponse),
        (status = 400, description = "`Invalid next_records_path format`", body = ErrorBody),
        (status = 404, description = "`Client not found`, `No active Salesforce connection`, `Connection has no Nango connection ID`", body = ErrorBody),
        (status = 502, description = "Salesforce error `{code, message}`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<QueryMore>,
) -> Result<Json<QueryResponse>, ApiError> {
    let (sf, ()) = prepare(&state, &ctx, body.client_id, false, |_| {
        if is_cursor_path(&body.next_records_path) {
            Ok(())
        } else {
            Err(ApiError::bad_request("Invalid next_records_path format"))
        }
    })
    .await?;
    let page = sf
        .query_more(&body.next_records_path)
        .await
        .map_err(upstream("Salesforce query more"))?;
    Ok(Json(page.into()))
}

#[cfg(test)]
mod tests {
    use super::is_cursor_path;

    #[test]
    fn cursor_paths_follow_the_pattern() {
        for ok in [
            "/services/data/v60.0/query/01gD0000002HU6KIAW-2000",
            "/services/data/v61.0/queryAll/01gD0000002HU6KIAW-4000",
        ] {
            assert!(is_cursor_path(ok), "{ok}");
        }
        for bad in [
            "",
            "https://evil.example/services/data/v60.0/query/01g-2000",
            "/services/data/v60.0/query/01g-2000?x=1",
            "/services/data/v60.0/query/01g-2000/../../sobjects",
            "/services/data/v60.0/sobjects/Account",
            "/services/data/v60/query/01g-2000",
            "/services/data/v60.0/query/01g-",
            "/services/data/v60.0/query/-2000",
            "/services/data/v60.0/tooling/query/01g-2000",
            "/services/data/v60.0/query/01g 1-2000",
        ] {
            assert!(!is_cursor_path(bad), "{bad}");
        }
    }
}
