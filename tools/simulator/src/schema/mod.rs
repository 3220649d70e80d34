//! The schema of a simulated org: objects and fields with exactly the attributes a describe
//! reports, built either from the seeded standard objects or from deployed metadata.

pub mod describe;
mod field;
mod field_type;
mod object;
pub mod standard;

pub use field::{FieldDef, PicklistValue};
pub use field_type::{FieldType, SysField};
pub use object::{ObjectDef, ValidationRule};
