//! CustomResourceDefinition: defaults, the status the server starts it with, and validation
//! with the apiextensions server's paths and words. Errors name the internal type's fields:
//! when every version shares one schema, subresources and printer columns, they sit at the
//! top (`spec.validation.openAPIV3Schema`, `spec.additionalPrinterColumns[0]`), as they do in
//! the real server after conversion.

use serde_json::{json, Value};

use crate::api::field::{BadValue, FieldError, Path};
use crate::apiserver::crd::{condition, schema};
use crate::apiserver::strategy::Strategy;
use crate::apiserver::validation::names::{dns1035_label, dns1123_subdomain};

pub struct CustomResourceDefinitionStrategy;

/// The annotation a CRD in a Kubernetes group (`*.k8s.io`, `*.kubernetes.io`) needs.
const APPROVAL: &str = "api-approved.kubernetes.io";

fn storage_version(obj: &Value) -> Option<&str> {
    obj["spec"]["versions"].as_array().into_iter().flatten().find(|v| v["storage"] == true).and_then(|v| v["name"].as_str())
}

impl Strategy for CustomResourceDefinitionStrategy {
    fn has_status(&self) -> bool {
        true
    }

    fn tracks_generation(&self) -> bool {
        true
    }

    fn default(&self, obj: &mut Value) {
        let names = &mut obj["spec"]["names"];
        if names.is_object() {
            let kind = names["kind"].as_str().unwrap_or_default().to_string();
            if names["singular"].as_str().unwrap_or_default().is_empty() && !kind.is_empty() {
                names["singular"] = json!(kind.to_lowercase());
            }
            if names["listKind"].as_str().unwrap_or_default().is_empty() && !kind.is_empty() {
                names["listKind"] = json!(format!("{kind}List"));
            }
        }
        if obj["spec"].is_object() && obj["spec"]["conversion"].is_null() {
            obj["spec"]["conversion"] = json!({"strategy": "None"});
        }
    }

    fn prepare_for_create(&self, obj: &mut Value) {
        let stored: Vec<Value> = storage_version(obj).map(|v| json!(v)).into_iter().collect();
        obj["status"] = json!({"conditions": null, "acceptedNames": {"plural": "", "kind": ""}, "storedVersions": stored});
    }

    fn prepare_for_update(&self, new: &mut Value, _old: &Value) {
        // The storage version joins storedVersions; only a status write removes entries.
        if let Some(v) = storage_version(new).map(str::to_string) {
            let stored = &mut new["status"]["storedVersions"];
            if !stored.is_array() {
                *stored = json!([]);
            }
            if let Some(list) = stored.as_array_mut() {
                if !list.iter().any(|s| s == v.as_str()) {
                    list.push(json!(v));
                }
            }
        }
    }

    fn validate(&self, obj: &Value) -> Vec<FieldError> {
        validate_crd(obj)
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = validate_crd(new);
        let spec = Path::new("spec");
        let established = condition(old, "Established");
        let immutable: [(&[&str], bool); 4] = [(&["group"], true), (&["names", "plural"], true), (&["scope"], established), (&["names", "kind"], established)];
        for (keys, applies) in immutable {
            let at = |v: &Value| keys.iter().fold(v["spec"].clone(), |x, k| x[*k].clone());
            let (n, o) = (at(new), at(old));
            if applies && n != o {
                let path = keys.iter().fold(spec.clone(), |p, k| p.child(k));
                errs.push(FieldError::invalid(&path, BadValue::from_json(&n), "field is immutable"));
            }
        }
        errs
    }
}

