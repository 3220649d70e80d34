//! A small element tree read with quick-xml, for SOAP responses and readMetadata records.
//!
//! Metadata API answers are small and shallow, and their types are many; a tree with
//! local names (namespace prefixes dropped) lets each result type pick the children it knows and
//! lets callers keep the rest generically, instead of binding hundreds of WSDL types.

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use serde_json::{Map, Value};

/// An element: local name, attributes (qualified names as written), children, text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct XmlNode {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub children: Vec<XmlNode>,
    /// The element's text; for elements with children it is the text between them, usually
    /// whitespace.
    pub text: String,
}

impl XmlNode {
    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&XmlNode> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a XmlNode> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child with this name.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// The text of a child, or "" when absent.
    pub fn string(&self, name: &str) -> String {
        self.text_of(name).unwrap_or_default().to_string()
    }

    /// The text of a child when present and not empty.
    pub fn opt_string(&self, name: &str) -> Option<String> {
        self.text_of(name)
            .filter(|t| !t.trim().is_empty())
            .map(str::to_string)
    }

    /// `true` when a child says `true`.
    pub fn flag(&self, name: &str) -> bool {
        self.text_of(name).is_some_and(|t| t.trim() == "true")
    }

    /// A numeric child; absent or malformed reads as 0.
    pub fn int(&self, name: &str) -> i64 {
        self.text_of(name)
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0)
    }

    /// A numeric child when present.
    pub fn opt_int(&self, name: &str) -> Option<i64> {
        self.text_of(name).and_then(|t| t.trim().parse().ok())
    }

    /// An attribute by its local name (`type` finds `xsi:type`).
    pub fn attribute(&self, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k.rsplit(':').next() == Some(local))
            .map(|(_, v)| v.as_str())
    }

    /// The element as JSON: leaves become strings, repeated children arrays, attributes are
    /// dropped except `xsi:type` (kept as `"@type"`).
    pub fn to_json(&self) -> Value {
        if self.children.is_empty() {
            return Value::from(self.text.clone());
        }
        let mut map = Map::new();
        if let Some(t) = self.attribute("type") {
            map.insert("@type".into(), Value::from(t));
        }
        for child in &self.children {
            let value = child.to_json();
            match map.get_mut(&child.name) {
                Some(Value::Array(items)) if self.children_named(&child.name).count() > 1 => {
                    items.push(value)
                }
                Some(existing) => {
                    let first = existing.take();
                    *existing = Value::Array(vec![first, value]);
                }
                None => {
                    map.insert(child.name.clone(), value);
                }
            }
        }
        Value::Object(map)
    }
}

/// Parses a document into its root element.
pub fn parse(text: &str) -> Result<XmlNode, String> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<XmlNode> = Vec::new();
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(start) => stack.push(element(&start)?),
            Event::Empty(start) => {
                let node = element(&start)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return Ok(node),
                }
            }
            Event::End(_) => {
                let node = stack.pop().ok_or("unbalanced end tag")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return Ok(node),
                }
            }
            Event::Text(t) => {
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let Some(node) = stack.last_mut() else {
                    continue;
                };
                if let Some(ch) = r.resolve_char_ref().map_err(|e| e.to_string())? {
                    node.text.push(ch);
                } else {
                    let name = r.xml10_content();
                    let resolved = resolve_predefined_entity(&name)
                        .ok_or_else(|| format!("unknown entity &{name};"))?;
                    node.text.push_str(resolved);
                }
            }
            Event::Eof => return Err("document ended before its root element closed".into()),
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
}

fn element(start: &quick_xml::events::BytesStart<'_>) -> Result<XmlNode, String> {
    let name = start.local_name().as_ref().to_string();
    let mut attributes = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let key = attr.key.as_ref().to_string();
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?
            .into_owned();
        attributes.push((key, value));
    }
    Ok(XmlNode {
        name,
        attributes,
        children: Vec::new(),
        text: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_and_char_refs_are_resolved_into_text() {
        let root = parse("<a><b>x &amp; y &#65;&lt;</b></a>").unwrap();
        assert_eq!(root.text_of("b"), Some("x & y A<"));
    }

    #[test]
    fn prefixes_are_dropped_from_element_names() {
        let root =
            parse(r#"<s:Env xmlns:s="u"><s:Body><r xsi:type="sf:X"/></s:Body></s:Env>"#).unwrap();
        assert_eq!(root.name, "Env");
        let r = root.child("Body").and_then(|b| b.child("r")).unwrap();
        assert_eq!(r.attribute("type"), Some("sf:X"));
    }

    #[test]
    fn repeated_children_become_json_arrays() {
        let root = parse("<r><f>1</f><f>2</f><f>3</f><g>x</g></r>").unwrap();
        assert_eq!(
            root.to_json(),
            serde_json::json!({"f": ["1", "2", "3"], "g": "x"})
        );
    }
}
