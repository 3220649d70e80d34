//! Queries over long ID lists (`associations`, `contact-roles`, `activities`): IDs checked,
//! split into chunks of at most 300 whose URL-encoded query stays far below Salesforce's
//! 16,384-byte URI limit, and every chunk read to its last page (API-DECISIONS §10, [23]).

use serde_json::Value;
use shared::ApiError;
use shared::salesforce::{SalesforceClient, SalesforceError};
use tokio::task::JoinSet;

/// At most this many IDs in one `IN (...)`.
pub const MAX_IDS_PER_CHUNK: usize = 300;
/// The most the URL-encoded `q` value may take: the URI limit (16,384) less the path
/// (`/services/data/vNN.0/query/?q=`, about 30 bytes) and a wide margin.
pub const MAX_ENCODED_QUERY: usize = 15_000;
/// Chunks read at once.
pub const CONCURRENCY: usize = 4;

/// Whether `id` looks like a Salesforce ID (15 or 18 letters and digits).
pub fn is_salesforce_id(id: &str) -> bool {
    matches!(id.len(), 15 | 18) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The IDs of `list`, checked (400 `Invalid Salesforce ID in {name}: {id}`) and without
/// repeats, in their first order.
pub fn ids(list: &[String], name: &str) -> Result<Vec<String>, ApiError> {
    let mut seen = std::collections::HashSet::with_capacity(list.len());
    let mut out = Vec::with_capacity(list.len());
    for id in list {
        if !is_salesforce_id(id) {
            return Err(ApiError::bad_request(format!(
                "Invalid Salesforce ID in {name}: {id}"
            )));
        }
        if seen.insert(id.as_str()) {
            out.push(id.clone());
        }
    }
    Ok(out)
}

/// The length of `s` once form-URL-encoded as a query value (as the client sends it): letters,
/// digits, `*-._` and space (`+`) take one byte, every other byte three (`%XX`).
pub fn encoded_len(s: &str) -> usize {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_' | b' ') {
                1
            } else {
                3
            }
        })
        .sum()
}

/// Queries `{head}'id1', 'id2'{tail}`, as few as the limits allow. `head` ends with `IN (` and
/// `tail` starts with `)`. 400 when even one ID would not fit (a very long field list).
pub fn queries(head: &str, tail: &str, ids: &[String]) -> Result<Vec<String>, ApiError> {
    let fixed = encoded_len(head) + encoded_len(tail);
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut size = fixed;
    let emit = |current: &mut Vec<&str>, out: &mut Vec<String>| {
        let quoted: Vec<String> = current.iter().map(|id| format!("'{id}'")).collect();
        out.push(format!("{head}{}{tail}", quoted.join(", ")));
        current.clear();
    };
    for id in ids {
        // `'id'` plus `, ` before every ID but the first.
        let cost = encoded_len(id) + 6 + if current.is_empty() { 0 } else { 4 };
        if !current.is_empty()
            && (current.len() == MAX_IDS_PER_CHUNK || size + cost > MAX_ENCODED_QUERY)
        {
            emit(&mut current, &mut out);
            size = fixed;
        }
        let cost = encoded_len(id) + 6 + if current.is_empty() { 0 } else { 4 };
        if size + cost > MAX_ENCODED_QUERY {
            return Err(ApiError::bad_request(
                "Query too long: request fewer fields",
            ));
        }
        size += cost;
        current.push(id);
    }
    if !current.is_empty() {
        emit(&mut current, &mut out);
    }
    Ok(out)
}

/// Every record of every query, in query order: each read to its last page.
pub struct Rows {
    pub total_size: u64,
    pub records: Vec<Value>,
    pub sforce_limit_info: Option<String>,
}

