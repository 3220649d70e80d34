//! Activities (Task, Event) and service objects (Case).

use super::{F, T, owner, pick};
use crate::schema::ObjectDef;

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

pub(super) fn task() -> ObjectDef {
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

pub(super) fn event() -> ObjectDef {
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

pub(super) fn case() -> ObjectDef {
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
