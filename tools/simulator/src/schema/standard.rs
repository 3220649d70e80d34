//! The standard objects every simulated org starts with (Account, Contact, Lead, Opportunity,
//! Campaign, CampaignMember, OpportunityContactRole, Task, Event, Case, User), shaped after real
//! describes, plus generated custom objects for large-org tests.

use super::{FieldDef as F, FieldType as T, ObjectDef};

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

fn account() -> ObjectDef {
    let mut o = ObjectDef::new("Account", "Account", "Accounts", "001");
    o.feed_enabled = true;
    o.mergeable = true;
    o.enable_activities = true;
    o.add_field(
        F::string("Name", "Account Name", 255)
            .required()
            .name_field(),
    );
    o.add_field(pick(
        "Type",
        "Account Type",
        &[
            "Prospect",
            "Customer - Direct",
            "Customer - Channel",
            "Partner",
            "Other",
        ],
    ));
    o.add_field(F::reference(
        "ParentId",
        "Parent Account ID",
        &["Account"],
        "Parent",
        Some("ChildAccounts"),
    ));
    address(&mut o, "Billing", "Billing");
    address(&mut o, "Shipping", "Shipping");
    o.add_field(F::new("Phone", "Account Phone", T::Phone));
    o.add_field(F::new("Fax", "Account Fax", T::Phone));
    o.add_field(F::string("AccountNumber", "Account Number", 40));
    o.add_field(F::new("Website", "Website", T::Url));
    o.add_field(pick("Industry", "Industry", INDUSTRIES));
    o.add_field(F::number(
        "AnnualRevenue",
        "Annual Revenue",
        T::Currency,
        18,
        0,
    ));
    let mut emp = F::new("NumberOfEmployees", "Employees", T::Int);
    emp.digits = 8;
    o.add_field(emp);
    o.add_field(pick("Rating", "Account Rating", &["Hot", "Warm", "Cold"]));
    o.add_field(F::textarea("Description", "Account Description", 32000));
    o.add_field(pick("AccountSource", "Account Source", LEAD_SOURCES));
    o.add_field(owner(false));
    o.add_field(F::new("LastActivityDate", "Last Activity", T::Date).readonly());
    o.add_audit_fields();
    o
}

fn contact() -> ObjectDef {
    let mut o = ObjectDef::new("Contact", "Contact", "Contacts", "003");
    o.feed_enabled = true;
    o.mergeable = true;
    o.enable_activities = true;
    o.add_field(F::reference(
        "AccountId",
        "Account ID",
        &["Account"],
        "Account",
        Some("Contacts"),
    ));
    o.add_field(F::string("LastName", "Last Name", 80).required());
    o.add_field(F::string("FirstName", "First Name", 40));
    o.add_field(pick(
        "Salutation",
        "Salutation",
        &["Mr.", "Ms.", "Mrs.", "Dr.", "Prof."],
    ));
    o.add_field(F::string("Name", "Full Name", 121).readonly().name_field());
    o.add_field(F::reference(
        "ReportsToId",
        "Reports To ID",
        &["Contact"],
        "ReportsTo",
        None,
    ));
    address(&mut o, "Mailing", "Mailing");
    o.add_field(F::new("Phone", "Business Phone", T::Phone));
    o.add_field(F::new("MobilePhone", "Mobile Phone", T::Phone));
    o.add_field(F::new("Email", "Email", T::Email).external_lookup());
    o.add_field(F::string("Title", "Title", 128));
    o.add_field(F::string("Department", "Department", 80));
    o.add_field(pick("LeadSource", "Lead Source", LEAD_SOURCES));
    o.add_field(F::new("Birthdate", "Birthdate", T::Date));
    o.add_field(F::textarea("Description", "Contact Description", 32000));
    o.add_field(F::new("HasOptedOutOfEmail", "Email Opt Out", T::Boolean));
    o.add_field(F::new("DoNotCall", "Do Not Call", T::Boolean));
    o.add_field(owner(false));
    o.add_field(F::new("LastActivityDate", "Last Activity", T::Date).readonly());
    o.add_audit_fields();
    o
}

