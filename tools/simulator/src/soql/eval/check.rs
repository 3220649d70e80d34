//! Schema checks of a parsed query: relationship paths, literal types against field types, and
//! WHERE conditions, with Salesforce's INVALID_FIELD / INVALID_TYPE messages.

use crate::ids;
use crate::schema::{FieldDef, FieldType, ObjectDef};
use crate::soql::QueryError;
use crate::soql::parser::{Cond, Lit, Op, Path};
use crate::store::Org;

const NO_COLUMN_TAIL: &str = "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";

/// Resolves a path's final field type, checking every relationship on the way.
pub(super) fn check_path<'a>(
    org: &'a Org,
    def: &'a ObjectDef,
    path: &Path,
    q: &str,
) -> Result<&'a FieldDef, QueryError> {
    let mut cur: Vec<&ObjectDef> = vec![def];
    let n = path.parts.len();
    for (i, part) in path.parts.iter().enumerate() {
        if i + 1 == n {
            return cur.iter().find_map(|o| o.field(part)).ok_or_else(|| {
                QueryError::at(
                    "INVALID_FIELD",
                    q,
                    path.col,
                    &format!(
                        "No such column '{part}' on entity '{}'. {NO_COLUMN_TAIL}",
                        cur[0].name
                    ),
                )
            });
        }
        let rel = cur.iter().find_map(|o| o.relationship(part)).ok_or_else(|| {
            QueryError::at(
                "INVALID_FIELD",
                q,
                path.col,
                &format!("Didn't understand relationship '{part}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."),
            )
        })?;
        let next: Vec<&ObjectDef> = rel
            .reference_to
            .iter()
            .filter_map(|t| org.object(t).map(|o| &o.def))
            .collect();
        if next.is_empty() {
            return Err(QueryError::at(
                "INVALID_FIELD",
                q,
                path.col,
                &format!("Didn't understand relationship '{part}' in field path."),
            ));
        }
        cur = next;
    }
    Err(QueryError::at(
        "MALFORMED_QUERY",
        q,
        path.col,
        "unexpected token: <EOF>",
    ))
}

fn type_error(f: &FieldDef, quoted: bool) -> String {
    let t = if f.ftype.is_textual() && !matches!(f.ftype, FieldType::Id | FieldType::Reference) {
        "string"
    } else {
        f.ftype.soql_name()
    };
    if f.ftype.is_textual() {
        format!(
            "value of filter criterion for field '{}' must be of type {t} and should be enclosed in quotes",
            f.name
        )
    } else if quoted {
        format!(
            "value of filter criterion for field '{}' must be of type {t} and should not be enclosed in quotes",
            f.name
        )
    } else {
        format!(
            "value of filter criterion for field '{}' must be of type {t}",
            f.name
        )
    }
}

fn check_lit(f: &FieldDef, lit: &Lit, q: &str, col: usize) -> Result<(), QueryError> {
    let t = f.ftype;
    let ok = match lit {
        Lit::Null => true,
        Lit::Range(..) => matches!(t, FieldType::Date | FieldType::Datetime),
        Lit::Num(_) => t.is_numeric(),
        Lit::Bool(_) => t == FieldType::Boolean,
        Lit::Date(_) => t == FieldType::Date,
        Lit::DateTime(_) => t == FieldType::Datetime,
        Lit::Str(s) => {
            if matches!(t, FieldType::Id | FieldType::Reference)
                && ids::normalize(s).is_none()
                && !s.is_empty()
            {
                return Err(QueryError::at(
                    "INVALID_QUERY_FILTER_OPERATOR",
                    q,
                    col,
                    &format!("invalid ID field: {s}"),
                ));
            }
            t.is_textual()
        }
    };
    if ok {
        Ok(())
    } else {
        Err(QueryError::at(
            "INVALID_FIELD",
            q,
            col,
            &type_error(f, matches!(lit, Lit::Str(_))),
        ))
    }
}

pub(super) fn check_cond(org: &Org, def: &ObjectDef, c: &Cond, q: &str) -> Result<(), QueryError> {
    match c {
        Cond::And(v) | Cond::Or(v) => v.iter().try_for_each(|c| check_cond(org, def, c, q)),
        Cond::Not(c) => check_cond(org, def, c, q),
        Cond::Cmp {
            path,
            op,
            lit,
            lit_col,
        } => {
            let f = check_path(org, def, path, q)?;
            if *op == Op::Like && !f.ftype.is_textual() {
                return Err(QueryError::at(
                    "INVALID_FIELD",
                    q,
                    path.col,
                    &format!("invalid operator on field '{}'", f.name),
                ));
            }
            check_lit(f, lit, q, *lit_col)
        }
        Cond::In {
            path,
            lits,
            lit_col,
            ..
        } => {
            let f = check_path(org, def, path, q)?;
            lits.iter().try_for_each(|l| check_lit(f, l, q, *lit_col))
        }
        Cond::Includes { path, .. } => {
            let f = check_path(org, def, path, q)?;
            if f.ftype != FieldType::Multipicklist {
                return Err(QueryError::at(
                    "INVALID_FIELD",
                    q,
                    path.col,
                    "includes or excludes operator only valid on multipicklist field",
                ));
            }
            Ok(())
        }
    }
}
