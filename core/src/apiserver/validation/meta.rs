//! `metadata` validation for every kind (apimachinery `api/validation/objectmeta.go`).

use serde_json::Value;

use crate::api::field::{BadValue, FieldError, Path};

use super::names::{check_name, label_value, qualified_name, NameRule};

/// Annotations may not exceed this many bytes (keys and values together).
pub const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * 1024;

/// Validates a new object's metadata. `namespaced` says whether the kind lives in namespaces.
pub fn validate_object_meta(obj: &Value, namespaced: bool, rule: NameRule) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let meta = &obj["metadata"];
    let p = Path::new("metadata");
    let name = meta["name"].as_str().unwrap_or_default();
    let generate_name = meta["generateName"].as_str().unwrap_or_default();
    if !generate_name.is_empty() {
        // A prefix: checked as a name with its trailing dash masked (Kubernetes replaces the
        // last two characters with `a`, so `web-` is checked as `wea`).
        let chars: Vec<char> = generate_name.chars().collect();
        let masked = if chars.len() > 1 && generate_name.ends_with('-') {
            format!("{}a", chars[..chars.len() - 2].iter().collect::<String>())
        } else {
            generate_name.to_string()
        };
        for msg in check_name(rule, &masked) {
            errs.push(FieldError::invalid_str(&p.child("generateName"), generate_name, msg));
        }
    }
    if name.is_empty() {
        if generate_name.is_empty() {
            errs.push(FieldError::required(&p.child("name"), "name or generateName is required"));
        }
    } else {
        for msg in check_name(rule, name) {
            errs.push(FieldError::invalid_str(&p.child("name"), name, msg));
        }
    }
    let ns = meta["namespace"].as_str().unwrap_or_default();
    if namespaced {
        if ns.is_empty() {
            errs.push(FieldError::required(&p.child("namespace"), ""));
        } else {
            for msg in super::names::dns1123_label(ns) {
                errs.push(FieldError::invalid_str(&p.child("namespace"), ns, msg));
            }
        }
    } else if !ns.is_empty() {
        errs.push(FieldError::forbidden(&p.child("namespace"), "not allowed on this type"));
    }
    if let Some(g) = meta["generation"].as_i64() {
        if g < 0 {
            errs.push(FieldError::invalid_num(&p.child("generation"), g, "must be greater than or equal to 0"));
        }
    }
    errs.extend(validate_labels(&meta["labels"], &p.child("labels")));
    errs.extend(validate_annotations(&meta["annotations"], &p.child("annotations")));
    errs.extend(validate_owner_references(&meta["ownerReferences"], &p.child("ownerReferences")));
    if let Some(fs) = meta["finalizers"].as_array() {
        let fp = p.child("finalizers");
        let mut seen = Vec::new();
        for (i, f) in fs.iter().enumerate() {
            let f = f.as_str().unwrap_or_default();
            for msg in qualified_name(f) {
                errs.push(FieldError::invalid_str(&fp.index(i), f, msg));
            }
            if seen.contains(&f) {
                errs.push(FieldError::duplicate(&fp.index(i), BadValue::Str(f.to_string())));
            }
            seen.push(f);
        }
    }
    errs
}

/// Label keys and values: `metadata.labels: Invalid value: "..."`.
pub fn validate_labels(labels: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(m) = labels.as_object() {
        for (k, v) in m {
            for msg in qualified_name(k) {
                errs.push(FieldError::invalid_str(path, k, msg));
            }
            let v = v.as_str().unwrap_or_default();
            for msg in label_value(v) {
                errs.push(FieldError::invalid_str(path, v, msg));
            }
        }
    }
    errs
}

pub fn validate_annotations(annotations: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(m) = annotations.as_object() {
        let mut total = 0;
        for (k, v) in m {
            for msg in qualified_name(&k.to_ascii_lowercase()) {
                errs.push(FieldError::invalid_str(path, k, msg));
            }
            total += k.len() + v.as_str().map_or(0, str::len);
        }
        if total > TOTAL_ANNOTATION_SIZE_LIMIT {
            errs.push(FieldError::too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT));
        }
    }
    errs
}