fn validate_crd(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let spec = &obj["spec"];
    let sp = Path::new("spec");
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let group = spec["group"].as_str().unwrap_or_default();
    let names = &spec["names"];
    let plural = names["plural"].as_str().unwrap_or_default();
    if name != format!("{plural}.{group}") {
        errs.push(FieldError::invalid_str(&Path::new("metadata").child("name"), name, "must be spec.names.plural+\".\"+spec.group"));
    }
    if group.is_empty() {
        errs.push(FieldError::required(&sp.child("group"), ""));
    } else {
        let msgs = dns1123_subdomain(group);
        if !msgs.is_empty() {
            errs.push(FieldError::invalid_str(&sp.child("group"), group, msgs.join(",")));
        } else if !group.contains('.') {
            errs.push(FieldError::invalid_str(&sp.child("group"), group, "should be a domain with at least one dot"));
        }
    }
    // Kubernetes' own groups take an approved API review.
    let protected = ["k8s.io", "kubernetes.io"].iter().any(|d| group == *d || group.ends_with(&format!(".{d}")));
    if protected && obj["metadata"]["annotations"].get(APPROVAL).is_none() {
        let path = Path::new("metadata").child("annotations").key(APPROVAL);
        errs.push(FieldError::required(&path, format!("protected groups must have approval annotation {:?}, see https://github.com/kubernetes/enhancements/pull/1111", APPROVAL)));
    }
    match spec["scope"].as_str().unwrap_or_default() {
        "" => errs.push(FieldError::required(&sp.child("scope"), "")),
        "Cluster" | "Namespaced" => {}
        other => errs.push(FieldError::not_supported(&sp.child("scope"), BadValue::Str(other.into()), &["Cluster", "Namespaced"])),
    }
    errs.extend(validate_names(names, &sp.child("names")));
    let versions: Vec<&Value> = spec["versions"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
    let vp = sp.child("versions");
    if versions.is_empty() {
        errs.push(FieldError::required(&vp, "must have exactly one version marked as storage version"));
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, v) in versions.iter().enumerate() {
        let vname = v["name"].as_str().unwrap_or_default();
        for m in dns1035_label(vname) {
            errs.push(FieldError::invalid_str(&vp.index(i).child("name"), vname, m));
        }
        if seen.contains(&vname) {
            errs.push(FieldError::invalid(&vp, BadValue::Raw(versions_dump(&versions)), "must contain unique version names"));
        }
        seen.push(vname);
    }
    let storage = versions.iter().filter(|v| v["storage"] == true).count();
    if !versions.is_empty() && storage != 1 {
        errs.push(FieldError::invalid(&vp, BadValue::Raw(versions_dump(&versions)), "must have exactly one version marked as storage version"));
    }
    // One schema, subresources and printer columns for every version: they are checked once,
    // at the top; otherwise each version's.
    let shared = versions.windows(2).all(|w| {
        w[0]["schema"] == w[1]["schema"] && w[0]["subresources"] == w[1]["subresources"] && w[0]["additionalPrinterColumns"] == w[1]["additionalPrinterColumns"]
    });
    for (i, v) in versions.iter().enumerate() {
        if !v["schema"]["openAPIV3Schema"].is_object() {
            errs.push(FieldError::required(&vp.index(i).child("schema").child("openAPIV3Schema"), "schemas are required"));
        }
    }
    for (i, v) in versions.iter().enumerate() {
        if shared && i > 0 {
            break;
        }
        let (schema_path, cols_path, subs_path) = if shared {
            (sp.child("validation").child("openAPIV3Schema"), sp.child("additionalPrinterColumns"), sp.child("subresources"))
        } else {
            let p = vp.index(i);
            (p.child("schema").child("openAPIV3Schema"), p.child("additionalPrinterColumns"), p.child("subresources"))
        };
        if v["schema"]["openAPIV3Schema"].is_object() {
            errs.extend(schema::check_structural(&v["schema"]["openAPIV3Schema"], &schema_path));
        }
        for (j, c) in v["additionalPrinterColumns"].as_array().into_iter().flatten().enumerate() {
            errs.extend(validate_column(c, &cols_path.index(j)));
        }
        if let Some(scale) = v["subresources"]["scale"].as_object() {
            let sc = subs_path.child("scale");
            let check = |key: &str, under: &[&str], why: &str, required: bool, errs: &mut Vec<FieldError>| match scale.get(key).and_then(Value::as_str) {
                None | Some("") if required => errs.push(FieldError::required(&sc.child(key), "")),
                None | Some("") => {}
                Some(p) if !under.iter().any(|u| p.starts_with(u)) => errs.push(FieldError::invalid_str(&sc.child(key), p, why)),
                Some(_) => {}
            };
            check("specReplicasPath", &[".spec."], "should be a json path under .spec", true, &mut errs);
            check("statusReplicasPath", &[".status."], "should be a json path under .status", true, &mut errs);
            check("labelSelectorPath", &[".spec.", ".status."], "should be a json path under either .spec or .status", false, &mut errs);
        }
    }
    match spec["conversion"]["strategy"].as_str() {
        None | Some("None") => {}
        Some("Webhook") => {
            if !spec["conversion"]["webhook"]["clientConfig"].is_object() {
                errs.push(FieldError::required(&sp.child("conversion").child("webhookClientConfig"), "required when strategy is set to Webhook"));
            }
        }
        Some(other) => errs.push(FieldError::not_supported(&sp.child("conversion").child("strategy"), BadValue::Str(other.into()), &["None", "Webhook"])),
    }
    if spec["preserveUnknownFields"] == true {
        errs.push(FieldError::invalid(&sp.child("preserveUnknownFields"), BadValue::Num("true".into()), "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead"));
    }
    errs
}

fn validate_names(names: &Value, p: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let s = |k: &str| names[k].as_str().unwrap_or_default();
    for key in ["plural", "singular"] {
        let v = s(key);
        if v.is_empty() {
            errs.push(FieldError::required(&p.child(key), ""));
        } else {
            for m in dns1035_label(v) {
                errs.push(FieldError::invalid_str(&p.child(key), v, m));
            }
        }
    }
    for key in ["shortNames", "categories"] {
        for (i, v) in names[key].as_array().into_iter().flatten().enumerate() {
            let v = v.as_str().unwrap_or_default();
            for m in dns1035_label(v) {
                errs.push(FieldError::invalid_str(&p.child(key).index(i), v, m));
            }
        }
    }
    for key in ["kind", "listKind"] {
        let v = s(key);
        if v.is_empty() {
            errs.push(FieldError::required(&p.child(key), ""));
        } else {
            let msgs = dns1035_label(&v.to_lowercase());
            if !msgs.is_empty() {
                errs.push(FieldError::invalid_str(&p.child(key), v, format!("may have mixed case, but should otherwise match: {}", msgs.join(","))));
            }
        }
    }
    if !s("kind").is_empty() && s("kind") == s("listKind") {
        errs.push(FieldError::invalid_str(&p.child("listKind"), s("listKind"), "kind and listKind may not be the same"));
    }
    errs
}

fn validate_column(c: &Value, p: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if c["name"].as_str().unwrap_or_default().is_empty() {
        errs.push(FieldError::required(&p.child("name"), ""));
    }
    const TYPES: &str = "boolean,date,integer,number,string";
    match c["type"].as_str().unwrap_or_default() {
        "" => errs.push(FieldError::required(&p.child("type"), format!("must be one of {TYPES}"))),
        "boolean" | "date" | "integer" | "number" | "string" => {}
        other => errs.push(FieldError::invalid_str(&p.child("type"), other, format!("must be one of {TYPES}"))),
    }
    match c["format"].as_str().unwrap_or_default() {
        "" | "byte" | "date" | "date-time" | "double" | "float" | "int32" | "int64" | "password" => {}
        other => errs.push(FieldError::invalid_str(&p.child("format"), other, "must be one of byte,date,date-time,double,float,int32,int64,password")),
    }
    match c["jsonPath"].as_str().unwrap_or_default() {
        "" => errs.push(FieldError::required(&p.child("JSONPath"), "")),
        path if !path.starts_with('.') || crate::kubectl::printers::jsonpath::Template::parse(&format!("{{{path}}}")).is_err() => {
            errs.push(FieldError::invalid_str(&p.child("JSONPath"), path, "must be a simple json path starting with ."));
        }
        _ => {}
    }
    errs
}

/// The versions as the server's `%#v` shows them, shortened to their names and flags.
fn versions_dump(versions: &[&Value]) -> String {
    let items: Vec<String> = versions
        .iter()
        .map(|v| format!("apiextensions.CustomResourceDefinitionVersion{{Name:{:?}, Served:{}, Storage:{}, ...}}", v["name"].as_str().unwrap_or_default(), v["served"] == true, v["storage"] == true))
        .collect();
    format!("[]apiextensions.CustomResourceDefinitionVersion{{{}}}", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crd() -> Value {
        json!({
            "metadata": {"name": "databases.stable.example.com"},
            "spec": {"group": "stable.example.com", "scope": "Namespaced",
                "names": {"plural": "databases", "kind": "Database", "shortNames": ["db"]},
                "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object"}}}]},
        })
    }

    #[test]
    fn a_good_crd_is_defaulted_and_valid() {
        let mut c = crd();
        CustomResourceDefinitionStrategy.default(&mut c);
        assert_eq!(c["spec"]["names"]["singular"], "database");
        assert_eq!(c["spec"]["names"]["listKind"], "DatabaseList");
        assert_eq!(c["spec"]["conversion"], json!({"strategy": "None"}));
        assert_eq!(validate_crd(&c), Vec::new());
        CustomResourceDefinitionStrategy.prepare_for_create(&mut c);
        assert_eq!(c["status"], json!({"conditions": null, "acceptedNames": {"plural": "", "kind": ""}, "storedVersions": ["v1"]}));
    }

    #[test]
    fn errors_name_the_internal_fields() {
        let mut c = crd();
        c["metadata"]["name"] = json!("dbs.stable.example.com");
        c["spec"]["versions"][0]["additionalPrinterColumns"] = json!([{"name": "X", "type": "text", "jsonPath": "spec.x"}]);
        c["spec"]["versions"][0]["schema"]["openAPIV3Schema"] = json!({"type": "object", "properties": {"spec": {"properties": {}}}});
        CustomResourceDefinitionStrategy.default(&mut c);
        let errs: Vec<String> = validate_crd(&c).iter().map(|e| e.to_string()).collect();
        assert_eq!(errs, [
            "metadata.name: Invalid value: \"dbs.stable.example.com\": must be spec.names.plural+\".\"+spec.group",
            "spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields",
            "spec.additionalPrinterColumns[0].type: Invalid value: \"text\": must be one of boolean,date,integer,number,string",
            "spec.additionalPrinterColumns[0].JSONPath: Invalid value: \"spec.x\": must be a simple json path starting with .",
        ]);
        c["spec"]["versions"][0]["schema"] = Value::Null;
        let errs: Vec<String> = validate_crd(&c).iter().map(|e| e.to_string()).collect();
        assert!(errs.contains(&"spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required".to_string()), "{errs:?}");
    }
}
