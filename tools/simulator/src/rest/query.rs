//! `query` / `queryAll` with `nextRecordsUrl` cursors and `Sforce-Query-Options` batch sizes,
//! plus `/limits` and `/limits/recordCount`.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::http::{Req, Resp};
use crate::json::J;
use crate::soql::eval::{self, Outcome};
use crate::soql::{Cursor, CursorRows, QueryError, batch_size, parse_locator};
use crate::state::State;

/// Routes `/query/...` and `/queryAll/...`.
pub fn route(st: &mut State, org_id: &str, v: &str, r: &Req, all: bool, rest: &[&str]) -> Resp {
    match rest {
        [] => {
            let Some(q) = r.param("q") else {
                return Resp::sf(400, "MALFORMED_QUERY", "A query string has to be specified");
            };
            let Some(org) = st.orgs.get(org_id) else {
                return Resp::not_found();
            };
            match eval::execute(org, &q, all) {
                Ok(out) => first_page(
                    st,
                    org_id,
                    v,
                    out,
                    batch_size(r.header("sforce-query-options")),
                ),
                Err(e) => query_error(&e),
            }
        }
        [locator] => more(st, org_id, v, locator, false),
        _ => Resp::not_found(),
    }
}

/// A query failure as a REST error body.
pub fn query_error(e: &QueryError) -> Resp {
    Resp::sf(400, e.code, &e.message)
}

fn cursor_id(st: &mut State) -> String {
    format!("01g{}", crate::ids::random_alnum(&mut st.rng, 15))
}

fn first_page(st: &mut State, org_id: &str, v: &str, out: Outcome, batch: usize) -> Resp {
    if out.count_only {
        return Resp::ordered(
            200,
            &J::obj(vec![
                ("totalSize", J::V(json!(out.rows.len()))),
                ("done", J::V(json!(true))),
                ("records", J::A(vec![])),
            ]),
        );
    }
    if let Some(agg) = out.aggregate {
        return Resp::ordered(
            200,
            &J::obj(vec![
                ("totalSize", J::V(json!(1))),
                ("done", J::V(json!(true))),
                ("records", J::A(vec![agg])),
            ]),
        );
    }
    let cursor = Cursor {
        org_id: org_id.to_string(),
        total: out.rows.len(),
        rows: CursorRows::Org {
            obj_key: out.obj_key,
            query: out.query,
            rows: Arc::new(out.rows),
        },
        batch,
        tooling: false,
        entity: out.entity,
    };
    let id = cursor_id(st);
    let resp = page(st, v, &id, &cursor, 0);
    if cursor.len() > batch {
        st.cursors.insert(id, cursor);
    }
    resp
}

/// Registers pre-rendered records (Tooling) and answers their first page.
pub fn first_page_rendered(
    st: &mut State,
    org_id: &str,
    v: &str,
    entity: &str,
    records: Vec<J>,
    batch: usize,
) -> Resp {
    let cursor = Cursor {
        org_id: org_id.to_string(),
        total: records.len(),
        rows: CursorRows::Rendered(Arc::new(records)),
        batch,
        tooling: true,
        entity: entity.to_string(),
    };
    let id = cursor_id(st);
    let resp = page(st, v, &id, &cursor, 0);
    if cursor.len() > batch {
        st.cursors.insert(id, cursor);
    }
    resp
}

/// Answers the page of `cursor` starting at `pos`.
fn page(st: &State, v: &str, id: &str, cursor: &Cursor, pos: usize) -> Resp {
    let end = (pos + cursor.batch).min(cursor.len());
    let records: Vec<J> = match &cursor.rows {
        CursorRows::Org {
            obj_key,
            query,
            rows,
        } => {
            let Some(org) = st.orgs.get(&cursor.org_id) else {
                return Resp::not_found();
            };
            let Some(so) = org.objects.get(obj_key) else {
                return Resp::not_found();
            };
            let base = format!("/services/data/{v}/sobjects");
            rows[pos.min(end)..end]
                .iter()
                .map(|row| eval::render(org, so, *row, &query.items, &base))
                .collect()
        }
        CursorRows::Rendered(r) => r[pos.min(end)..end].to_vec(),
    };
    let done = end >= cursor.len();
    let prefix = if cursor.tooling {
        "tooling/query"
    } else {
        "query"
    };
    let next = format!("/services/data/{v}/{prefix}/{id}-{end}");
    let mut pairs: Vec<(&str, J)> = Vec::new();
    if cursor.tooling {
        pairs.push(("size", J::V(json!(records.len()))));
    }
    pairs.push(("totalSize", J::V(json!(cursor.total))));
    pairs.push(("done", J::V(json!(done))));
    if cursor.tooling {
        pairs.push((
            "queryLocator",
            J::V(if done {
                Value::Null
            } else {
                json!(format!("{id}-{end}"))
            }),
        ));
        pairs.push(("entityTypeName", J::V(json!(cursor.entity))));
    }
    if !done {
        pairs.push(("nextRecordsUrl", J::V(json!(next))));
    }
    pairs.push(("records", J::A(records)));
    Resp::ordered(200, &J::obj(pairs))
}

