//! The SOAP endpoint (`/services/Soap/m/{ver}`): envelope and SessionHeader, faults shaped as
//! SALESFORCE.md §3.1 shows, and the operations deploy, checkDeployStatus, cancelDeploy,
//! listMetadata, readMetadata and describeMetadata. Routing is on the body element, not the path.

mod catalog;

use base64::Engine;

use super::deploy::{self, Deploy, Phase};
use super::package;
use super::xml::{El, parse};
use crate::faults::FaultRule;
use crate::http::{Req, Resp};
use crate::rest::record;
use crate::state::State;
use catalog::{list, read};

const ENV_OPEN: &str = r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>"#;
const ENV_CLOSE: &str = "</soapenv:Body></soapenv:Envelope>";

fn xml_resp(status: u16, body: String) -> Resp {
    Resp::typed(status, "text/xml;charset=UTF-8", body.into_bytes())
}

/// A SOAP response wrapping `<{op}Response>` children.
fn ok(op: &str, results: Vec<El>) -> Resp {
    let mut inner = El::new(&format!("{op}Response"));
    inner.children = results;
    xml_resp(200, format!("{ENV_OPEN}{}{ENV_CLOSE}", inner.to_xml()))
}

/// A SOAP fault (HTTP 500) with `sf:{code}`.
pub fn fault(code: &str, message: &str) -> Resp {
    let detail = El::new("sf:UnexpectedErrorFault")
        .attr("xsi:type", "sf:UnexpectedErrorFault")
        .with(El::text("sf:exceptionCode", code))
        .with(El::text("sf:exceptionMessage", message));
    let f = El::new("soapenv:Fault")
        .with(El::text("faultcode", format!("sf:{code}")))
        .with(El::text("faultstring", format!("{code}: {message}")))
        .with(El::new("detail").with(detail));
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>{}</soapenv:Body></soapenv:Envelope>"#,
        f.to_xml()
    );
    xml_resp(500, body)
}

fn client_fault(message: &str) -> Resp {
    let f = El::new("soapenv:Fault")
        .with(El::text("faultcode", "soapenv:Client"))
        .with(El::text("faultstring", message));
    xml_resp(500, format!("{ENV_OPEN}{}{ENV_CLOSE}", f.to_xml()))
}

/// Starts a deploy of `zip` for `org_id`; returns its id.
pub fn start(st: &mut State, org_id: &str, zip: &[u8], opts: &El) -> String {
    let pkg = package::read(zip);
    let (user, name) = st
        .orgs
        .get(org_id)
        .map(|o| (o.admin_user_id.clone(), "Ada Admin".to_string()))
        .unwrap_or_default();
    let id = crate::ids::mint("0Af", st.rng.next_u64() % 1_000_000_000_000);
    let d = Deploy::new(id.clone(), org_id.to_string(), pkg, opts, (user, name));
    st.meta.deploys.insert(id.clone(), d);
    id
}

