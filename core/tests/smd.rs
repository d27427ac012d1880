//! The published cases of sigs.k8s.io/structured-merge-diff (merge/*_test.go), ported as data
//! (core/tests/data/smd/cases.yaml) and run through the API server: each case's schema becomes
//! the `spec` of a CustomResourceDefinition, its applies and updates are PATCHes and PUTs by its
//! managers, and the final object, the managers' FieldsV1 sets and every expected conflict must
//! be exactly the library's.
#![allow(clippy::unwrap_used)]

use hakoniwa_core::apiserver::{Method, Request};
use hakoniwa_core::{Cluster, Timestamp};
use serde_json::{json, Value};

const PATH: &str = "/apis/smd.example.com/v1/namespaces/default/cases";

fn booted() -> Cluster {
    static BOOTED: std::sync::OnceLock<Cluster> = std::sync::OnceLock::new();
    BOOTED.get_or_init(|| Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap()).clone()
}

fn cases() -> Vec<Value> {
    let text = include_str!("data/smd/cases.yaml");
    let doc: Value = serde_yaml::from_str(text).unwrap();
    assert_eq!(doc["format"], 1);
    doc["cases"].as_array().cloned().unwrap_or_default()
}

fn crd(schema: &Value) -> Value {
    json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "cases.smd.example.com"},
        "spec": {"group": "smd.example.com", "scope": "Namespaced", "names": {"plural": "cases", "kind": "Case"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": schema}}}}]}})
}

fn object(spec: &Value) -> Value {
    json!({"apiVersion": "smd.example.com/v1", "kind": "Case", "metadata": {"name": "c"}, "spec": spec})
}

/// Runs one case; the first thing that differs from the library's expectation.
fn run(case: &Value) -> Result<(), String> {
    let mut c = booted();
    let r = c.api().handle(&Request::post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd(&case["schema"])));
    if r.status != 201 {
        return Err(format!("the CRD was refused: {:?}", r.json().map(|j| j["message"].clone())));
    }
    c.settle();
    for (i, op) in case["ops"].as_array().into_iter().flatten().enumerate() {
        let manager = op["manager"].as_str().unwrap_or_default();
        let body = object(&op["object"]);
        let req = match op["op"].as_str().unwrap_or_default() {
            kind @ ("apply" | "forceApply") => {
                let mut r = Request::new(Method::Patch, &format!("{PATH}/c")).with_bytes("application/apply-patch+yaml", serde_json::to_vec(&body).unwrap()).with_query("fieldManager", manager);
                if kind == "forceApply" {
                    r = r.with_query("force", "true");
                }
                r
            }
            "update" => {
                let exists = c.api().handle(&Request::get(&format!("{PATH}/c"))).status == 200;
                if exists {
                    Request::put(&format!("{PATH}/c"), body).with_query("fieldManager", manager)
                } else {
                    Request::post(PATH, body).with_query("fieldManager", manager)
                }
            }
            other => return Err(format!("op {i}: unknown op {other}")),
        };
        let r = c.api().handle(&req);
        let got = r.json().cloned().unwrap_or(Value::Null);
        match op["conflicts"].as_array() {
            Some(want) => {
                if r.status != 409 {
                    return Err(format!("op {i} ({manager}): want a conflict, got {} {}", r.status, got["message"]));
                }
                let mut found: Vec<(String, String)> = got["details"]["causes"].as_array().into_iter().flatten().map(|c| (c["field"].as_str().unwrap_or_default().to_string(), c["message"].as_str().unwrap_or_default().to_string())).collect();
                let mut wanted: Vec<(String, String)> = want.iter().map(|w| (w["path"].as_str().unwrap_or_default().to_string(), format!("conflict with \"{}\"", w["manager"].as_str().unwrap_or_default()))).collect();
                found.sort();
                wanted.sort();
                // Kubernetes adds `using <apiVersion>` for Update managers.
                let found: Vec<(String, String)> = found.into_iter().map(|(p, m)| (p, m.split(" using ").next().unwrap_or_default().to_string())).collect();
                if found != wanted {
                    return Err(format!("op {i} ({manager}): conflicts {found:?}, want {wanted:?}"));
                }
            }
            None => {
                if r.status >= 300 {
                    return Err(format!("op {i} ({manager}): {} {}", r.status, got["message"]));
                }
            }
        }
    }
    let live = c.api().handle(&Request::get(&format!("{PATH}/c"))).json().cloned().unwrap_or(Value::Null);
    let want_spec = if case["object"].is_null() { json!({}) } else { case["object"].clone() };
    let got_spec = live.get("spec").cloned().unwrap_or(json!({}));
    if got_spec != want_spec {
        return Err(format!("object {got_spec}, want {want_spec}"));
    }
    let mut got: Vec<(String, String, Value)> = live["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| (e["manager"].as_str().unwrap_or_default().to_string(), e["operation"].as_str().unwrap_or_default().to_string(), e["fieldsV1"]["f:spec"].clone()))
        .collect();
    let mut want: Vec<(String, String, Value)> = case["managed"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| (m["manager"].as_str().unwrap_or_default().to_string(), m["operation"].as_str().unwrap_or("Apply").to_string(), m["fields"].clone()))
        .collect();
    got.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    want.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    if got != want {
        let show = |v: &[(String, String, Value)]| v.iter().map(|(m, o, f)| format!("{m}/{o}: {f}")).collect::<Vec<_>>().join("\n      ");
        return Err(format!("managed fields\n    got:  {}\n    want: {}", show(&got), show(&want)));
    }
    Ok(())
}

#[test]
fn the_structured_merge_diff_cases_pass() {
    let all = cases();
    assert!(!all.is_empty());
    let mut failures = Vec::new();
    for case in &all {
        if let Err(why) = run(case) {
            failures.push(format!("{} ({}): {why}", case["name"].as_str().unwrap_or("?"), case["source"].as_str().unwrap_or("?")));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), all.len(), failures.join("\n"));
}
