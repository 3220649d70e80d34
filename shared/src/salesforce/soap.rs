//! The SOAP envelope of the Metadata API and its faults (SALESFORCE.md §3.1).
//!
//! Requests use the `met:` prefix for the metadata namespace and carry the access token as
//! `SessionHeader.sessionId`; responses use the metadata namespace as default namespace. A fault
//! comes as HTTP 500 with `faultcode` like `sf:INVALID_SESSION_ID`.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::client::SoapBody;
use super::error::SalesforceError;
use super::xml::{self, XmlNode};

pub(crate) const SOAPENV_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub(crate) const METADATA_NS: &str = "http://soap.sforce.com/2006/04/metadata";
pub(crate) const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The full request document: envelope, session header, and `body` inside `soapenv:Body`.
pub(crate) fn envelope(session_id: &str, body: &SoapBody) -> std::io::Result<Vec<u8>> {
    let mut w = Writer::new(Vec::new());
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("soapenv:Envelope")
        .with_attribute(("xmlns:soapenv", SOAPENV_NS))
        .with_attribute(("xmlns:met", METADATA_NS))
        .with_attribute(("xmlns:xsi", XSI_NS))
        .write_inner_content(|w| {
            w.create_element("soapenv:Header")
                .write_inner_content(|w| {
                    w.create_element("met:SessionHeader")
                        .write_inner_content(|w| {
                            w.create_element("met:sessionId")
                                .write_text_content(BytesText::new(session_id))?;
                            Ok(())
                        })?;
                    Ok(())
                })?;
            w.create_element("soapenv:Body").write_inner_content(body)?;
            Ok(())
        })?;
    Ok(w.into_inner())
}

/// Writes `<met:{name}>{text}</met:{name}>`.
pub(crate) fn text_element(w: &mut Writer<Vec<u8>>, name: &str, text: &str) -> std::io::Result<()> {
    w.create_element(format!("met:{name}"))
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

/// The fault in a SOAP response, when there is one.
pub(crate) fn parse_fault(status: u16, body: &[u8]) -> Option<SalesforceError> {
    let root = xml::parse(std::str::from_utf8(body).ok()?).ok()?;
    let fault = root.child("Body")?.child("Fault")?;
    Some(fault_error(status, fault))
}

fn fault_error(status: u16, fault: &XmlNode) -> SalesforceError {
    let faultcode = fault.string("faultcode");
    // `sf:INVALID_SESSION_ID` → `INVALID_SESSION_ID`; the detail's exceptionCode agrees.
    let code = fault
        .child("detail")
        .and_then(|d| d.children.first())
        .and_then(|f| f.opt_string("exceptionCode"))
        .unwrap_or_else(|| faultcode.rsplit(':').next().unwrap_or_default().to_string());
    SalesforceError::Fault {
        status,
        faultcode,
        code,
        message: fault.string("faultstring"),
    }
}

/// The `result` elements of a successful `{op}Response`.
pub(crate) fn response_results(body: &[u8], op: &str) -> Result<Vec<XmlNode>, SalesforceError> {
    let invalid = |why: &str| SalesforceError::InvalidResponse(format!("{op} response {why}"));
    let text = std::str::from_utf8(body).map_err(|_| invalid("was not UTF-8"))?;
    let root = xml::parse(text).map_err(|e| invalid(&format!("was not XML: {e}")))?;
    let body = root.child("Body").ok_or_else(|| invalid("had no Body"))?;
    if let Some(fault) = body.child("Fault") {
        return Err(fault_error(200, fault));
    }
    let response = body
        .child(&format!("{op}Response"))
        .ok_or_else(|| invalid(&format!("had no {op}Response")))?;
    Ok(response.children_named("result").cloned().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_id_is_escaped_into_the_header() {
        let body: Box<SoapBody> = Box::new(|w| text_element(w, "x", "1"));
        let doc = String::from_utf8(envelope("00D!a<b", body.as_ref()).unwrap()).unwrap();
        assert!(
            doc.contains("<met:sessionId>00D!a&lt;b</met:sessionId>"),
            "{doc}"
        );
        assert!(
            doc.contains("<soapenv:Body><met:x>1</met:x></soapenv:Body>"),
            "{doc}"
        );
    }

    #[test]
    fn a_fault_without_detail_takes_its_code_from_faultcode() {
        let body = br#"<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_TYPE</faultcode><faultstring>INVALID_TYPE: nope</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#;
        let e = parse_fault(500, body).unwrap();
        assert_eq!(e.code(), Some("INVALID_TYPE"));
        assert!(!e.is_invalid_session());
    }
}
