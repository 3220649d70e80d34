//! JSON whose object keys keep their insertion order (records list `attributes` first, then the
//! selected fields in SELECT order, as Salesforce does), without changing serde_json features
//! for the whole workspace.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

/// An ordered JSON value.
#[derive(Debug, Clone)]
pub enum J {
    V(Value),
    O(Vec<(String, J)>),
    A(Vec<J>),
}

impl J {
    /// An ordered object from pairs.
    pub fn obj(pairs: Vec<(&str, J)>) -> J {
        J::O(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    /// Converts to a plain (sorted) serde_json value.
    pub fn into_value(self) -> Value {
        match self {
            J::V(v) => v,
            J::O(m) => Value::Object(m.into_iter().map(|(k, v)| (k, v.into_value())).collect()),
            J::A(a) => Value::Array(a.into_iter().map(J::into_value).collect()),
        }
    }

    /// Serialises to bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl From<Value> for J {
    fn from(v: Value) -> Self {
        J::V(v)
    }
}

impl Serialize for J {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            J::V(v) => v.serialize(s),
            J::O(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            J::A(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
        }
    }
}
