//! Marketing objects: Lead, Campaign and CampaignMember.

use super::{F, INDUSTRIES, LEAD_SOURCES, T, address, owner, pick};
use crate::schema::ObjectDef;

pub(super) fn lead() -> ObjectDef {
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

pub(super) fn campaign() -> ObjectDef {
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

pub(super) fn campaign_member() -> ObjectDef {
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