fn validate_owner_references(refs: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(list) = refs.as_array() else { return errs };
    let mut controllers = Vec::new();
    for (i, r) in list.iter().enumerate() {
        let p = path.index(i);
        let api_version = r["apiVersion"].as_str().unwrap_or_default();
        let kind = r["kind"].as_str().unwrap_or_default();
        if api_version.is_empty() {
            errs.push(FieldError::invalid_str(&p.child("apiVersion"), api_version, "version must not be empty"));
        }
        if kind.is_empty() {
            errs.push(FieldError::invalid_str(&p.child("kind"), kind, "kind must not be empty"));
        }
        if r["name"].as_str().unwrap_or_default().is_empty() {
            errs.push(FieldError::invalid_str(&p.child("name"), "", "name must not be empty"));
        }
        if r["uid"].as_str().unwrap_or_default().is_empty() {
            errs.push(FieldError::invalid_str(&p.child("uid"), "", "uid must not be empty"));
        }
        if r["controller"] == true {
            controllers.push(format!("{}/{}", kind, r["name"].as_str().unwrap_or_default()));
        }
    }
    if controllers.len() > 1 {
        errs.push(FieldError::invalid(
            path,
            BadValue::Raw(format!("{list:?}")),
            format!("Only one reference can have Controller set to true. Found \"true\" in references for {}", controllers.join(" and ")),
        ));
    }
    errs
}

/// What may not change on update: name, namespace, uid, creationTimestamp.
pub fn validate_object_meta_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let p = Path::new("metadata");
    for field in ["name", "namespace", "uid", "creationTimestamp"] {
        let (n, o) = (&new["metadata"][field], &old["metadata"][field]);
        if n != o {
            errs.push(FieldError::invalid(&p.child(field), BadValue::from_json(n), "field is immutable"));
        }
    }
    if old["metadata"]["deletionTimestamp"].is_string() {
        let old_f: Vec<&Value> = old["metadata"]["finalizers"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
        if let Some(new_f) = new["metadata"]["finalizers"].as_array() {
            if new_f.iter().any(|f| !old_f.contains(&f)) {
                errs.push(FieldError::forbidden(&p.child("finalizers"), "no new finalizers can be added if the object is being deleted"));
            }
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_and_namespaces() {
        let e = validate_object_meta(&json!({"metadata": {"name": "My_Pod", "namespace": "default"}}), true, NameRule::Subdomain);
        assert_eq!(e.len(), 1);
        assert!(e[0].to_string().starts_with("metadata.name: Invalid value: \"My_Pod\": a lowercase RFC 1123 subdomain"));
        let e = validate_object_meta(&json!({"metadata": {"namespace": "default"}}), true, NameRule::Subdomain);
        assert_eq!(e[0].to_string(), "metadata.name: Required value: name or generateName is required");
        assert!(validate_object_meta(&json!({"metadata": {"generateName": "web-", "namespace": "d"}}), true, NameRule::Subdomain).is_empty());
        let e = validate_object_meta(&json!({"metadata": {"name": "n", "namespace": "d"}}), false, NameRule::Subdomain);
        assert_eq!(e[0].to_string(), "metadata.namespace: Forbidden: not allowed on this type");
    }

    #[test]
    fn labels_and_annotations() {
        let e = validate_object_meta(&json!({"metadata": {"name": "n", "namespace": "d", "labels": {"app": "a b"}}}), true, NameRule::Subdomain);
        assert_eq!(e.len(), 1);
        assert!(e[0].to_string().starts_with("metadata.labels: Invalid value: \"a b\": a valid label must be"));
        let big = "x".repeat(TOTAL_ANNOTATION_SIZE_LIMIT);
        let e = validate_object_meta(&json!({"metadata": {"name": "n", "namespace": "d", "annotations": {"a": big}}}), true, NameRule::Subdomain);
        assert_eq!(e[0].to_string(), "metadata.annotations: Too long: may not be more than 262144 bytes");
    }
}
