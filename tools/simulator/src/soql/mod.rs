//! SOQL for the simulated orgs: parse, check against the schema (Salesforce's INVALID_FIELD,
//! INVALID_TYPE and MALFORMED_QUERY messages), evaluate, and page results with cursors.

pub mod eval;
pub mod lexer;
pub mod parser;
pub mod prefilter;

use std::sync::Arc;

use serde_json::Value;

use crate::json::J;

/// A query failure with Salesforce's error code and (multi-line) message.
#[derive(Debug, Clone)]
pub struct QueryError {
    pub code: &'static str,
    pub message: String,
}

/// Salesforce's multi-line error message pointing at a column of the query.
pub fn located(q: &str, col: usize, msg: &str) -> String {
    let caret = format!("{}^", " ".repeat(col.saturating_sub(1)));
    format!("\n{q}\n{caret}\nERROR at Row:1:Column:{col}\n{msg}")
}

impl QueryError {
    /// An error of `code` pointing at `col`.
    pub fn at(code: &'static str, q: &str, col: usize, msg: &str) -> Self {
        QueryError {
            code,
            message: located(q, col, msg),
        }
    }
}

/// What a cursor pages over.
#[derive(Debug, Clone)]
pub enum CursorRows {
    /// Rows of an org object, rendered at fetch time.
    Org {
        obj_key: String,
        query: Arc<parser::Query>,
        rows: Arc<Vec<u32>>,
    },
    /// Pre-rendered records (Tooling queries over derived tables).
    Rendered(Arc<Vec<J>>),
}

/// A query cursor (`01g...`), kept until the org is reset.
#[derive(Debug, Clone)]
pub struct Cursor {
    pub org_id: String,
    pub rows: CursorRows,
    pub batch: usize,
    pub total: usize,
    pub tooling: bool,
    pub entity: String,
}

impl Cursor {
    /// Number of records behind the cursor.
    pub fn len(&self) -> usize {
        match &self.rows {
            CursorRows::Org { rows, .. } => rows.len(),
            CursorRows::Rendered(r) => r.len(),
        }
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The batch size asked for in `Sforce-Query-Options: batchSize=N` (200..=2000, default 2000).
pub fn batch_size(header: Option<&str>) -> usize {
    header
        .and_then(|h| {
            h.split(',').find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                (k.trim().eq_ignore_ascii_case("batchSize"))
                    .then(|| v.trim().parse::<usize>().ok())?
            })
        })
        .map(|n| n.clamp(200, 2000))
        .unwrap_or(2000)
}

/// Parses `01gXXXX-2000` into cursor id and position.
pub fn parse_locator(s: &str) -> Option<(&str, usize)> {
    let (id, pos) = s.rsplit_once('-')?;
    Some((id, pos.parse().ok()?))
}

/// Helper for JSON values in responses.
pub fn v(x: Value) -> J {
    J::V(x)
}
