//! Setup objects: User and AssignmentRule.

use super::{F, T, pick};
use crate::schema::ObjectDef;

pub(super) fn user() -> ObjectDef {
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

pub(super) fn assignment_rule() -> ObjectDef {
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
