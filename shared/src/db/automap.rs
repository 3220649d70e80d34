//! Auto-mapping after a custom-object deploy (API.md §7.11): the identity mapping of the fields
//! just created, merged into the object's `crm_field_mappings` row.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use uuid::Uuid;

use super::{DbError, prepare};

/// Upserts the mapping of `object` (canonical = Salesforce name): a new row is active with no
/// external id; an existing one keeps its keys (`new || existing`, existing wins), keeps its
/// external id and becomes active. The version moves only when the content changed (trigger).
pub async fn upsert_identity(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Uuid,
    object: &str,
    field_mappings: &Value,
) -> Result<(), DbError> {
    let st = prepare(
        c,
        "INSERT INTO crm_field_mappings (org_id, client_id, canonical_object, sfdc_object, \
         field_mappings, external_id_field, is_active) VALUES ($1, $2, $3, $3, $4, NULL, true) \
         ON CONFLICT (org_id, client_id, canonical_object) DO UPDATE SET \
         sfdc_object = EXCLUDED.sfdc_object, \
         field_mappings = EXCLUDED.field_mappings || crm_field_mappings.field_mappings, \
         is_active = true",
    )
    .await?;
    c.execute(&st, &[&org_id, &client_id, &object, field_mappings])
        .await?;
    Ok(())
}
