//! The whole simulator's state behind one lock: orgs, access tokens, Nango, control settings.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::bulk::BulkState;
use crate::faults::Settings;
use crate::metadata::MetaState;
use crate::nango::NangoState;
use crate::rng::Rng;
use crate::schema::standard;
use crate::soql::Cursor;
use crate::store::Org;
use crate::values::{Val, now_ms};

/// What a new org should contain.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct OrgSpec {
    /// Org name (company name), shown in the state dump.
    pub name: Option<String>,
    /// Number of generated custom objects `Gen_NNNN__c` to add (for 1,300-object orgs).
    pub extra_objects: usize,
    /// Whether to seed sample records (accounts, contacts, opportunities, ...).
    pub seed_records: bool,
    /// Accounts to seed (each with contacts, an opportunity, a case, a task, an event).
    pub accounts: usize,
    /// Records to seed in each generated custom object.
    pub extra_object_records: usize,
    /// `DailyApiRequests.Max` of the org.
    pub daily_api_max: u64,
}

impl Default for OrgSpec {
    fn default() -> Self {
        OrgSpec {
            name: None,
            extra_objects: 0,
            seed_records: true,
            accounts: 5,
            extra_object_records: 0,
            daily_api_max: 100_000,
        }
    }
}

/// How to reach a created org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgInfo {
    pub org_id: String,
    pub instance_url: String,
}

/// A live or revoked Salesforce access token.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub org_id: String,
    pub handle: String,
    pub live: bool,
}

/// Everything the simulator knows.
pub struct State {
    pub api_version: String,
    pub nango_secret_key: String,
    pub nango_webhook_secret: String,
    pub webhook_url: Option<String>,
    pub base_url: String,
    pub orgs: BTreeMap<String, Org>,
    pub tokens: HashMap<String, TokenInfo>,
    pub token_seq: u64,
    pub org_seq: u64,
    pub rng: Rng,
    pub nango: NangoState,
    pub control: Settings,
    pub cursors: HashMap<String, Cursor>,
    pub meta: MetaState,
    pub bulk: BulkState,
}

impl State {
    /// A fresh state with no orgs.
    pub fn new(cfg: &crate::SimConfig) -> Self {
        State {
            api_version: cfg.api_version.clone(),
            nango_secret_key: cfg.nango_secret_key.clone(),
            nango_webhook_secret: cfg.nango_webhook_secret.clone(),
            webhook_url: cfg.webhook_url.clone(),
            base_url: "http://127.0.0.1:4010".to_string(),
            orgs: BTreeMap::new(),
            tokens: HashMap::new(),
            token_seq: 0,
            org_seq: 0,
            rng: Rng::new(0x5eed),
            nango: NangoState::default(),
            control: Settings::default(),
            cursors: HashMap::new(),
            meta: MetaState::default(),
            bulk: BulkState::default(),
        }
    }

    /// The API version without the `v` (`60.0`).
    pub fn version_number(&self) -> &str {
        self.api_version.trim_start_matches('v')
    }

    /// Creates and seeds an org.
    pub fn create_org(&mut self, spec: &OrgSpec) -> OrgInfo {
        self.org_seq += 1;
        let org_id = crate::ids::mint("00D", 100 + self.org_seq);
        let mut objects = standard::standard_objects();
        for n in 0..spec.extra_objects {
            objects.push(standard::generated_object(
                n + 1,
                &standard::custom_prefix(n),
            ));
        }
        let name = spec
            .name
            .clone()
            .unwrap_or_else(|| format!("Sim Org {}", self.org_seq));
        let mut org = Org::new(org_id.clone(), name, objects, spec.daily_api_max);
        org.custom_seq = spec.extra_objects;
        let custom: Vec<String> = org
            .objects
            .values()
            .filter(|o| o.def.custom)
            .map(|o| o.def.name.clone())
            .collect();
        for name in custom {
            let id = org.mint("01I");
            if let Some(o) = org.object_mut(&name) {
                o.def.tooling_id = Some(id);
            }
            let fields: Vec<String> = org
                .object(&name)
                .map(|o| {
                    o.def
                        .fields
                        .iter()
                        .filter(|f| f.custom)
                        .map(|f| f.name.clone())
                        .collect()
                })
                .unwrap_or_default();
            for f in fields {
                let fid = org.mint("00N");
                if let Some(fd) = org
                    .object_mut(&name)
                    .and_then(|o| o.def.fields.iter_mut().find(|x| x.name == f))
                {
                    fd.tooling_id = Some(fid);
                }
            }
        }
        seed(&mut org, spec);
        self.orgs.insert(org_id.clone(), org);
        OrgInfo {
            org_id,
            instance_url: self.base_url.clone(),
        }
    }

    /// Mints a new live access token for `org_id`.
    pub fn mint_token(&mut self, org_id: &str) -> String {
        self.token_seq += 1;
        let tok = format!(
            "{}!AR{}",
            &org_id[..15],
            crate::ids::random_alnum(&mut self.rng, 96)
        );
        self.tokens.insert(
            tok.clone(),
            TokenInfo {
                org_id: org_id.to_string(),
                handle: format!("t{}", self.token_seq),
                live: true,
            },
        );
        tok
    }
}

fn put(org: &mut Org, obj: &str, vals: &[(&str, Val)]) -> String {
    crate::dml::insert_raw(org, obj, vals)
}

