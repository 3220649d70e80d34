//! template.yaml and the workspace agree: every function binary has a function in the template
//! and every template function builds a binary of the workspace; each HTTP group's documented
//! paths are routed to its own function.

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml_ng::Value;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// binary name → template function's HttpApi event paths
fn template_functions() -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let doc: Value = serde_yaml_ng::from_str(&text).unwrap();
    let mut out = BTreeMap::new();
    for (_, res) in doc["Resources"].as_mapping().unwrap() {
        if res["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        assert_eq!(
            res["Metadata"]["BuildMethod"].as_str(),
            Some("rust-cargolambda")
        );
        assert_eq!(
            res["Properties"]["CodeUri"].as_str(),
            Some("./"),
            "CodeUri must be the workspace root"
        );
        let binary = res["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .unwrap()
            .to_string();
        let mut paths = Vec::new();
        if let Some(events) = res["Properties"]["Events"].as_mapping() {
            for (_, ev) in events {
                if ev["Type"].as_str() == Some("HttpApi") {
                    paths.push(ev["Properties"]["Path"].as_str().unwrap().to_string());
                }
            }
        }
        out.insert(binary, paths);
    }
    out
}

/// The `[[bin]]` names of every crate under functions/.
fn workspace_binaries() -> Vec<String> {
    let mut bins = Vec::new();
    for entry in std::fs::read_dir(root().join("functions")).unwrap() {
        let manifest = std::fs::read_to_string(entry.unwrap().path().join("Cargo.toml")).unwrap();
        let mut in_bin = false;
        for line in manifest.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                in_bin = line == "[[bin]]";
            } else if in_bin && let Some(name) = line.strip_prefix("name = ") {
                bins.push(name.trim_matches('"').to_string());
            }
        }
    }
    bins.sort();
    bins
}

#[test]
fn every_function_binary_has_a_template_function_and_the_other_way_round() {
    let template: Vec<String> = template_functions().keys().cloned().collect();
    assert_eq!(workspace_binaries(), template);
}

#[test]
fn each_group_is_routed_to_its_own_function() {
    let functions = template_functions();
    for (group, api) in health::GROUPS {
        let binary = format!("api-{group}");
        let routed = functions
            .get(&binary)
            .unwrap_or_else(|| panic!("{binary} is not in template.yaml"));
        let doc = serde_json::to_value(shared::http::openapi::document(api())).unwrap();
        for path in doc["paths"].as_object().unwrap().keys() {
            let covered = routed.iter().any(|r| match r.strip_suffix("{proxy+}") {
                Some(prefix) => path.starts_with(prefix),
                None => r == path,
            });
            assert!(
                covered,
                "{path} of {group} is not routed to {binary} in template.yaml"
            );
        }
    }
}
