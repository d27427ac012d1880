//! ConfigMap, Secret and ServiceAccount: keys, the 1 MiB size limit, Secret types, `stringData`
//! folded into `data`, immutability, and their tables.

use serde_json::{json, Map, Value};

use crate::api::field::{BadValue, FieldError, Path};
use crate::api::object::name;
use crate::apiserver::strategy::Strategy;
use crate::apiserver::tables::{format, Column};
use crate::apiserver::validation::names::config_map_key;
use crate::sim::clock::Timestamp;

/// The most a ConfigMap or Secret may hold, in bytes of values.
pub const MAX_DATA_BYTES: usize = 1024 * 1024;

fn check_keys(map: &Value, path: &Path, errs: &mut Vec<FieldError>) {
    if let Some(m) = map.as_object() {
        for k in m.keys() {
            for msg in config_map_key(k) {
                errs.push(FieldError::invalid_str(&path.key(k), k, msg));
            }
        }
    }
}

fn immutable_errors(new: &Value, old: &Value, fields: &[&str]) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if old["immutable"] == true {
        if new["immutable"] != true {
            errs.push(FieldError::forbidden(&Path::new("immutable"), "field is immutable when `immutable` is set"));
        }
        for f in fields {
            if new[*f] != old[*f] {
                errs.push(FieldError::forbidden(&Path::new(f), "field is immutable when `immutable` is set"));
            }
        }
    }
    errs
}

pub struct ConfigMapStrategy;

impl Strategy for ConfigMapStrategy {
    fn validate(&self, cm: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        check_keys(&cm["data"], &Path::new("data"), &mut errs);
        if let (Some(data), Some(bin)) = (cm["data"].as_object(), cm["binaryData"].as_object()) {
            for k in data.keys().filter(|k| bin.contains_key(*k)) {
                errs.push(FieldError::invalid_str(&Path::new("data").key(k), k, "duplicate of key present in binaryData"));
            }
        }
        check_keys(&cm["binaryData"], &Path::new("binaryData"), &mut errs);
        let mut total = 0;
        for v in cm["data"].as_object().into_iter().flat_map(Map::values) {
            total += v.as_str().map_or(0, str::len);
        }
        for v in cm["binaryData"].as_object().into_iter().flat_map(Map::values) {
            total += v.as_str().and_then(|s| crate::api::base64::decode(s).ok()).map_or(0, |b| b.len());
        }
        if total > MAX_DATA_BYTES {
            errs.push(FieldError::too_long(&Path::new("[]"), MAX_DATA_BYTES));
        }
        errs
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = immutable_errors(new, old, &["data", "binaryData"]);
        errs.extend(self.validate(new));
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[Column::name(), Column::string("Data"), Column::age()];
        Some(C)
    }

    fn row(&self, cm: &Value, now: Timestamp) -> Vec<Value> {
        let n = cm["data"].as_object().map_or(0, Map::len) + cm["binaryData"].as_object().map_or(0, Map::len);
        vec![json!(name(cm)), json!(n), json!(format::age(cm, now))]
    }
}

pub struct SecretStrategy;

impl Strategy for SecretStrategy {
    fn default(&self, secret: &mut Value) {
        let Some(m) = secret.as_object_mut() else { return };
        if m.get("type").and_then(Value::as_str).is_none_or(str::is_empty) {
            m.insert("type".into(), json!("Opaque"));
        }
        // stringData is write-only: it is folded into data, base64-encoded, and dropped.
        if let Some(Value::Object(sd)) = m.remove("stringData") {
            let data = m.entry("data").or_insert_with(|| json!({}));
            if !data.is_object() {
                *data = json!({});
            }
            if let Some(d) = data.as_object_mut() {
                for (k, v) in sd {
                    d.insert(k, json!(crate::api::base64::encode(v.as_str().unwrap_or_default().as_bytes())));
                }
            }
        }
    }

    fn validate(&self, secret: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let data = Path::new("data");
        check_keys(&secret["data"], &data, &mut errs);
        let total: usize = secret["data"]
            .as_object()
            .into_iter()
            .flat_map(Map::values)
            .map(|v| v.as_str().and_then(|s| crate::api::base64::decode(s).ok()).map_or(0, |b| b.len()))
            .sum();
        if total > MAX_DATA_BYTES {
            errs.push(FieldError::too_long(&data, MAX_DATA_BYTES));
        }
        let has = |k: &str| secret["data"].get(k).is_some();
        match secret["type"].as_str().unwrap_or_default() {
            "kubernetes.io/service-account-token" => {
                if secret["metadata"]["annotations"]["kubernetes.io/service-account.name"].as_str().is_none_or(str::is_empty) {
                    errs.push(FieldError::required(&Path::new("metadata").child("annotations").key("kubernetes.io/service-account.name"), ""));
                }
            }
            "kubernetes.io/dockercfg" => docker_config(secret, ".dockercfg", &mut errs),
            "kubernetes.io/dockerconfigjson" => docker_config(secret, ".dockerconfigjson", &mut errs),
            "kubernetes.io/basic-auth" => {
                if !has("username") && !has("password") {
                    errs.push(FieldError::required(&data.key("username"), ""));
                    errs.push(FieldError::required(&data.key("password"), ""));
                }
            }
            "kubernetes.io/ssh-auth" => {
                if !has("ssh-privatekey") {
                    errs.push(FieldError::required(&data.key("ssh-privatekey"), ""));
                }
            }
            "kubernetes.io/tls" => {
                for k in ["tls.crt", "tls.key"] {
                    if !has(k) {
                        errs.push(FieldError::required(&data.key(k), ""));
                    }
                }
            }
            _ => {}
        }
        errs
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        if new["type"] != old["type"] {
            errs.push(FieldError::invalid(&Path::new("type"), BadValue::from_json(&new["type"]), "field is immutable"));
        }
        errs.extend(immutable_errors(new, old, &["data"]));
        errs.extend(self.validate(new));
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[Column::name(), Column::string("Type"), Column::string("Data"), Column::age()];
        Some(C)
    }

    fn row(&self, s: &Value, now: Timestamp) -> Vec<Value> {
        vec![json!(name(s)), json!(s["type"].as_str().unwrap_or_default()), json!(s["data"].as_object().map_or(0, Map::len)), json!(format::age(s, now))]
    }

    fn field_label(&self, s: &Value, label: &str) -> Option<String> {
        (label == "type").then(|| s["type"].as_str().unwrap_or_default().to_string())
    }
}

fn docker_config(secret: &Value, key: &str, errs: &mut Vec<FieldError>) {
    let path = Path::new("data").key(key);
    match secret["data"][key].as_str() {
        None => errs.push(FieldError::required(&path, "")),
        Some(b64) => {
            let decoded = crate::api::base64::decode(b64).unwrap_or_default();
            if let Err(e) = serde_json::from_slice::<Value>(&decoded) {
                errs.push(FieldError::invalid_str(&path, "<secret contents redacted>", e.to_string()));
            }
        }
    }
}

pub struct ServiceAccountStrategy;

impl Strategy for ServiceAccountStrategy {
    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[Column::name(), Column::string("Secrets"), Column::age()];
        Some(C)
    }

    fn row(&self, sa: &Value, now: Timestamp) -> Vec<Value> {
        vec![json!(name(sa)), json!(sa["secrets"].as_array().map_or(0, Vec::len)), json!(format::age(sa, now))]
    }
}
