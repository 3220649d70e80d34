//! A small element tree over quick-xml: parse SOAP envelopes and metadata files into it (local
//! names, namespaces dropped), and write responses from it with proper escaping.

use quick_xml::Reader;
use quick_xml::escape::escape;
use quick_xml::events::Event;

/// An XML element with its text and children.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct El {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<El>,
}

impl El {
    /// An empty element.
    pub fn new(name: &str) -> El {
        El {
            name: name.to_string(),
            ..El::default()
        }
    }

    /// An element holding text.
    pub fn text(name: &str, text: impl Into<String>) -> El {
        El {
            name: name.to_string(),
            text: text.into(),
            ..El::default()
        }
    }

    /// Appends a child, builder style.
    pub fn with(mut self, child: El) -> El {
        self.children.push(child);
        self
    }

    /// Adds an attribute, builder style.
    pub fn attr(mut self, k: &str, v: &str) -> El {
        self.attrs.push((k.to_string(), v.to_string()));
        self
    }

    /// Appends a text child.
    pub fn push_text(&mut self, name: &str, text: impl Into<String>) {
        self.children.push(El::text(name, text));
    }

    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child named `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }

    /// A boolean child (`true`/`false`).
    pub fn flag(&self, name: &str) -> Option<bool> {
        self.get(name).map(|t| t.eq_ignore_ascii_case("true"))
    }

    /// Serialises the element.
    pub fn write(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in &self.attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("=\"");
            out.push_str(&escape(v.as_str()));
            out.push('"');
        }
        if self.children.is_empty() && self.text.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        out.push_str(&escape(self.text.as_str()));
        for c in &self.children {
            c.write(out);
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }

    /// The element as a string.
    pub fn to_xml(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }
}

fn local(name: &str) -> String {
    match name.rsplit_once(':') {
        Some((_, l)) => l.to_string(),
        None => name.to_string(),
    }
}

/// Parses a document into its root element.
pub fn parse(s: &str) -> Result<El, String> {
    let mut reader = Reader::from_str(s);
    let mut stack: Vec<El> = Vec::new();
    let mut root: Option<El> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let mut el = El::new(&local(e.name().as_ref()));
                for a in e.attributes().flatten() {
                    let v = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map(|c| c.into_owned())
                        .unwrap_or_default();
                    el.attrs.push((a.key.as_ref().to_string(), v));
                }
                stack.push(el);
            }
            Ok(Event::Empty(e)) => {
                let mut el = El::new(&local(e.name().as_ref()));
                for a in e.attributes().flatten() {
                    let v = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map(|c| c.into_owned())
                        .unwrap_or_default();
                    el.attrs.push((a.key.as_ref().to_string(), v));
                }
                match stack.last_mut() {
                    Some(p) => p.children.push(el),
                    None => root = Some(el),
                }
            }
            Ok(Event::Text(t)) => {
                if let Some(p) = stack.last_mut() {
                    p.text.push_str(&t.xml10_content());
                }
            }
            Ok(Event::CData(t)) => {
                if let Some(p) = stack.last_mut() {
                    p.text.push_str(&t.into_inner());
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let Some(p) = stack.last_mut() {
                    let name = r.xml10_content();
                    let ch = match name.as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => r.resolve_char_ref().ok().flatten(),
                    };
                    if let Some(c) = ch {
                        p.text.push(c);
                    }
                }
            }
            Ok(Event::End(_)) => {
                let Some(el) = stack.pop() else {
                    return Err("unbalanced end tag".into());
                };
                match stack.last_mut() {
                    Some(p) => p.children.push(el),
                    None => root = Some(el),
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("{e} at position {}", reader.buffer_position())),
        }
    }
    if !stack.is_empty() {
        return Err("unexpected end of document".into());
    }
    root.ok_or_else(|| "empty document".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_namespaced_elements_entities_and_writes_them_back_escaped() {
        let doc = r#"<?xml version="1.0"?><a:Root xmlns:a="x"><a:b>1 &amp; 2 &lt;3&gt;</a:b><c/><d k="v&quot;">t</d></a:Root>"#;
        let el = parse(doc).unwrap();
        assert_eq!(el.name, "Root");
        assert_eq!(el.get("b"), Some("1 & 2 <3>"));
        assert!(el.child("c").is_some());
        assert_eq!(el.child("d").unwrap().attrs[0].1, "v\"");
        let out = El::text("b", "1 & 2 <3>").to_xml();
        assert_eq!(out, "<b>1 &amp; 2 &lt;3&gt;</b>");
        assert_eq!(parse(&out).unwrap().text, "1 & 2 <3>");
        assert!(parse("<a><b></a>").is_err());
    }
}
