//! Field definitions with their describe attributes, and the builders the standard objects and
//! deployed metadata use.

use chrono::{DateTime, Utc};

use super::{FieldType, SysField};

/// One picklist entry as describe reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct PicklistValue {
    pub value: String,
    pub label: String,
    pub active: bool,
    pub default: bool,
}

/// One field of an object, holding every describe attribute the simulator reports.
#[derive(Debug, Clone)]
pub struct FieldDef {
    pub name: String,
    pub label: String,
    pub ftype: FieldType,
    pub length: u32,
    pub byte_length: u32,
    pub precision: u32,
    pub scale: u32,
    pub digits: u32,
    pub nillable: bool,
    pub createable: bool,
    pub updateable: bool,
    pub defaulted_on_create: bool,
    pub unique: bool,
    pub external_id: bool,
    pub id_lookup: bool,
    pub name_field: bool,
    pub custom: bool,
    pub calculated: bool,
    pub calculated_formula: Option<String>,
    pub auto_number: bool,
    pub case_sensitive: bool,
    pub html_formatted: bool,
    pub cascade_delete: bool,
    pub restricted_delete: bool,
    pub restricted_picklist: bool,
    pub extra_type_info: Option<&'static str>,
    pub default_value: serde_json::Value,
    pub picklist: Vec<PicklistValue>,
    pub reference_to: Vec<String>,
    pub relationship_name: Option<String>,
    pub relationship_order: Option<u32>,
    /// The name of the child relationship this reference creates on its parent (`Contacts`).
    pub child_relationship_name: Option<String>,
    pub polymorphic: bool,
    pub write_requires_master_read: bool,
    pub inline_help_text: Option<String>,
    pub description: Option<String>,
    pub visible_lines: Option<u32>,
    pub delete_constraint: Option<String>,
    /// AutoNumber display format (`A-{0000}`).
    pub display_format: Option<String>,
    /// Metadata type the field was deployed as (`Text`, `LongTextArea`, `MasterDetail`, ...).
    pub meta_type: Option<String>,
    /// Where the value lives: a system attribute of the record, or a value slot.
    pub sys: Option<SysField>,
    pub slot: u16,
    /// Tooling `CustomField` id (`00N...`) for custom fields.
    pub tooling_id: Option<String>,
    pub created: DateTime<Utc>,
}

impl FieldDef {
    /// A field of `ftype` with the lengths and flags the §1.2 type table gives that type.
    pub fn new(name: &str, label: &str, ftype: FieldType) -> Self {
        let (length, byte_length) = match ftype {
            FieldType::Id | FieldType::Reference => (18, 18),
            FieldType::String | FieldType::Combobox => (255, 765),
            FieldType::Textarea => (255, 765),
            FieldType::Picklist | FieldType::Url => (255, 765),
            FieldType::Multipicklist => (4099, 4099),
            FieldType::Email => (80, 240),
            FieldType::Phone => (40, 120),
            _ => (0, 0),
        };
        let mut f = FieldDef {
            name: name.to_string(),
            label: label.to_string(),
            ftype,
            length,
            byte_length,
            precision: 0,
            scale: 0,
            digits: if ftype == FieldType::Int { 9 } else { 0 },
            nillable: true,
            createable: true,
            updateable: true,
            defaulted_on_create: false,
            unique: false,
            external_id: false,
            id_lookup: false,
            name_field: false,
            custom: name.ends_with("__c"),
            calculated: false,
            calculated_formula: None,
            auto_number: false,
            case_sensitive: false,
            html_formatted: false,
            cascade_delete: false,
            restricted_delete: false,
            restricted_picklist: false,
            extra_type_info: if ftype == FieldType::Textarea {
                Some("plaintextarea")
            } else {
                None
            },
            default_value: serde_json::Value::Null,
            picklist: Vec::new(),
            reference_to: Vec::new(),
            relationship_name: None,
            relationship_order: None,
            child_relationship_name: None,
            polymorphic: false,
            write_requires_master_read: false,
            inline_help_text: None,
            description: None,
            visible_lines: None,
            delete_constraint: None,
            display_format: None,
            meta_type: None,
            sys: None,
            slot: 0,
            tooling_id: None,
            created: Utc::now(),
        };
        if ftype == FieldType::Boolean {
            f.nillable = false;
            f.defaulted_on_create = true;
            f.default_value = serde_json::Value::Bool(false);
        }
        if ftype == FieldType::Id {
            f.nillable = false;
            f.createable = false;
            f.updateable = false;
            f.defaulted_on_create = true;
            f.id_lookup = true;
        }
        f
    }

    /// A text field of `len` characters.
    pub fn string(name: &str, label: &str, len: u32) -> Self {
        let mut f = Self::new(name, label, FieldType::String);
        f.length = len;
        f.byte_length = len * 3;
        f
    }

    /// A long or plain text area of `len` characters.
    pub fn textarea(name: &str, label: &str, len: u32) -> Self {
        let mut f = Self::new(name, label, FieldType::Textarea);
        f.length = len;
        f.byte_length = len * 3;
        f
    }

    /// A number-like field (double, currency, percent) with precision and scale.
    pub fn number(name: &str, label: &str, ftype: FieldType, precision: u32, scale: u32) -> Self {
        let mut f = Self::new(name, label, ftype);
        f.precision = precision;
        f.scale = scale;
        f
    }

    /// A picklist with the given values (the first is not marked default).
    pub fn picklist(name: &str, label: &str, values: &[&str]) -> Self {
        let mut f = Self::new(name, label, FieldType::Picklist);
        f.picklist = values
            .iter()
            .map(|v| PicklistValue {
                value: v.to_string(),
                label: v.to_string(),
                active: true,
                default: false,
            })
            .collect();
        f
    }

    /// A lookup to `to` with relationship name `rel` and the parent's child relationship `child`.
    pub fn reference(name: &str, label: &str, to: &[&str], rel: &str, child: Option<&str>) -> Self {
        let mut f = Self::new(name, label, FieldType::Reference);
        f.reference_to = to.iter().map(|s| s.to_string()).collect();
        f.relationship_name = Some(rel.to_string());
        f.child_relationship_name = child.map(str::to_string);
        f.polymorphic = to.len() > 1;
        f
    }

    /// Marks the field required (not nillable).
    pub fn required(mut self) -> Self {
        self.nillable = false;
        self
    }

    /// Marks the field read-only (neither createable nor updateable).
    pub fn readonly(mut self) -> Self {
        self.createable = false;
        self.updateable = false;
        self
    }

    /// Marks the field defaulted on create (Salesforce fills it in).
    pub fn defaulted(mut self) -> Self {
        self.defaulted_on_create = true;
        self
    }

    /// Marks the field the object's name field.
    pub fn name_field(mut self) -> Self {
        self.name_field = true;
        self.id_lookup = true;
        self
    }

    /// Marks the field a (non-unique) external id.
    pub fn external(mut self) -> Self {
        self.external_id = true;
        self.id_lookup = true;
        self
    }

    /// Marks the field unique.
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// A system field kept on the record itself.
    pub fn system(mut self, sys: SysField) -> Self {
        self.sys = Some(sys);
        self.createable = false;
        self.updateable = false;
        self
    }

    /// Whether the field is indexed for duplicate and external-id look-ups.
    pub fn indexed(&self) -> bool {
        self.unique || self.external_id
    }
}
