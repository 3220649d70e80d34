//! Custom objects, custom fields and validation rules (`objects/X.object`), per SALESFORCE.md
//! §3.5: children in the WSDL's (alphabetical) order, type-specific members per the table there
//! (a TextArea has no length, a MasterDetail no `required` or `deleteConstraint`).

/// A new custom object with its fields and validation rules.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomObjectSpec {
    /// `Foo__c`.
    pub api_name: String,
    pub label: String,
    /// Defaults to `{label}s`.
    pub plural_label: Option<String>,
    pub description: Option<String>,
    /// Defaults to a Text name field labelled `{label} Name`.
    pub name_field: Option<NameField>,
    /// Defaults to `ReadWrite`, and is always `ControlledByParent` when a field is MasterDetail.
    pub sharing_model: Option<SharingModel>,
    pub enable_activities: Option<bool>,
    pub enable_history: Option<bool>,
    pub enable_reports: Option<bool>,
    pub enable_search: Option<bool>,
    pub fields: Vec<FieldSpec>,
    pub validation_rules: Vec<ValidationRuleSpec>,
}

impl CustomObjectSpec {
    pub fn new(api_name: &str, label: &str) -> Self {
        CustomObjectSpec {
            api_name: api_name.to_string(),
            label: label.to_string(),
            plural_label: None,
            description: None,
            name_field: None,
            sharing_model: None,
            enable_activities: None,
            enable_history: None,
            enable_reports: None,
            enable_search: None,
            fields: Vec::new(),
            validation_rules: Vec::new(),
        }
    }

    /// The sharing model written: a detail object must be `ControlledByParent`.
    pub fn effective_sharing_model(&self) -> SharingModel {
        if self
            .fields
            .iter()
            .any(|f| matches!(f.field_type, FieldType::MasterDetail { .. }))
        {
            SharingModel::ControlledByParent
        } else {
            self.sharing_model.unwrap_or(SharingModel::ReadWrite)
        }
    }
}

/// New fields and validation rules on an object that already exists (standard or custom): the
/// `.object` file then carries only those.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectChangesSpec {
    /// `Account`, `Foo__c`.
    pub object: String,
    pub fields: Vec<FieldSpec>,
    pub validation_rules: Vec<ValidationRuleSpec>,
}

/// The object's name field.
#[derive(Debug, Clone, PartialEq)]
pub enum NameField {
    Text {
        label: String,
    },
    AutoNumber {
        label: String,
        /// With `{0}`, e.g. `INV-{0000}`.
        display_format: String,
        starting_number: Option<u32>,
    },
}

/// `sharingModel` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharingModel {
    Private,
    Read,
    ReadWrite,
    ReadWriteTransfer,
    FullAccess,
    ControlledByParent,
}

impl SharingModel {
    pub fn as_str(self) -> &'static str {
        match self {
            SharingModel::Private => "Private",
            SharingModel::Read => "Read",
            SharingModel::ReadWrite => "ReadWrite",
            SharingModel::ReadWriteTransfer => "ReadWriteTransfer",
            SharingModel::FullAccess => "FullAccess",
            SharingModel::ControlledByParent => "ControlledByParent",
        }
    }
}

/// A custom field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    /// `Bar__c` (without the object).
    pub api_name: String,
    pub label: String,
    pub field_type: FieldType,
    /// Ignored for Checkbox and MasterDetail, which Salesforce refuses it on.
    pub required: bool,
    pub external_id: bool,
    pub unique: bool,
    pub description: Option<String>,
    pub inline_help_text: Option<String>,
}

impl FieldSpec {
    pub fn new(api_name: &str, label: &str, field_type: FieldType) -> Self {
        FieldSpec {
            api_name: api_name.to_string(),
            label: label.to_string(),
            field_type,
            required: false,
            external_id: false,
            unique: false,
            description: None,
            inline_help_text: None,
        }
    }
}

