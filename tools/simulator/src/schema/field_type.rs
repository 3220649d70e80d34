//! Field types (describe `type`, SOAP type, SOQL name) and the system fields a record keeps
//! outside its value slots.

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
