//! `POST /api/deploy/execute` (and its alias `POST /api/deploy/custom-objects`): custom objects,
//! their fields and relationships, and new fields on standard objects, as one Metadata deploy in
//! a `deploy.execute` job. Then ids Salesforce did not report are looked up through Tooling, and
//! the new fields are auto-mapped (API.md §7.11).

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::Json;
use shared::jobs::{Job, JobError, JobRequest};
use shared::salesforce::{SalesforceClient, soql_quote};
use shared::{ApiError, AppState, db};

use crate::engine::{self, Component};
use crate::lifecycle::{self, DeployRequest, DeployResponse, Started};
use crate::plan;

/// The job kind.
pub const KIND: &str = "deploy.execute";

#[utoipa::path(
    post, path = "/api/deploy/execute", tag = "deploy",
    request_body = DeployRequest,
    responses(
        (status = 200, body = DeployResponse),
        (status = 202, description = "Still running: follow `status_url`", body = shared::jobs::Accepted),
        (status = 400, description = "`invalid_deploy_plan`, `Conflict report not found for this org/client`, `No connected Salesforce connection found`, `Connection has no Nango connection ID`", body = ErrorBody),
        (status = 404, description = "`Client not found`", body = ErrorBody),
        (status = 409, description = "`Conflict report is red; pass \"force\": true to deploy anyway`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    req: JobRequest,
    Json(body): Json<DeployRequest>,
) -> Result<Response, ApiError> {
    submit(&state, &ctx, &req, body).await
}

/// The seed's name for `deploy/execute`: the same handler.
#[utoipa::path(
    post, path = "/api/deploy/custom-objects", tag = "deploy",
    request_body = DeployRequest,
    responses(
        (status = 200, body = DeployResponse),
        (status = 202, description = "Still running: follow `status_url`", body = shared::jobs::Accepted),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle_alias(
    State(state): State<AppState>,
    ctx: AuthContext,
    req: JobRequest,
    Json(body): Json<DeployRequest>,
) -> Result<Response, ApiError> {
    submit(&state, &ctx, &req, body).await
}

async fn submit(
    state: &AppState,
    ctx: &AuthContext,
    req: &JobRequest,
    body: DeployRequest,
) -> Result<Response, ApiError> {
    let errors = plan::objects::validate(&body.plan);
    lifecycle::submit(
        state,
        ctx,
        req,
        Permission::DeployWrite,
        KIND,
        body,
        errors,
        "custom_object",
    )
    .await
}

/// Runs a `deploy.execute` job; a later run of the same job resumes where the last one stopped.
pub async fn run(state: AppState, job: Job) -> Result<Value, JobError> {
    let (start, started) = lifecycle::start(&state, &job).await?;
    if started.deployment.status != "in_progress" {
        return Ok(lifecycle::response(&started.deployment));
    }
    let sf = started.connected.salesforce(&state);
    let (package, planned) = plan::objects::build(&start.plan, sf.metadata_version());
    let mut components = lifecycle::deploy(&state, &job, &started, &package, &planned).await?;
    resolve_ids(&sf, &mut components).await;
    automap(&state, &job, &started, &components).await;
    finish(&state, &job, &started, components).await
}

async fn finish(
    state: &AppState,
    job: &Job,
    started: &Started,
    components: Vec<Component>,
) -> Result<Value, JobError> {
    let status = engine::overall(&components);
    let result = json!({
        "status": status,
        "objects_created": engine::count(&components, "custom_object"),
        "fields_created": engine::count(&components, "custom_field"),
        "relationships_created": engine::count(&components, "relationship"),
        "components": engine::to_json(&components),
    });
    lifecycle::finish(state, job.org_id, started, status, &result).await
}

/// Successful fields Salesforce reported without an id get it from Tooling (API.md §7.4 step 5).
/// A failed look-up leaves the id empty: the field was deployed all the same.
async fn resolve_ids(sf: &SalesforceClient, components: &mut [Component]) {
    for c in components
        .iter_mut()
        .filter(|c| c.success && c.sfdc_id.is_none() && c.kind != "custom_object")
    {
        let Some((object, field)) = c.api_name.split_once('.') else {
            continue;
        };
        match field_id(sf, object, field).await {
            Ok(id) => c.sfdc_id = id,
            Err(e) => {
                tracing::warn!(error = %e, field = %c.api_name, "could not look up a deployed field's id")
            }
        }
    }
}

/// A custom field's Tooling id: its object's id first for custom objects.
pub async fn field_id(
    sf: &SalesforceClient,
    object: &str,
    field: &str,
) -> Result<Option<String>, shared::salesforce::SalesforceError> {
    let first_id = |page: shared::salesforce::ToolingQueryPage| {
        page.records
            .first()
            .and_then(|r| r["Id"].as_str())
            .map(str::to_string)
    };
    let table = match object.strip_suffix("__c") {
        Some(stem) => {
            let q = format!(
                "SELECT Id FROM CustomObject WHERE DeveloperName = {} ORDER BY CreatedDate DESC LIMIT 1",
                soql_quote(stem)
            );
            match first_id(sf.tooling_query(&q).await?) {
                Some(id) => id,
                None => return Ok(None),
            }
        }
        None => object.to_string(),
    };
    let q = format!(
        "SELECT Id FROM CustomField WHERE DeveloperName = {} AND TableEnumOrId = {} ORDER BY CreatedDate DESC LIMIT 1",
        soql_quote(field.strip_suffix("__c").unwrap_or(field)),
        soql_quote(&table)
    );
    Ok(first_id(sf.tooling_query(&q).await?))
}

/// The identity mapping of each created object's created fields, upserted; a failure is logged
/// and ignored (API.md §7.11).
async fn automap(state: &AppState, job: &Job, started: &Started, components: &[Component]) {
    let client_id = started.deployment.client_id;
    let result: Result<(), db::DbError> = async {
        let mut conn = db::conn(state.db()).await?;
        let tx = db::begin(&mut conn, job.org_id).await?;
        for object in components
            .iter()
            .filter(|c| c.success && c.kind == "custom_object")
        {
            let mut map = serde_json::Map::new();
            for c in components
                .iter()
                .filter(|c| c.success && c.kind != "custom_object")
            {
                if let Some((o, f)) = c.api_name.split_once('.')
                    && o == object.api_name
                {
                    map.insert(f.to_string(), Value::from(f));
                }
            }
            db::automap::upsert_identity(
                &tx,
                job.org_id,
                client_id,
                &object.api_name,
                &Value::Object(map),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, org_id = %job.org_id, client_id = %client_id, "Auto-mapping upsert failed after deployment");
    }
}