/// A field's type with the members that type needs.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    Text {
        length: u32,
    },
    /// 255 characters; Salesforce refuses a length on it.
    TextArea,
    LongTextArea {
        length: u32,
        visible_lines: u32,
    },
    Number {
        precision: u32,
        scale: u32,
    },
    Currency {
        precision: u32,
        scale: u32,
    },
    Percent {
        precision: u32,
        scale: u32,
    },
    Checkbox {
        default: bool,
    },
    Date,
    DateTime,
    Email,
    Phone,
    Url,
    Picklist {
        values: Vec<PicklistValue>,
        restricted: bool,
        sorted: bool,
    },
    MultiselectPicklist {
        values: Vec<PicklistValue>,
        restricted: bool,
        sorted: bool,
        visible_lines: u32,
    },
    Lookup {
        reference_to: String,
        /// `Foo` (Salesforce adds `__r`).
        relationship_name: String,
        /// Defaults to the field's label.
        relationship_label: Option<String>,
        delete_constraint: DeleteConstraint,
    },
    MasterDetail {
        reference_to: String,
        relationship_name: String,
        relationship_label: Option<String>,
        /// 0 or 1 (the second master-detail of a junction object).
        relationship_order: Option<u8>,
    },
}

impl FieldType {
    /// The Metadata `<type>`.
    pub fn metadata_name(&self) -> &'static str {
        match self {
            FieldType::Text { .. } => "Text",
            FieldType::TextArea => "TextArea",
            FieldType::LongTextArea { .. } => "LongTextArea",
            FieldType::Number { .. } => "Number",
            FieldType::Currency { .. } => "Currency",
            FieldType::Percent { .. } => "Percent",
            FieldType::Checkbox { .. } => "Checkbox",
            FieldType::Date => "Date",
            FieldType::DateTime => "DateTime",
            FieldType::Email => "Email",
            FieldType::Phone => "Phone",
            FieldType::Url => "Url",
            FieldType::Picklist { .. } => "Picklist",
            FieldType::MultiselectPicklist { .. } => "MultiselectPicklist",
            FieldType::Lookup { .. } => "Lookup",
            FieldType::MasterDetail { .. } => "MasterDetail",
        }
    }

    /// The describe `type` Salesforce reports for such a field (SALESFORCE.md §1.2).
    pub fn describe_type(&self) -> &'static str {
        match self {
            FieldType::Text { .. } => "string",
            FieldType::TextArea | FieldType::LongTextArea { .. } => "textarea",
            FieldType::Number { .. } => "double",
            FieldType::Currency { .. } => "currency",
            FieldType::Percent { .. } => "percent",
            FieldType::Checkbox { .. } => "boolean",
            FieldType::Date => "date",
            FieldType::DateTime => "datetime",
            FieldType::Email => "email",
            FieldType::Phone => "phone",
            FieldType::Url => "url",
            FieldType::Picklist { .. } => "picklist",
            FieldType::MultiselectPicklist { .. } => "multipicklist",
            FieldType::Lookup { .. } | FieldType::MasterDetail { .. } => "reference",
        }
    }
}

/// A picklist entry (`CustomValue`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PicklistValue {
    pub full_name: String,
    pub label: String,
    pub default: bool,
}

impl PicklistValue {
    /// A value whose label is its name.
    pub fn new(value: &str, default: bool) -> Self {
        PicklistValue {
            full_name: value.to_string(),
            label: value.to_string(),
            default,
        }
    }
}

/// What a Lookup does when its target is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteConstraint {
    SetNull,
    Restrict,
    Cascade,
}

impl DeleteConstraint {
    pub fn as_str(self) -> &'static str {
        match self {
            DeleteConstraint::SetNull => "SetNull",
            DeleteConstraint::Restrict => "Restrict",
            DeleteConstraint::Cascade => "Cascade",
        }
    }
}

/// A validation rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationRuleSpec {
    /// `My_Rule` (without the object).
    pub name: String,
    pub active: bool,
    pub description: Option<String>,
    pub error_condition_formula: String,
    pub error_display_field: Option<String>,
    pub error_message: String,
}