/// Handles one SOAP request.
pub fn entry(st: &mut State, r: &Req, fault_rule: Option<FaultRule>) -> Resp {
    let text = String::from_utf8_lossy(&r.body);
    let Ok(env) = parse(&text) else {
        return client_fault("Could not parse the SOAP envelope");
    };
    let session = env
        .child("Header")
        .and_then(|h| h.child("SessionHeader"))
        .and_then(|s| s.get("sessionId"))
        .unwrap_or_default()
        .to_string();
    let Some(op) = env.child("Body").and_then(|b| b.children.first()).cloned() else {
        return client_fault("The SOAP body is empty");
    };
    let tok = st.tokens.get(&session).cloned();
    let Some(tok) = tok.filter(|t| t.live && st.orgs.contains_key(&t.org_id)) else {
        if let Some(t) = st.tokens.get(&session).cloned() {
            record(
                st,
                &t.org_id,
                "metadata",
                "POST",
                &r.path,
                500,
                Some(t.handle),
            );
        }
        return fault(
            "INVALID_SESSION_ID",
            "Invalid Session ID found in SessionHeader: Illegal Session",
        );
    };
    let org_id = tok.org_id.clone();
    let resp = if let Some(f) = fault_rule {
        fault(&f.code(), &f.text())
    } else if st
        .orgs
        .get(&org_id)
        .is_some_and(|o| o.api_used >= o.api_max)
    {
        fault("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
    } else {
        if let Some(o) = st.orgs.get_mut(&org_id) {
            o.api_used += 1;
        }
        operation(st, &org_id, &op)
    };
    record(
        st,
        &org_id,
        "metadata",
        "POST",
        &format!("{}#{}", r.path, op.name),
        resp.status,
        Some(tok.handle),
    );
    resp
}

fn operation(st: &mut State, org_id: &str, op: &El) -> Resp {
    match op.name.as_str() {
        "deploy" => {
            let b64: String = op
                .get("ZipFile")
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let Ok(zip) = base64::engine::general_purpose::STANDARD.decode(b64.as_bytes()) else {
                return fault("INVALID_ZIP_FILE", "The zip file is not valid base64");
            };
            let opts = op.child("DeployOptions").cloned().unwrap_or_default();
            let id = start(st, org_id, &zip, &opts);
            let res = El::new("result")
                .with(El::text("done", "false"))
                .with(El::text("id", id))
                .with(El::text("state", "Queued"));
            ok("deploy", vec![res])
        }
        "checkDeployStatus" => {
            let id = op.get("asyncProcessId").unwrap_or_default().to_string();
            let details = op.flag("includeDetails").unwrap_or(false);
            if st.meta.deploys.get(&id).is_none_or(|d| d.org_id != org_id) {
                return fault(
                    "INVALID_CROSS_REFERENCE_KEY",
                    &format!("invalid cross reference id: {id}"),
                );
            }
            deploy::advance(st, &id);
            let Some(d) = st.meta.deploys.get(&id) else {
                return fault("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id");
            };
            ok("checkDeployStatus", vec![deploy::result_el(d, details)])
        }
        "cancelDeploy" => {
            let id = op
                .get("String")
                .or_else(|| op.get("asyncProcessId"))
                .unwrap_or_default()
                .to_string();
            let Some(d) = st.meta.deploys.get_mut(&id).filter(|d| d.org_id == org_id) else {
                return fault(
                    "INVALID_CROSS_REFERENCE_KEY",
                    &format!("invalid cross reference id: {id}"),
                );
            };
            if d.phase != Phase::Done {
                d.canceled = true;
                d.phase = Phase::Canceling;
                d.status = "Canceling".into();
            }
            let done = d.phase == Phase::Done;
            ok(
                "cancelDeploy",
                vec![
                    El::new("result")
                        .with(El::text("done", done.to_string()))
                        .with(El::text("id", id)),
                ],
            )
        }
        "listMetadata" => {
            let queries: Vec<&El> = op.all("queries").collect();
            if queries.len() > 3 {
                return fault(
                    "INVALID_TYPE",
                    "Too many queries: up to 3 ListMetadataQuery queries are allowed per call",
                );
            }
            let mut out = Vec::new();
            for q in queries {
                out.extend(list(
                    st,
                    org_id,
                    q.get("type").unwrap_or_default(),
                    q.get("folder"),
                ));
            }
            ok("listMetadata", out)
        }
        "readMetadata" => {
            let t = op.get("type").unwrap_or_default().to_string();
            let names: Vec<String> = op
                .all("fullNames")
                .map(|n| n.text.trim().to_string())
                .collect();
            if names.len() > 10 {
                return fault("LIMIT_EXCEEDED", "Too many full names: the limit is 10");
            }
            let mut res = El::new("result");
            for n in names {
                res.children.push(read(st, org_id, &t, &n));
            }
            ok("readMetadata", vec![res])
        }
        "describeMetadata" => {
            let mut res = El::new("result");
            for (dir, suffix, name, folder) in [
                ("objects", "object", "CustomObject", false),
                ("flows", "flow", "Flow", false),
                ("flowDefinitions", "flowDefinition", "FlowDefinition", false),
                (
                    "assignmentRules",
                    "assignmentRules",
                    "AssignmentRules",
                    false,
                ),
                ("reports", "report", "Report", true),
                ("dashboards", "dashboard", "Dashboard", true),
            ] {
                res.children.push(
                    El::new("metadataObjects")
                        .with(El::text("directoryName", dir))
                        .with(El::text("inFolder", folder.to_string()))
                        .with(El::text("metaFile", "false"))
                        .with(El::text("suffix", suffix))
                        .with(El::text("xmlName", name)),
                );
            }
            res.push_text("organizationNamespace", "");
            res.push_text("partialSaveAllowed", "true");
            res.push_text("testRequired", "false");
            ok("describeMetadata", vec![res])
        }
        other => client_fault(&format!(
            "No operation available for request {{http://soap.sforce.com/2006/04/metadata}}{other}"
        )),
    }
}