fn lead() -> ObjectDef {
    let mut o = ObjectDef::new("Lead", "Lead", "Leads", "00Q");
    o.feed_enabled = true;
    o.mergeable = true;
    o.enable_activities = true;
    o.add_field(F::string("LastName", "Last Name", 80).required());
    o.add_field(F::string("FirstName", "First Name", 40));
    o.add_field(F::string("Name", "Full Name", 121).readonly().name_field());
    o.add_field(F::string("Title", "Title", 128));
    o.add_field(F::string("Company", "Company", 255).required());
    address(&mut o, "", "");
    o.add_field(F::new("Phone", "Phone", T::Phone));
    o.add_field(F::new("Email", "Email", T::Email).external_lookup());
    o.add_field(F::new("Website", "Website", T::Url));
    o.add_field(pick("LeadSource", "Lead Source", LEAD_SOURCES));
    let mut status = pick(
        "Status",
        "Status",
        &[
            "Open - Not Contacted",
            "Working - Contacted",
            "Closed - Converted",
            "Closed - Not Converted",
        ],
    )
    .required()
    .defaulted();
    status.picklist[0].default = true;
    status.default_value = serde_json::json!("Open - Not Contacted");
    o.add_field(status);
    o.add_field(pick("Industry", "Industry", INDUSTRIES));
    o.add_field(pick("Rating", "Rating", &["Hot", "Warm", "Cold"]));
    o.add_field(F::number(
        "AnnualRevenue",
        "Annual Revenue",
        T::Currency,
        18,
        0,
    ));
    o.add_field(F::new("NumberOfEmployees", "Employees", T::Int));
    o.add_field(F::textarea("Description", "Description", 32000));
    let mut conv = F::new("IsConverted", "Converted", T::Boolean);
    conv.updateable = false;
    o.add_field(conv);
    o.add_field(F::new("ConvertedDate", "Converted Date", T::Date).readonly());
    o.add_field(
        F::reference(
            "ConvertedAccountId",
            "Converted Account ID",
            &["Account"],
            "ConvertedAccount",
            None,
        )
        .readonly(),
    );
    o.add_field(
        F::reference(
            "ConvertedContactId",
            "Converted Contact ID",
            &["Contact"],
            "ConvertedContact",
            None,
        )
        .readonly(),
    );
    o.add_field(
        F::reference(
            "ConvertedOpportunityId",
            "Converted Opportunity ID",
            &["Opportunity"],
            "ConvertedOpportunity",
            None,
        )
        .readonly(),
    );
    o.add_field(owner(true));
    o.add_audit_fields();
    o
}

fn opportunity() -> ObjectDef {
    let mut o = ObjectDef::new("Opportunity", "Opportunity", "Opportunities", "006");
    o.feed_enabled = true;
    o.enable_activities = true;
    o.add_field(F::reference(
        "AccountId",
        "Account ID",
        &["Account"],
        "Account",
        Some("Opportunities"),
    ));
    o.add_field(F::string("Name", "Name", 120).required().name_field());
    o.add_field(F::textarea("Description", "Description", 32000));
    o.add_field(pick("StageName", "Stage", STAGES).required());
    o.add_field(F::number("Amount", "Amount", T::Currency, 18, 2));
    o.add_field(F::number(
        "Probability",
        "Probability (%)",
        T::Percent,
        3,
        0,
    ));
    o.add_field(F::new("CloseDate", "Close Date", T::Date).required());
    o.add_field(pick(
        "Type",
        "Opportunity Type",
        &["Existing Customer - Upgrade", "New Customer"],
    ));
    o.add_field(F::string("NextStep", "Next Step", 255));
    o.add_field(pick("LeadSource", "Lead Source", LEAD_SOURCES));
    o.add_field(F::new("IsClosed", "Closed", T::Boolean).readonly());
    o.add_field(F::new("IsWon", "Won", T::Boolean).readonly());
    o.add_field(
        pick(
            "ForecastCategoryName",
            "Forecast Category",
            &["Omitted", "Pipeline", "Best Case", "Commit", "Closed"],
        )
        .defaulted(),
    );
    o.add_field(F::reference(
        "CampaignId",
        "Campaign ID",
        &["Campaign"],
        "Campaign",
        Some("Opportunities"),
    ));
    o.add_field(owner(false));
    o.add_audit_fields();
    o
}