/// Fetches a later page by locator (`01g...-2000`).
pub fn more(st: &mut State, org_id: &str, v: &str, locator: &str, tooling: bool) -> Resp {
    let bad = || Resp::sf(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
    let Some((id, pos)) = parse_locator(locator) else {
        return bad();
    };
    let Some(cursor) = st.cursors.get(id).cloned() else {
        return bad();
    };
    if cursor.org_id != org_id || cursor.tooling != tooling || pos > cursor.len() {
        return bad();
    }
    page(st, v, id, &cursor, pos)
}

fn lim(max: u64, remaining: u64) -> Value {
    json!({"Max": max, "Remaining": remaining})
}

/// `GET /limits`.
pub fn limits(st: &State, org_id: &str) -> Resp {
    let Some(org) = st.orgs.get(org_id) else {
        return Resp::not_found();
    };
    let storage_used = (org.record_count() as u64 * 2) / 1024;
    let body = json!({
        "ActiveScratchOrgs": lim(3, 3),
        "AnalyticsExternalDataSizeMB": lim(40960, 40960),
        "ConcurrentAsyncGetReportInstances": lim(200, 200),
        "ConcurrentEinsteinDataInsightsStoryCreation": lim(5, 5),
        "ConcurrentSyncReportRuns": lim(20, 20),
        "DailyAnalyticsDataflowJobExecutions": lim(60, 60),
        "DailyApiRequests": lim(org.api_max, org.api_max.saturating_sub(org.api_used)),
        "DailyAsyncApexExecutions": lim(250000, 250000),
        "DailyBulkApiBatches": lim(15000, 15000u64.saturating_sub(org.bulk_batches)),
        "DailyBulkV2QueryFileStorageMB": lim(976562, 976562),
        "DailyBulkV2QueryJobs": lim(10000, 10000u64.saturating_sub(org.bulk_query_jobs)),
        "DailyDurableStreamingApiEvents": lim(10000, 10000),
        "DailyGenericStreamingApiEvents": lim(10000, 10000),
        "DailyStreamingApiEvents": lim(10000, 10000),
        "DailyWorkflowEmails": lim(1000, 1000),
        "DataStorageMB": lim(1024, 1024u64.saturating_sub(storage_used)),
        "FileStorageMB": lim(20480, 20480),
        "HourlyDashboardRefreshes": lim(200, 200),
        "HourlyDashboardResults": lim(5000, 5000),
        "HourlyDashboardStatuses": lim(999999999, 999999999),
        "HourlyODataCallout": lim(10000, 10000),
        "HourlyTimeBasedWorkflow": lim(50, 50),
        "MassEmail": lim(10, 10),
        "SingleEmail": lim(15, 15),
        "StreamingApiConcurrentClients": lim(20, 20),
    });
    Resp::json(200, &body)
}

/// `GET /limits/recordCount?sObjects=A,B`.
pub fn record_count(st: &State, org_id: &str, r: &Req) -> Resp {
    let Some(org) = st.orgs.get(org_id) else {
        return Resp::not_found();
    };
    let wanted: Option<Vec<String>> = r
        .param("sObjects")
        .map(|s| s.split(',').map(|x| x.trim().to_lowercase()).collect());
    let list: Vec<Value> = org
        .objects
        .iter()
        .filter(|(k, _)| wanted.as_ref().is_none_or(|w| w.contains(k)))
        .map(|(_, o)| json!({"count": o.live, "name": o.def.name}))
        .collect();
    Resp::json(200, &json!({"sObjects": list}))
}