fn seed(org: &mut Org, spec: &OrgSpec) {
    let admin = put(
        org,
        "User",
        &[
            (
                "Username",
                Val::str(&format!("admin@{}.sim", org.id.to_lowercase())),
            ),
            ("FirstName", Val::str("Ada")),
            ("LastName", Val::str("Admin")),
            ("Email", Val::str("admin@example.com")),
            ("Alias", Val::str("aadmin")),
            ("IsActive", Val::Bool(true)),
        ],
    );
    org.admin_user_id = admin.clone();
    // Rows inserted before the admin existed get it as owner/creator through `Org::value`.
    put(
        org,
        "User",
        &[
            (
                "Username",
                Val::str(&format!("sam@{}.sim", org.id.to_lowercase())),
            ),
            ("FirstName", Val::str("Sam")),
            ("LastName", Val::str("Seller")),
            ("Email", Val::str("sam@example.com")),
            ("Alias", Val::str("sseller")),
            ("IsActive", Val::Bool(true)),
        ],
    );
    if !spec.seed_records {
        return;
    }
    let campaign = put(
        org,
        "Campaign",
        &[
            ("Name", Val::str("Spring Launch")),
            ("Status", Val::str("In Progress")),
            ("IsActive", Val::Bool(true)),
            ("StartDate", Val::str("2026-03-01")),
        ],
    );
    let industries = ["Technology", "Banking", "Retail", "Healthcare", "Energy"];
    let stages = [
        "Prospecting",
        "Qualification",
        "Closed Won",
        "Closed Lost",
        "Negotiation/Review",
    ];
    for i in 0..spec.accounts {
        let acc = put(
            org,
            "Account",
            &[
                ("Name", Val::str(&format!("Acme {}", i + 1))),
                ("Industry", Val::str(industries[i % industries.len()])),
                ("AnnualRevenue", Val::Num(((i + 1) * 1_000_000) as f64)),
                ("NumberOfEmployees", Val::Num(((i + 1) * 50) as f64)),
                (
                    "BillingCity",
                    Val::str(if i % 2 == 0 {
                        "San Francisco"
                    } else {
                        "London"
                    }),
                ),
                ("Type", Val::str("Customer - Direct")),
            ],
        );
        let mut contacts = Vec::new();
        for j in 0..2 {
            contacts.push(put(
                org,
                "Contact",
                &[
                    ("AccountId", Val::str(&acc)),
                    ("FirstName", Val::str(["Grace", "Alan"][j])),
                    (
                        "LastName",
                        Val::str(&format!("{} {}", ["Hopper", "Turing"][j], i + 1)),
                    ),
                    (
                        "Email",
                        Val::str(&format!("c{}_{}@example.com", i + 1, j + 1)),
                    ),
                    ("Title", Val::str(["CTO", "Engineer"][j])),
                ],
            ));
        }
        let opp = put(
            org,
            "Opportunity",
            &[
                ("AccountId", Val::str(&acc)),
                ("Name", Val::str(&format!("Acme {} renewal", i + 1))),
                ("StageName", Val::str(stages[i % stages.len()])),
                ("Amount", Val::Num(((i + 1) * 25_000) as f64)),
                (
                    "CloseDate",
                    Val::str(&format!("2026-{:02}-15", (i % 12) + 1)),
                ),
                ("CampaignId", Val::str(&campaign)),
            ],
        );
        put(
            org,
            "OpportunityContactRole",
            &[
                ("OpportunityId", Val::str(&opp)),
                ("ContactId", Val::str(&contacts[0])),
                ("Role", Val::str("Decision Maker")),
                ("IsPrimary", Val::Bool(true)),
            ],
        );
        put(
            org,
            "CampaignMember",
            &[
                ("CampaignId", Val::str(&campaign)),
                ("ContactId", Val::str(&contacts[1])),
                ("Status", Val::str("Sent")),
            ],
        );
        put(
            org,
            "Case",
            &[
                ("AccountId", Val::str(&acc)),
                ("ContactId", Val::str(&contacts[0])),
                ("Subject", Val::str(&format!("Cannot log in ({})", i + 1))),
                ("Origin", Val::str("Email")),
            ],
        );
        put(
            org,
            "Task",
            &[
                ("WhoId", Val::str(&contacts[0])),
                ("WhatId", Val::str(&opp)),
                ("Subject", Val::str("Call")),
                ("ActivityDate", Val::str("2026-02-01")),
            ],
        );
        put(
            org,
            "Event",
            &[
                ("WhoId", Val::str(&contacts[1])),
                ("WhatId", Val::str(&acc)),
                ("Subject", Val::str("Meeting")),
                ("StartDateTime", Val::Num(1_769_940_000_000.0)),
                ("EndDateTime", Val::Num(1_769_943_600_000.0)),
                ("DurationInMinutes", Val::Num(60.0)),
            ],
        );
    }
    for i in 0..3 {
        let lead = put(
            org,
            "Lead",
            &[
                ("FirstName", Val::str("Linus")),
                ("LastName", Val::str(&format!("Lead {}", i + 1))),
                ("Company", Val::str(&format!("Prospect {}", i + 1))),
                ("Email", Val::str(&format!("lead{}@example.com", i + 1))),
                ("LeadSource", Val::str("Web")),
            ],
        );
        put(
            org,
            "CampaignMember",
            &[
                ("CampaignId", Val::str(&campaign)),
                ("LeadId", Val::str(&lead)),
            ],
        );
    }
    let gens: Vec<String> = org
        .objects
        .values()
        .filter(|o| o.def.name.starts_with("Gen_"))
        .map(|o| o.def.name.clone())
        .collect();
    for g in gens {
        for k in 0..spec.extra_object_records {
            put(
                org,
                &g,
                &[
                    ("Name", Val::str(&format!("{g} {k}"))),
                    ("Ext_Id__c", Val::str(&format!("{g}-{k}"))),
                    ("Amount__c", Val::Num(k as f64)),
                ],
            );
        }
    }
    let _ = now_ms();
}