fn campaign() -> ObjectDef {
    let mut o = ObjectDef::new("Campaign", "Campaign", "Campaigns", "701");
    o.enable_activities = true;
    o.add_field(F::string("Name", "Name", 80).required().name_field());
    o.add_field(F::reference(
        "ParentId",
        "Parent Campaign ID",
        &["Campaign"],
        "Parent",
        Some("ChildCampaigns"),
    ));
    o.add_field(pick(
        "Type",
        "Type",
        &[
            "Conference",
            "Webinar",
            "Trade Show",
            "Email",
            "Advertisement",
            "Other",
        ],
    ));
    o.add_field(pick(
        "Status",
        "Status",
        &["Planned", "In Progress", "Completed", "Aborted"],
    ));
    o.add_field(F::new("StartDate", "Start Date", T::Date));
    o.add_field(F::new("EndDate", "End Date", T::Date));
    o.add_field(F::number(
        "BudgetedCost",
        "Budgeted Cost in Campaign",
        T::Currency,
        18,
        0,
    ));
    o.add_field(F::number(
        "ActualCost",
        "Actual Cost in Campaign",
        T::Currency,
        18,
        0,
    ));
    o.add_field(F::new("IsActive", "Active", T::Boolean));
    o.add_field(F::textarea("Description", "Description", 32000));
    o.add_field(
        F::new("NumberOfLeads", "Leads in Campaign", T::Int)
            .readonly()
            .defaulted(),
    );
    o.add_field(
        F::new("NumberOfContacts", "Contacts in Campaign", T::Int)
            .readonly()
            .defaulted(),
    );
    o.add_field(owner(false));
    o.add_audit_fields();
    o
}

fn campaign_member() -> ObjectDef {
    let mut o = ObjectDef::new(
        "CampaignMember",
        "Campaign Member",
        "Campaign Members",
        "00v",
    );
    let mut camp = F::reference(
        "CampaignId",
        "Campaign ID",
        &["Campaign"],
        "Campaign",
        Some("CampaignMembers"),
    )
    .required();
    camp.updateable = false;
    camp.cascade_delete = true;
    o.add_field(camp);
    let mut lead = F::reference(
        "LeadId",
        "Lead ID",
        &["Lead"],
        "Lead",
        Some("CampaignMembers"),
    );
    lead.updateable = false;
    lead.cascade_delete = true;
    o.add_field(lead);
    let mut con = F::reference(
        "ContactId",
        "Contact ID",
        &["Contact"],
        "Contact",
        Some("CampaignMembers"),
    );
    con.updateable = false;
    con.cascade_delete = true;
    o.add_field(con);
    o.add_field(
        pick(
            "Status",
            "Status",
            &["Planned", "Received", "Responded", "Sent"],
        )
        .defaulted(),
    );
    o.add_field(F::new("HasResponded", "Responded", T::Boolean).readonly());
    o.add_field(F::new("FirstRespondedDate", "First Responded Date", T::Date).readonly());
    o.add_field(F::string("Name", "Name", 121).readonly().name_field());
    o.add_audit_fields();
    o
}

