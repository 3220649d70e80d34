//! Record ids by external id, for the pushes that must never insert (status updates, links):
//! one SOQL query per 200 values, `WHERE field IN (...)` with every value quoted.

use std::collections::HashMap;

use serde_json::Value;
use shared::salesforce::{SalesforceClient, SalesforceError, soql_quote};

/// Values per query (keeps the query string well under Salesforce's URI limit).
const CHUNK: usize = 200;

/// `value (lowercased) → ids` of `object` records whose `field` has one of `values`; a value
/// with several ids is not unique. `object` and `field` must be validated identifiers.
pub async fn ids_by_external_id(
    sf: &SalesforceClient,
    object: &str,
    field: &str,
    values: &[String],
) -> Result<HashMap<String, Vec<String>>, SalesforceError> {
    let mut unique: Vec<&String> = values.iter().collect();
    unique.sort();
    unique.dedup();
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for chunk in unique.chunks(CHUNK) {
        let list: Vec<String> = chunk.iter().map(|v| soql_quote(v)).collect();
        let soql = format!(
            "SELECT Id, {field} FROM {object} WHERE {field} IN ({})",
            list.join(", ")
        );
        for row in sf.query_all_pages(&soql, None).await? {
            let (Some(id), Some(value)) = (
                row.get("Id").and_then(Value::as_str),
                row.get(field).and_then(super::text_ref),
            ) else {
                continue;
            };
            out.entry(value.to_lowercase())
                .or_default()
                .push(id.to_string());
        }
    }
    Ok(out)
}

/// Whether `name` can go into SOQL and URL paths as an object or field name.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 80
}
