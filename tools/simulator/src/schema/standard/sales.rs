//! Sales objects: Account, Contact, Opportunity and OpportunityContactRole.

use super::{F, INDUSTRIES, LEAD_SOURCES, STAGES, T, address, owner, pick};
use crate::schema::ObjectDef;

pub(super) fn account() -> ObjectDef {
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

pub(super) fn contact() -> ObjectDef {
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

pub(super) fn opportunity() -> ObjectDef {
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

pub(super) fn opportunity_contact_role() -> ObjectDef {
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
