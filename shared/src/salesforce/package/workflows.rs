//! Flows (`flows/X.flow`) and assignment rules (`assignmentRules/X.assignmentRules`).
//!
//! Flows come from the plan as Metadata XML (a Flow has dozens of element kinds), so their XML is
//! checked — well-formed, root `Flow` — and re-written through quick-xml rather than copied.
//! Assignment rules are small enough to be typed.

use std::io;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::PackageError;
use super::write::{METADATA_NS, W, flag, leaf, node, opt_leaf};

/// A flow given as Metadata API XML (`<Flow xmlns="…">…</Flow>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowSpec {
    /// `My_Flow`.
    pub api_name: String,
    pub xml: String,
}

/// The assignment rules of one object (`Lead`, `Case`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRulesSpec {
    pub object: String,
    pub content: AssignmentRulesContent,
}

/// Typed rules, or a whole `<AssignmentRules>` document from the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignmentRulesContent {
    Rules(Vec<AssignmentRuleSpec>),
    Xml(String),
}

/// One `assignmentRule`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRuleSpec {
    /// `Std_Lead`.
    pub name: String,
    pub active: bool,
    pub entries: Vec<RuleEntrySpec>,
}

/// One `ruleEntry`, evaluated in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RuleEntrySpec {
    /// A user or queue developer name.
    pub assigned_to: Option<String>,
    /// `User` or `Queue`.
    pub assigned_to_type: Option<String>,
    pub boolean_filter: Option<String>,
    pub criteria: Vec<CriteriaItem>,
    pub formula: Option<String>,
    pub template: Option<String>,
}

/// A `criteriaItems` entry: `Lead.Country equals US,CA`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriteriaItem {
    pub field: String,
    /// `equals`, `notEqual`, `lessThan`, `greaterThan`, `contains`, `startsWith`, ...
    pub operation: String,
    pub value: Option<String>,
    pub value_field: Option<String>,
}

pub(crate) fn write_assignment_rules(w: &mut W, rules: &[AssignmentRuleSpec]) -> io::Result<()> {
    for rule in rules {
        node(w, "assignmentRule", |w| {
            leaf(w, "fullName", &rule.name)?;
            flag(w, "active", rule.active)?;
            for entry in &rule.entries {
                node(w, "ruleEntry", |w| write_rule_entry(w, entry))?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

fn write_rule_entry(w: &mut W, e: &RuleEntrySpec) -> io::Result<()> {
    opt_leaf(w, "assignedTo", e.assigned_to.as_deref())?;
    opt_leaf(w, "assignedToType", e.assigned_to_type.as_deref())?;
    opt_leaf(w, "booleanFilter", e.boolean_filter.as_deref())?;
    for c in &e.criteria {
        node(w, "criteriaItems", |w| {
            leaf(w, "field", &c.field)?;
            leaf(w, "operation", &c.operation)?;
            opt_leaf(w, "value", c.value.as_deref())?;
            opt_leaf(w, "valueField", c.value_field.as_deref())
        })?;
    }
    opt_leaf(w, "formula", e.formula.as_deref())?;
    opt_leaf(w, "template", e.template.as_deref())
}

/// Re-writes a Metadata document given as text: it must be well-formed with root `root`; the
/// root gets the metadata namespace when it has none; the declaration is ours.
pub(crate) fn rewrite_document(xml: &str, root: &str, file: &str) -> Result<Vec<u8>, PackageError> {
    let invalid = |why: String| PackageError::InvalidXml {
        file: file.to_string(),
        reason: why,
    };
    let mut reader = Reader::from_str(xml);
    let mut w = quick_xml::Writer::new(Vec::new());
    w.write_event(Event::Decl(quick_xml::events::BytesDecl::new(
        "1.0",
        Some("UTF-8"),
        None,
    )))
    .map_err(|e| invalid(e.to_string()))?;
    w.get_mut().push(b'\n');
    let mut depth = 0usize;
    let mut seen_root = false;
    loop {
        let event = reader.read_event().map_err(|e| invalid(e.to_string()))?;
        match event {
            Event::Eof => break,
            Event::Decl(_) | Event::DocType(_) => continue,
            Event::Start(ref start) | Event::Empty(ref start) if depth == 0 => {
                if seen_root {
                    return Err(invalid("more than one root element".into()));
                }
                seen_root = true;
                let name = start.local_name().as_ref().to_string();
                if name != root {
                    return Err(invalid(format!("root element is {name}, expected {root}")));
                }
                let has_ns = start
                    .attributes()
                    .flatten()
                    .any(|a| a.key.as_ref() == "xmlns");
                let mut start = start.clone().into_owned();
                if !has_ns {
                    start.push_attribute(("xmlns", METADATA_NS));
                }
                if matches!(event, Event::Start(_)) {
                    depth += 1;
                    w.write_event(Event::Start(start))
                } else {
                    w.write_event(Event::Empty(start))
                }
                .map_err(|e| invalid(e.to_string()))?;
            }
            Event::Text(ref t) if depth == 0 => {
                if !t.xml10_content().trim().is_empty() {
                    return Err(invalid("text outside the root element".into()));
                }
            }
            other => {
                match &other {
                    Event::Start(_) => depth += 1,
                    Event::End(_) => depth = depth.saturating_sub(1),
                    _ => {}
                }
                w.write_event(other).map_err(|e| invalid(e.to_string()))?;
            }
        }
    }
    if !seen_root || depth != 0 {
        return Err(invalid("the document is incomplete".into()));
    }
    let mut out = w.into_inner();
    out.push(b'\n');
    Ok(out)
}
