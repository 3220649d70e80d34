//! Keyset pagination over `(created_at DESC, id DESC)`: the cursor names the last row of a page.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Where a page starts: after this row, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!(
            "{}:{}",
            self.created_at.timestamp_micros(),
            self.id
        ))
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        let raw = URL_SAFE_NO_PAD.decode(text).ok()?;
        let raw = String::from_utf8(raw).ok()?;
        let (micros, id) = raw.split_once(':')?;
        Some(Cursor {
            created_at: DateTime::from_timestamp_micros(micros.parse().ok()?)?,
            id: id.parse().ok()?,
        })
    }
}

/// A page request: `limit` rows after `cursor`; no limit means the whole list.
#[derive(Debug, Clone, Copy, Default)]
pub struct PageRequest {
    pub limit: Option<i64>,
    pub after: Option<Cursor>,
}

impl PageRequest {
    /// Rows to fetch: one more than the page, to know whether another page follows.
    pub fn fetch_limit(&self) -> Option<i64> {
        self.limit.map(|l| l + 1)
    }

    pub fn after_created(&self) -> Option<DateTime<Utc>> {
        self.after.map(|c| c.created_at)
    }

    pub fn after_id(&self) -> Option<Uuid> {
        self.after.map(|c| c.id)
    }

    /// Cuts the fetched rows to the page and names the cursor of the next page, if any.
    pub fn finish<T>(
        &self,
        mut rows: Vec<T>,
        key: impl Fn(&T) -> Cursor,
    ) -> (Vec<T>, Option<String>) {
        match self.limit {
            Some(limit) if rows.len() as i64 > limit => {
                rows.truncate(limit as usize);
                let next = rows.last().map(|r| key(r).encode());
                (rows, next)
            }
            _ => (rows, None),
        }
    }
}

/// The SQL fragment every keyset list uses, with the cursor at `$n` and `$n+1` and the limit at
/// `$n+2`.
pub fn clause(n: usize) -> String {
    format!(
        "AND (${n}::timestamptz IS NULL OR (created_at, id) < (${n}, ${m})) \
         ORDER BY created_at DESC, id DESC LIMIT ${l}",
        m = n + 1,
        l = n + 2
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_the_round_trip() {
        let c = Cursor {
            created_at: DateTime::from_timestamp_micros(1_771_459_200_123_456).unwrap(),
            id: Uuid::new_v4(),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
    }

    #[test]
    fn garbage_is_not_a_cursor() {
        assert_eq!(Cursor::decode("not-a-cursor"), None);
        assert_eq!(Cursor::decode(""), None);
    }

    #[test]
    fn finish_names_the_next_page_only_when_rows_remain() {
        let page = PageRequest {
            limit: Some(2),
            after: None,
        };
        let now = Utc::now();
        let key = |id: &Uuid| Cursor {
            created_at: now,
            id: *id,
        };
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
        let (rows, next) = page.finish(ids.clone(), key);
        assert_eq!(rows, ids[..2]);
        assert_eq!(next, Some(key(&ids[1]).encode()));
        let (rows, next) = page.finish(ids[..2].to_vec(), key);
        assert_eq!(rows.len(), 2);
        assert_eq!(next, None);
    }
}
