//! The Metadata API: SOAP `deploy`, `checkDeployStatus`, `cancelDeploy`, `listMetadata`,
//! `readMetadata` (and the REST `deployRequest` resource), with asynchronous deploys whose
//! components really change the org's schema.

pub mod apply;
pub mod deploy;
pub mod fields;
pub mod package;
pub mod rest;
pub mod soap;
pub mod xml;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

/// A deployed component kept as its metadata (flows, rules, folders, reports, dashboards).
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: String,
    pub el: xml::El,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub version: u32,
}

/// Deploys of all orgs, by id.
#[derive(Debug, Default)]
pub struct MetaState {
    pub deploys: HashMap<String, deploy::Deploy>,
}
