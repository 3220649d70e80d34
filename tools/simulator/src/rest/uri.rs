//! Salesforce's limit on the request line: a URI (path and query string) over 16,384 bytes is
//! refused with 414 before any API work, and every logged request keeps its URI length so tests
//! can prove a client stays under the limit.

use crate::http::{Req, Resp};
use crate::state::State;

/// The largest URI Salesforce accepts (SALESFORCE.md: URI and headers share 16,384 bytes).
pub const MAX_URI_BYTES: usize = 16_384;

/// Length of the URI as received: path plus `?query` (still percent-encoded).
pub fn length(r: &Req) -> usize {
    r.path.len()
        + if r.query.is_empty() {
            0
        } else {
            1 + r.query.len()
        }
}

/// The 414 Salesforce's front door answers for an oversized URI.
pub fn too_long() -> Resp {
    Resp::typed(
        414,
        "text/html",
        b"<html><body><h1>414 Request-URI Too Large</h1></body></html>".to_vec(),
    )
}

/// Stamps the URI length on the org's latest log entry.
pub fn stamp(st: &mut State, org_id: &str, len: usize) {
    if let Some(last) = st.orgs.get_mut(org_id).and_then(|o| o.log.last_mut()) {
        last.uri_length = len;
    }
}
