//! `limit` / `cursor` on every list endpoint, and the `{data, next_cursor}` answer.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::db::page::{Cursor, PageRequest};
use crate::error::FieldError;

/// Optional paging fields, flattened into a list request body.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PageParams {
    /// Page size, 1 to 1000. Without it the whole list comes back.
    #[schema(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn validate(&self, errors: &mut Vec<FieldError>) {
        if let Some(limit) = self.limit
            && !(1..=1000).contains(&limit)
        {
            let (kind, msg) = if limit < 1 {
                (
                    "greater_than_equal",
                    "Input should be greater than or equal to 1",
                )
            } else {
                (
                    "less_than_equal",
                    "Input should be less than or equal to 1000",
                )
            };
            errors.push(FieldError::at(&["limit"], kind, msg, Value::from(limit)));
        }
        if let Some(c) = &self.cursor
            && Cursor::decode(c).is_none()
        {
            errors.push(FieldError::at(
                &["cursor"],
                "value_error",
                "Value error, invalid cursor",
                Value::from(c.as_str()),
            ));
        }
    }

    /// The validated request (call after [`PageParams::validate`] passed).
    pub fn request(&self) -> PageRequest {
        PageRequest {
            limit: self.limit,
            after: self.cursor.as_deref().and_then(Cursor::decode),
        }
    }
}

/// `{"data": [...], "next_cursor": ...}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListResponse<T> {
    pub data: Vec<T>,
    /// Null on the last page.
    pub next_cursor: Option<String>,
}

impl<T> ListResponse<T> {
    pub fn new(data: Vec<T>, next_cursor: Option<String>) -> Self {
        ListResponse { data, next_cursor }
    }
}