fn opportunity_contact_role() -> ObjectDef {
    let mut o = ObjectDef::new(
        "OpportunityContactRole",
        "Opportunity Contact Role",
        "Opportunity Contact Role",
        "00K",
    );
    let mut opp = F::reference(
        "OpportunityId",
        "Opportunity ID",
        &["Opportunity"],
        "Opportunity",
        Some("OpportunityContactRoles"),
    )
    .required();
    opp.updateable = false;
    opp.cascade_delete = true;
    o.add_field(opp);
    let mut con = F::reference(
        "ContactId",
        "Contact ID",
        &["Contact"],
        "Contact",
        Some("OpportunityContactRoles"),
    )
    .required();
    con.cascade_delete = true;
    o.add_field(con);
    o.add_field(pick(
        "Role",
        "Role",
        &[
            "Business User",
            "Decision Maker",
            "Economic Buyer",
            "Technical Buyer",
            "Influencer",
            "Other",
        ],
    ));
    o.add_field(F::new("IsPrimary", "Primary", T::Boolean));
    o.add_audit_fields();
    o
}

fn activity(name: &str, prefix: &str, child: &str) -> ObjectDef {
    let plural = format!("{name}s");
    let mut o = ObjectDef::new(name, name, &plural, prefix);
    let mut who = F::reference("WhoId", "Name ID", &["Contact", "Lead"], "Who", Some(child));
    who.cascade_delete = true;
    o.add_field(who);
    let mut what = F::reference(
        "WhatId",
        "Related To ID",
        &["Account", "Campaign", "Case", "Opportunity"],
        "What",
        Some(child),
    );
    what.cascade_delete = true;
    o.add_field(what);
    let mut subject = F::new("Subject", "Subject", T::Combobox);
    subject.name_field = true;
    o.add_field(subject);
    o.add_field(F::new("ActivityDate", "Due Date Only", T::Date));
    o.add_field(F::textarea("Description", "Description", 32000));
    o.add_field(pick("Type", "Type", &["Call", "Email", "Meeting", "Other"]));
    o.add_field(owner(true));
    o
}

fn task() -> ObjectDef {
    let mut o = activity("Task", "00T", "Tasks");
    let mut status = pick(
        "Status",
        "Status",
        &[
            "Not Started",
            "In Progress",
            "Completed",
            "Waiting on someone else",
            "Deferred",
        ],
    )
    .required()
    .defaulted();
    status.picklist[0].default = true;
    status.default_value = serde_json::json!("Not Started");
    o.add_field(status);
    let mut prio = pick("Priority", "Priority", &["High", "Normal", "Low"])
        .required()
        .defaulted();
    prio.picklist[1].default = true;
    prio.default_value = serde_json::json!("Normal");
    o.add_field(prio);
    o.add_field(F::new("IsClosed", "Closed", T::Boolean).readonly());
    o.add_field(pick(
        "TaskSubtype",
        "Task Subtype",
        &["Task", "Email", "Call"],
    ));
    o.add_field(F::new("CompletedDateTime", "Completed Date/Time", T::Datetime).readonly());
    o.add_audit_fields();
    o
}

fn event() -> ObjectDef {
    let mut o = activity("Event", "00U", "Events");
    o.add_field(F::new("StartDateTime", "Start Date Time", T::Datetime));
    o.add_field(F::new("EndDateTime", "End Date Time", T::Datetime));
    o.add_field(F::new("ActivityDateTime", "Due Date Time", T::Datetime));
    o.add_field(F::new("DurationInMinutes", "Duration", T::Int));
    o.add_field(F::string("Location", "Location", 255));
    o.add_field(F::new("IsAllDayEvent", "All-Day Event", T::Boolean));
    o.add_audit_fields();
    o
}

