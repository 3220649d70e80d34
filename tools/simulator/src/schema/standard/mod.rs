//! The standard objects every simulated org starts with (Account, Contact, Lead, Opportunity,
//! Campaign, CampaignMember, OpportunityContactRole, Task, Event, Case, User), shaped after real
//! describes, plus generated custom objects for large-org tests.

mod marketing;
mod sales;
mod service;
mod setup;

use super::{FieldDef as F, FieldType as T, ObjectDef};
use marketing::{campaign, campaign_member, lead};
use sales::{account, contact, opportunity, opportunity_contact_role};
use service::{case, event, task};
use setup::{assignment_rule, user};

fn pick(name: &str, label: &str, values: &[&str]) -> F {
    F::picklist(name, label, values)
}

fn owner(polymorphic: bool) -> F {
    let to: &[&str] = if polymorphic {
        &["Group", "User"]
    } else {
        &["User"]
    };
    F::reference("OwnerId", "Owner ID", to, "Owner", None)
        .required()
        .defaulted()
}

fn address(o: &mut ObjectDef, prefix: &str, label: &str) {
    o.add_field(F::textarea(
        &format!("{prefix}Street"),
        &format!("{label} Street"),
        255,
    ));
    o.add_field(F::string(
        &format!("{prefix}City"),
        &format!("{label} City"),
        40,
    ));
    o.add_field(F::string(
        &format!("{prefix}State"),
        &format!("{label} State/Province"),
        80,
    ));
    o.add_field(F::string(
        &format!("{prefix}PostalCode"),
        &format!("{label} Zip/Postal Code"),
        20,
    ));
    o.add_field(F::string(
        &format!("{prefix}Country"),
        &format!("{label} Country"),
        80,
    ));
}

const INDUSTRIES: &[&str] = &[
    "Agriculture",
    "Banking",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Finance",
    "Healthcare",
    "Insurance",
    "Manufacturing",
    "Media",
    "Retail",
    "Technology",
    "Other",
];
const LEAD_SOURCES: &[&str] = &[
    "Web",
    "Phone Inquiry",
    "Partner Referral",
    "Purchased List",
    "Other",
];
const STAGES: &[&str] = &[
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
];

impl F {
    /// Marks a field usable as an id lookup (Email, Username) without being an external id.
    fn external_lookup(mut self) -> Self {
        self.id_lookup = true;
        self
    }
}

/// The standard objects, in describeGlobal order.
pub fn standard_objects() -> Vec<ObjectDef> {
    let mut v = vec![
        account(),
        assignment_rule(),
        campaign(),
        campaign_member(),
        case(),
        contact(),
        event(),
        lead(),
        opportunity(),
        opportunity_contact_role(),
        task(),
        user(),
    ];
    for o in &mut v {
        o.custom = false;
        for f in &mut o.fields {
            f.custom = false;
        }
    }
    v
}

/// The key prefix of the n-th custom object (`a00`, `a01`, ... `aZz`).
pub fn custom_prefix(n: usize) -> String {
    const B: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let n = n + 1;
    format!("a{}{}", B[(n / 62) % 62] as char, B[n % 62] as char)
}

/// A generated custom object `Gen_NNNN__c` with a handful of fields of common types.
pub fn generated_object(n: usize, prefix: &str) -> ObjectDef {
    let name = format!("Gen_{n:04}__c");
    let label = format!("Gen {n:04}");
    let mut o = ObjectDef::new(&name, &label, &format!("{label}s"), prefix);
    o.add_field(
        F::string("Name", &format!("{label} Name"), 80)
            .name_field()
            .defaulted(),
    );
    o.add_field(owner(true));
    o.add_field(F::string("Ext_Id__c", "Ext Id", 50).external().unique());
    o.add_field(F::number("Amount__c", "Amount", T::Currency, 16, 2));
    o.add_field(F::new("Active__c", "Active", T::Boolean));
    o.add_field(F::new("Start__c", "Start", T::Date));
    o.add_field(pick("Status__c", "Status", &["New", "Open", "Closed"]));
    o.add_field(F::reference(
        "Account__c",
        "Account",
        &["Account"],
        "Account__r",
        Some(&format!("Gen_{n:04}s__r")),
    ));
    o.add_audit_fields();
    o
}
