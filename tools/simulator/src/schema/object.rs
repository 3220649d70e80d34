//! Object definitions (describe attributes, fields, validation rules) and validation rules.

use chrono::{DateTime, Utc};

use super::{FieldDef, FieldType, SysField};

/// A validation rule attached to an object.
#[derive(Debug, Clone)]
pub struct ValidationRule {
    pub id: String,
    pub name: String,
    pub active: bool,
    pub formula: String,
    pub message: String,
    pub display_field: Option<String>,
    pub description: Option<String>,
    pub created: DateTime<Utc>,
}

/// One sObject's schema.
#[derive(Debug, Clone)]
pub struct ObjectDef {
    pub name: String,
    pub label: String,
    pub label_plural: String,
    pub key_prefix: String,
    pub custom: bool,
    pub fields: Vec<FieldDef>,
    pub sharing_model: String,
    pub deployment_status: String,
    pub createable: bool,
    pub updateable: bool,
    pub deletable: bool,
    pub queryable: bool,
    pub feed_enabled: bool,
    pub activateable: bool,
    pub mergeable: bool,
    pub enable_activities: bool,
    pub description: Option<String>,
    /// Bumped whenever the describe would change; drives `If-Modified-Since`.
    pub last_modified: DateTime<Utc>,
    pub created: DateTime<Utc>,
    /// Tooling `CustomObject` id (`01I...`) for custom objects.
    pub tooling_id: Option<String>,
    pub validation_rules: Vec<ValidationRule>,
    pub next_slot: u16,
}

impl ObjectDef {
    /// An object with the standard system fields (Id, IsDeleted, audit fields) already present.
    pub fn new(name: &str, label: &str, plural: &str, key_prefix: &str) -> Self {
        let now = Utc::now();
        let mut o = ObjectDef {
            name: name.to_string(),
            label: label.to_string(),
            label_plural: plural.to_string(),
            key_prefix: key_prefix.to_string(),
            custom: name.ends_with("__c"),
            fields: Vec::new(),
            sharing_model: "ReadWrite".to_string(),
            deployment_status: "Deployed".to_string(),
            createable: true,
            updateable: true,
            deletable: true,
            queryable: true,
            feed_enabled: false,
            activateable: false,
            mergeable: false,
            enable_activities: false,
            description: None,
            last_modified: now,
            created: now,
            tooling_id: None,
            validation_rules: Vec::new(),
            next_slot: 0,
        };
        o.add_field(
            FieldDef::new("Id", &format!("{label} ID"), FieldType::Id).system(SysField::Id),
        );
        o
    }

    /// Adds the audit fields every object ends with.
    pub fn add_audit_fields(&mut self) {
        let user = ["User"];
        let mut del =
            FieldDef::new("IsDeleted", "Deleted", FieldType::Boolean).system(SysField::IsDeleted);
        del.defaulted_on_create = true;
        self.add_field(del);
        self.add_field(
            FieldDef::new("CreatedDate", "Created Date", FieldType::Datetime)
                .system(SysField::CreatedDate)
                .required()
                .defaulted(),
        );
        self.add_field(
            FieldDef::reference("CreatedById", "Created By ID", &user, "CreatedBy", None)
                .system(SysField::CreatedById)
                .required()
                .defaulted(),
        );
        self.add_field(
            FieldDef::new(
                "LastModifiedDate",
                "Last Modified Date",
                FieldType::Datetime,
            )
            .system(SysField::LastModifiedDate)
            .required()
            .defaulted(),
        );
        self.add_field(
            FieldDef::reference(
                "LastModifiedById",
                "Last Modified By ID",
                &user,
                "LastModifiedBy",
                None,
            )
            .system(SysField::LastModifiedById)
            .required()
            .defaulted(),
        );
        self.add_field(
            FieldDef::new("SystemModstamp", "System Modstamp", FieldType::Datetime)
                .system(SysField::SystemModstamp)
                .required()
                .defaulted(),
        );
    }

    /// Adds a field, giving it a fresh value slot.
    pub fn add_field(&mut self, mut f: FieldDef) {
        f.slot = self.next_slot;
        self.next_slot += 1;
        self.fields.push(f);
    }

    /// The field named `name`, case-insensitively.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The reference field whose relationship name is `rel`, case-insensitively.
    pub fn relationship(&self, rel: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| {
            f.relationship_name
                .as_deref()
                .is_some_and(|r| r.eq_ignore_ascii_case(rel))
        })
    }

    /// Marks the describe as changed now (for `If-Modified-Since`). Describe dates have second
    /// precision, so the change time is rounded up: a client that read the describe earlier in
    /// the same second still sees the change.
    pub fn touch(&mut self) {
        let next = Utc::now().timestamp() + 1;
        let at = next.max(self.last_modified.timestamp() + 1);
        self.last_modified = DateTime::from_timestamp(at, 0).unwrap_or_else(Utc::now);
    }
}