fn case() -> ObjectDef {
    let mut o = ObjectDef::new("Case", "Case", "Cases", "500");
    o.feed_enabled = true;
    o.enable_activities = true;
    let mut num = F::string("CaseNumber", "Case Number", 30)
        .readonly()
        .name_field()
        .defaulted();
    num.auto_number = true;
    num.nillable = false;
    o.add_field(num);
    o.add_field(F::reference(
        "ContactId",
        "Contact ID",
        &["Contact"],
        "Contact",
        Some("Cases"),
    ));
    o.add_field(F::reference(
        "AccountId",
        "Account ID",
        &["Account"],
        "Account",
        Some("Cases"),
    ));
    o.add_field(F::reference(
        "ParentId",
        "Parent Case ID",
        &["Case"],
        "Parent",
        Some("Cases"),
    ));
    o.add_field(F::string("Subject", "Subject", 255));
    o.add_field(F::textarea("Description", "Description", 32000));
    let mut status = pick(
        "Status",
        "Status",
        &["New", "Working", "Escalated", "Closed"],
    )
    .defaulted();
    status.picklist[0].default = true;
    status.default_value = serde_json::json!("New");
    o.add_field(status);
    let mut prio = pick("Priority", "Priority", &["High", "Medium", "Low"]).defaulted();
    prio.picklist[1].default = true;
    prio.default_value = serde_json::json!("Medium");
    o.add_field(prio);
    o.add_field(pick("Origin", "Case Origin", &["Phone", "Email", "Web"]));
    o.add_field(pick(
        "Type",
        "Case Type",
        &[
            "Mechanical",
            "Electrical",
            "Electronic",
            "Structural",
            "Other",
        ],
    ));
    o.add_field(pick(
        "Reason",
        "Case Reason",
        &[
            "Installation",
            "Equipment Complexity",
            "Performance",
            "Breakdown",
            "Other",
        ],
    ));
    o.add_field(F::new("IsClosed", "Closed", T::Boolean).readonly());
    o.add_field(F::new("ClosedDate", "Closed Date", T::Datetime).readonly());
    o.add_field(owner(true));
    o.add_audit_fields();
    o
}

fn user() -> ObjectDef {
    let mut o = ObjectDef::new("User", "User", "Users", "005");
    o.deletable = false;
    o.add_field(
        F::string("Username", "Username", 80)
            .required()
            .unique()
            .external_lookup(),
    );
    o.add_field(F::string("LastName", "Last Name", 80).required());
    o.add_field(F::string("FirstName", "First Name", 40));
    o.add_field(F::string("Name", "Full Name", 121).readonly().name_field());
    o.add_field(F::new("Email", "Email", T::Email).required());
    o.add_field(F::string("Alias", "Alias", 8).required());
    o.add_field(F::string("CommunityNickname", "Nickname", 40).defaulted());
    o.add_field(F::new("IsActive", "Active", T::Boolean));
    o.add_field(F::string("Title", "Title", 80));
    o.add_field(F::string("Department", "Department", 80));
    o.add_field(F::reference(
        "ManagerId",
        "Manager ID",
        &["User"],
        "Manager",
        Some("ManagedUsers"),
    ));
    o.add_field(
        pick(
            "TimeZoneSidKey",
            "Time Zone",
            &[
                "America/Los_Angeles",
                "America/New_York",
                "Europe/London",
                "GMT",
            ],
        )
        .required()
        .defaulted(),
    );
    o.add_field(
        pick(
            "LocaleSidKey",
            "Locale",
            &["en_US", "en_GB", "de_DE", "fr_FR"],
        )
        .required()
        .defaulted(),
    );
    o.add_field(
        pick(
            "EmailEncodingKey",
            "Email Encoding",
            &["UTF-8", "ISO-8859-1"],
        )
        .required()
        .defaulted(),
    );
    o.add_field(
        pick("LanguageLocaleKey", "Language", &["en_US", "de", "fr"])
            .required()
            .defaulted(),
    );
    o.add_audit_fields();
    o
}

fn assignment_rule() -> ObjectDef {
    let mut o = ObjectDef::new(
        "AssignmentRule",
        "Assignment Rule",
        "Assignment Rules",
        "01Q",
    );
    o.createable = false;
    o.updateable = false;
    o.deletable = false;
    o.add_field(F::string("Name", "Name", 120).readonly().name_field());
    o.add_field(F::new("Active", "Active", T::Boolean).readonly());
    o.add_field(pick("SobjectType", "Object", &["Case", "Lead"]).readonly());
    o.add_audit_fields();
    o
}

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
