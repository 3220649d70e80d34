//! Updates of existing records, for status updates and links: records named by Id are sent as
//! they are; records named by external id are looked up first (one query per 200 values) and a
//! value that matches no record, or several, is a failed record. Nothing is ever inserted:
//! sObject Collections update by Id only.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use shared::salesforce::{SalesforceClient, SalesforceError, SaveResult};

use super::collections::{self, Op};
use super::{Tally, failed_result, resolve};

/// How a record to update is found.
#[derive(Debug, Clone)]
pub enum Lookup {
    Id(String),
    External { field: String, value: String },
}

/// One record to update.
#[derive(Debug, Clone)]
pub struct Item {
    pub object: String,
    pub lookup: Lookup,
    /// The fields to set (without `Id`).
    pub fields: Map<String, Value>,
}

impl Item {
    /// How the ledger names it.
    fn key(&self) -> String {
        match &self.lookup {
            Lookup::Id(id) => id.clone(),
            Lookup::External { value, .. } => value.clone(),
        }
    }
}

/// Updates every item; one result per item, in order.
pub async fn update_all(
    sf: &SalesforceClient,
    items: Vec<Item>,
    concurrency: usize,
    progress: impl Fn(usize, usize),
) -> Result<Tally, SalesforceError> {
    let total = items.len();
    let mut results: Vec<Option<SaveResult>> = vec![None; total];
    // Look external ids up, per (object, field).
    let mut lookups: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for item in &items {
        if let Lookup::External { field, value } = &item.lookup {
            lookups
                .entry((item.object.clone(), field.clone()))
                .or_default()
                .push(value.clone());
        }
    }
    let mut found = BTreeMap::new();
    for ((object, field), values) in lookups {
        let ids = resolve::ids_by_external_id(sf, &object, &field, &values).await?;
        found.insert((object, field), ids);
    }
    // Records by object, with their positions.
    let mut by_object: BTreeMap<String, Vec<(usize, Value)>> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let id = match &item.lookup {
            Lookup::Id(id) => id.clone(),
            Lookup::External { field, value } => {
                let ids = found
                    .get(&(item.object.clone(), field.clone()))
                    .and_then(|m| m.get(&value.to_lowercase()));
                match ids.map(Vec::as_slice) {
                    Some([one]) => one.clone(),
                    Some(many) if many.len() > 1 => {
                        results[i] = Some(failed_result(
                            "DUPLICATE_EXTERNAL_ID",
                            &format!(
                                "{field}: more than one record found for external id value {value}"
                            ),
                        ));
                        continue;
                    }
                    _ => {
                        results[i] = Some(failed_result(
                            "NOT_FOUND",
                            &format!("No {} record has {field} = {value}", item.object),
                        ));
                        continue;
                    }
                }
            }
        };
        let mut record = item.fields.clone();
        record.insert("Id".into(), Value::from(id));
        by_object
            .entry(item.object.clone())
            .or_default()
            .push((i, Value::Object(record)));
    }
    let mut done = total - by_object.values().map(Vec::len).sum::<usize>();
    for (object, records) in by_object {
        let (positions, records): (Vec<usize>, Vec<Value>) = records.into_iter().unzip();
        let n = records.len();
        let op = Op::Update { object };
        let sent = collections::send_all(sf, &op, records, concurrency, |_, _| {}).await?;
        for (i, r) in positions.into_iter().zip(sent) {
            results[i] = Some(r);
        }
        done += n;
        progress(done, total);
    }
    let results: Vec<SaveResult> = results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| failed_result("salesforce_batch_failed", "No result")))
        .collect();
    let keys = items.iter().map(|i| Some(i.key())).collect();
    Ok(super::tally(results, keys))
}
