//! Small helpers over quick-xml's writer for Metadata API documents: every file is a
//! declaration, a root element in the metadata namespace, and children in WSDL order.

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

/// The namespace of every Metadata API document.
pub const METADATA_NS: &str = "http://soap.sforce.com/2006/04/metadata";

pub(crate) type W = Writer<Vec<u8>>;

/// `<?xml version="1.0" encoding="UTF-8"?>` and `<{root} xmlns="…">…</{root}>`, indented with
/// four spaces as Salesforce writes its own files.
pub(crate) fn document(
    root: &str,
    body: impl FnOnce(&mut W) -> io::Result<()>,
) -> io::Result<Vec<u8>> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 4);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element(root)
        .with_attribute(("xmlns", METADATA_NS))
        .write_inner_content(body)?;
    let mut out = w.into_inner();
    out.push(b'\n');
    Ok(out)
}

/// `<name>text</name>`, escaped.
pub(crate) fn leaf(w: &mut W, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

/// A leaf only when there is a value.
pub(crate) fn opt_leaf(w: &mut W, name: &str, text: Option<&str>) -> io::Result<()> {
    match text {
        Some(t) => leaf(w, name, t),
        None => Ok(()),
    }
}

/// `<name>true|false</name>`.
pub(crate) fn flag(w: &mut W, name: &str, value: bool) -> io::Result<()> {
    leaf(w, name, if value { "true" } else { "false" })
}

/// `<name>…</name>` around what `body` writes.
pub(crate) fn node(
    w: &mut W,
    name: &str,
    body: impl FnOnce(&mut W) -> io::Result<()>,
) -> io::Result<()> {
    w.create_element(name).write_inner_content(body)?;
    Ok(())
}