/// Reads each query to the end (a few at once); `limit` stops each query early.
pub async fn read_all(
    sf: &SalesforceClient,
    queries: Vec<String>,
    limit: Option<usize>,
) -> Result<Rows, SalesforceError> {
    let mut results: Vec<Option<Rows>> = (0..queries.len()).map(|_| None).collect();
    let mut pending = queries.into_iter().enumerate();
    let mut running = JoinSet::new();
    loop {
        while running.len() < CONCURRENCY {
            let Some((i, q)) = pending.next() else { break };
            let sf = sf.clone();
            running.spawn(async move { (i, read_one(&sf, &q, limit).await) });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        let (i, result) = joined.map_err(|e| SalesforceError::InvalidRequest(e.to_string()))?;
        results[i] = Some(result?);
    }
    let mut rows = Rows {
        total_size: 0,
        records: Vec::new(),
        sforce_limit_info: None,
    };
    for mut one in results.into_iter().flatten() {
        rows.total_size += one.total_size;
        rows.records.append(&mut one.records);
        rows.sforce_limit_info = one.sforce_limit_info.or(rows.sforce_limit_info);
    }
    Ok(rows)
}

/// One query, following `nextRecordsUrl` until `done` (or `limit` records).
async fn read_one(
    sf: &SalesforceClient,
    soql: &str,
    limit: Option<usize>,
) -> Result<Rows, SalesforceError> {
    let mut page = sf.query(soql).await?;
    let total = page.total_size;
    let mut records = std::mem::take(&mut page.records);
    let mut info = page.sforce_limit_info.take();
    while let (false, Some(next)) = (page.done, page.next_records_url.take()) {
        if limit.is_some_and(|l| records.len() >= l) {
            break;
        }
        page = sf.query_more(&next).await?;
        records.append(&mut page.records);
        info = page.sforce_limit_info.take().or(info);
    }
    Ok(Rows {
        total_size: total,
        records,
        sforce_limit_info: info,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_length_matches_what_the_http_client_sends() {
        for q in [
            "SELECT Id, Name FROM Contact WHERE Id IN ('003000000000001AAA', '003000000000002AAA')",
            "x = 'é ü ✓' AND y LIKE '%a\\_b%'",
        ] {
            let mut url = reqwest::Url::parse("http://h/q").unwrap();
            url.query_pairs_mut().append_pair("q", q);
            assert_eq!(
                url.query().unwrap().len(),
                "q=".len() + encoded_len(q),
                "{q}"
            );
        }
    }

    #[test]
    fn ids_are_checked_and_deduplicated() {
        let list: Vec<String> = ["006000000000001", "006000000000001AAA", "006000000000001"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(ids(&list, "x").unwrap().len(), 2);
        for bad in ["006' OR Id != '", "0060000000000", "006000000000001A", ""] {
            let e = ids(&[bad.to_string()], "source_ids").unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("bad request: Invalid Salesforce ID in source_ids: {bad}")
            );
        }
    }

    #[test]
    fn chunks_hold_at_most_300_ids_and_fit_the_uri_budget() {
        let ids: Vec<String> = (0..5000).map(|i| format!("006{i:012}AAA")).collect();
        let head = "SELECT Id FROM OpportunityContactRole WHERE OpportunityId IN (";
        let qs = queries(head, ")", &ids).unwrap();
        assert_eq!(qs.len(), 17);
        let mut seen = 0;
        for q in &qs {
            let n = q.matches("'006").count();
            assert!(n <= MAX_IDS_PER_CHUNK);
            seen += n;
            assert!(encoded_len(q) <= MAX_ENCODED_QUERY);
        }
        assert_eq!(seen, 5000);
        assert_eq!(
            queries(head, ")", &ids[..2]).unwrap(),
            vec![format!("{head}'{}', '{}')", ids[0], ids[1])]
        );
        // A long field list shrinks the chunks instead of overflowing the URI.
        let wide = format!(
            "SELECT {} FROM Task WHERE WhoId IN (",
            vec!["Subject"; 800].join(", ")
        );
        let qs = queries(&wide, ")", &ids).unwrap();
        assert!(qs.len() > 17);
        assert!(qs.iter().all(|q| encoded_len(q) <= MAX_ENCODED_QUERY));
        let huge = format!(
            "SELECT {} FROM Task WHERE WhoId IN (",
            vec!["Subject"; 2000].join(", ")
        );
        assert!(queries(&huge, ")", &ids).is_err());
    }
}
