//! HTTP helpers shared by every group: the JSON extractor whose rejection is our 422, request
//! validation, list pagination and the OpenAPI pieces every group uses.

mod json;
pub mod openapi;
mod page;

pub use json::{Json, MAX_BODY_BYTES, Validate};
pub use page::{ListResponse, PageParams};
