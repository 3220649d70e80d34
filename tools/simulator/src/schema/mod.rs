//! The schema of a simulated org: objects and fields with exactly the attributes a describe
//! reports, built either from the seeded standard objects or from deployed metadata.

pub mod describe;
pub mod standard;

use chrono::{DateTime, Utc};

/// A describe field `type` (Partner WSDL `fieldType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Id,
    String,
    Textarea,
    Picklist,
    Multipicklist,
    Combobox,
    Reference,
    Boolean,
    Currency,
    Int,
    Double,
    Percent,
    Phone,
    Date,
    Datetime,
    Url,
    Email,
}

impl FieldType {
    /// The describe `type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Id => "id",
            FieldType::String => "string",
            FieldType::Textarea => "textarea",
            FieldType::Picklist => "picklist",
            FieldType::Multipicklist => "multipicklist",
            FieldType::Combobox => "combobox",
            FieldType::Reference => "reference",
            FieldType::Boolean => "boolean",
            FieldType::Currency => "currency",
            FieldType::Int => "int",
            FieldType::Double => "double",
            FieldType::Percent => "percent",
            FieldType::Phone => "phone",
            FieldType::Date => "date",
            FieldType::Datetime => "datetime",
            FieldType::Url => "url",
            FieldType::Email => "email",
        }
    }

    /// The describe `soapType` value.
    pub fn soap_type(self) -> &'static str {
        match self {
            FieldType::Id | FieldType::Reference => "tns:ID",
            FieldType::Boolean => "xsd:boolean",
            FieldType::Currency | FieldType::Double | FieldType::Percent => "xsd:double",
            FieldType::Int => "xsd:int",
            FieldType::Date => "xsd:date",
            FieldType::Datetime => "xsd:dateTime",
            _ => "xsd:string",
        }
    }

    /// Whether values are numbers (compared numerically, written unquoted in SOQL).
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            FieldType::Currency | FieldType::Double | FieldType::Percent | FieldType::Int
        )
    }

    /// Whether values are text of some kind (compared as strings, quoted in SOQL).
    pub fn is_textual(self) -> bool {
        !self.is_numeric()
            && !matches!(
                self,
                FieldType::Boolean | FieldType::Date | FieldType::Datetime
            )
    }

    /// The name SOQL type errors use ("dateTime", "double", ...).
    pub fn soql_name(self) -> &'static str {
        match self {
            FieldType::Datetime => "dateTime",
            FieldType::Int => "int",
            FieldType::Currency => "currency",
            FieldType::Percent => "percent",
            FieldType::Double => "double",
            FieldType::Boolean => "boolean",
            FieldType::Date => "date",
            other => other.as_str(),
        }
    }
}

/// Which field a record keeps outside its value slots (system audit fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SysField {
    Id,
    IsDeleted,
    CreatedDate,
    CreatedById,
    LastModifiedDate,
    LastModifiedById,
    SystemModstamp,
}

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
