//! A CustomResourceDefinition's structural schema (`openAPIV3Schema`), and what the server does
//! with it to every custom resource it stores: prune the fields the schema does not know,
//! fill in defaults, and validate types and value constraints with Kubernetes' messages.

use crate::sort::Order;
use std::collections::BTreeMap;

use serde_json::Value;

use crate::api::field::{go_quote, BadValue, FieldError, Path};

/// The deepest schema the server reads; deeper nodes are taken as "anything" (the request body
/// limit keeps real schemas far below it).
const MAX_DEPTH: usize = 64;

/// One node of a structural schema.
#[derive(Clone, Debug, Default)]
pub struct Structural {
    /// The schema of a whole resource (its root): `apiVersion`, `kind` and `metadata` are
    /// the server's.
    pub resource_root: bool,
    /// `pattern`, compiled once (`None` also when it does not compile: the CRD was refused).
    pub pattern_re: Option<crate::api::regex::Regex>,
    /// `object`, `array`, `string`, `integer`, `number`, `boolean`, or empty (any).
    pub ty: String,
    /// Properties, in the order the CRD lists them.
    pub properties: Vec<(String, Structural)>,
    pub items: Option<Box<Structural>>,
    /// `additionalProperties` with a schema: a map of such values.
    pub additional: Option<Box<Structural>>,
    pub preserve_unknown: bool,
    pub int_or_string: bool,
    pub embedded_resource: bool,
    pub nullable: bool,
    pub default: Option<Value>,
    pub required: Vec<String>,
    pub enumeration: Vec<Value>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    pub multiple_of: Option<f64>,
    pub pattern: Option<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique_items: bool,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    pub format: String,
    pub description: String,
    /// `x-kubernetes-list-type` (`atomic`, `set`, `map`) and its keys.
    pub list_type: String,
    /// `x-kubernetes-map-type` (`granular`, `atomic`).
    pub map_type: String,
    pub list_map_keys: Vec<String>,
}

fn u(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
}

impl Structural {
    /// Reads a JSONSchemaProps value. Keys the structure does not use are ignored.
    pub fn parse(v: &Value) -> Structural {
        let mut s = Structural::parse_at(v, 0);
        s.resource_root = true;
        s
    }

    fn parse_at(v: &Value, depth: usize) -> Structural {
        let mut s = Structural::default();
        let Some(m) = v.as_object() else { return s };
        if depth > MAX_DEPTH {
            s.preserve_unknown = true;
            return s;
        }
        let str_of = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        s.ty = str_of("type");
        s.format = str_of("format");
        s.description = str_of("description");
        s.list_type = str_of("x-kubernetes-list-type");
        s.map_type = str_of("x-kubernetes-map-type");
        s.list_map_keys = m.get("x-kubernetes-list-map-keys").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect();
        if let Some(props) = m.get("properties").and_then(Value::as_object) {
            s.properties = props.iter().map(|(k, p)| (k.clone(), Structural::parse_at(p, depth + 1))).collect();
        }
        s.items = m.get("items").filter(|i| i.is_object()).map(|i| Box::new(Structural::parse_at(i, depth + 1)));
        match m.get("additionalProperties") {
            Some(Value::Bool(true)) => s.additional = Some(Box::new(Structural { preserve_unknown: true, ..Structural::default() })),
            Some(a @ Value::Object(_)) => s.additional = Some(Box::new(Structural::parse_at(a, depth + 1))),
            _ => {}
        }
        let flag = |k: &str| m.get(k).and_then(Value::as_bool).unwrap_or(false);
        s.preserve_unknown = flag("x-kubernetes-preserve-unknown-fields");
        s.int_or_string = flag("x-kubernetes-int-or-string");
        s.embedded_resource = flag("x-kubernetes-embedded-resource");
        s.nullable = flag("nullable");
        s.exclusive_minimum = flag("exclusiveMinimum");
        s.exclusive_maximum = flag("exclusiveMaximum");
        s.unique_items = flag("uniqueItems");
        s.default = m.get("default").cloned();
        s.required = m.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect();
        s.enumeration = m.get("enum").and_then(Value::as_array).cloned().unwrap_or_default();
        s.minimum = m.get("minimum").and_then(Value::as_f64);
        s.maximum = m.get("maximum").and_then(Value::as_f64);
        s.multiple_of = m.get("multipleOf").and_then(Value::as_f64);
        s.pattern = m.get("pattern").and_then(Value::as_str).map(str::to_string);
        s.pattern_re = s.pattern.as_deref().and_then(|p| crate::api::regex::Regex::re2(p).ok());
        s.min_length = m.get("minLength").and_then(u);
        s.max_length = m.get("maxLength").and_then(u);
        s.min_items = m.get("minItems").and_then(u);
        s.max_items = m.get("maxItems").and_then(u);
        s.min_properties = m.get("minProperties").and_then(u);
        s.max_properties = m.get("maxProperties").and_then(u);
        s
    }

    pub fn property(&self, name: &str) -> Option<&Structural> {
        self.properties.iter().find(|(k, _)| k == name).map(|(_, s)| s)
    }

    /// The schema of a map value or a field: a property, else `additionalProperties`.
    pub fn child(&self, name: &str) -> Option<&Structural> {
        self.property(name).or(self.additional.as_deref())
    }
}

/// Drops the fields of `v` the schema does not know (kept: everything under
/// `x-kubernetes-preserve-unknown-fields`, and `apiVersion`, `kind` and `metadata` at the root
/// and in embedded resources). Returns the dropped fields' paths (`spec.foo`, `spec.list[0].x`).
pub fn prune(v: &mut Value, schema: &Structural) -> Vec<String> {
    let mut unknown = Vec::new();
    prune_at(v, schema, "", true, &mut unknown, 0);
    unknown
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn prune_at(v: &mut Value, s: &Structural, path: &str, resource: bool, unknown: &mut Vec<String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::Object(m) => {
            let keys: Vec<String> = m.keys().cloned().collect();
            for k in keys {
                if resource && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                let here = join(path, &k);
                match s.child(&k) {
                    // A null the schema does not allow, with no default to take its place, goes.
                    Some(child) if m.get(&k).is_some_and(Value::is_null) && !child.nullable && child.default.is_none() => {
                        m.remove(&k);
                    }
                    Some(child) => {
                        if let Some(x) = m.get_mut(&k) {
                            prune_at(x, child, &here, child.embedded_resource, unknown, depth + 1);
                        }
                    }
                    None if s.preserve_unknown => {}
                    None => {
                        m.remove(&k);
                        unknown.push(here);
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = &s.items {
                for (i, x) in items.iter_mut().enumerate() {
                    prune_at(x, item, &format!("{path}[{i}]"), item.embedded_resource, unknown, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// Fills in the schema's defaults: a property absent from an object that is present (or null
/// where the schema does not allow null) takes its default.
pub fn apply_defaults(v: &mut Value, s: &Structural) {
    defaults_at(v, s, 0);
}

fn defaults_at(v: &mut Value, s: &Structural, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, child) in &s.properties {
                let Some(d) = &child.default else { continue };
                match m.get(k) {
                    None => {
                        m.insert(k.clone(), d.clone());
                    }
                    Some(Value::Null) if !child.nullable => {
                        m.insert(k.clone(), d.clone());
                    }
                    Some(_) => {}
                }
            }
            for (k, x) in m.iter_mut() {
                if let Some(child) = s.child(k) {
                    defaults_at(x, child, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = &s.items {
                for x in items {
                    defaults_at(x, item, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// Checks `v` against the schema; the root's `apiVersion`, `kind` and `metadata` are the
/// server's business and not checked here.
pub fn validate(v: &Value, s: &Structural) -> Vec<FieldError> {
    let mut errs = Vec::new();
    validate_at(v, s, &Path::root(), true, &mut errs, 0);
    errs
}

/// Go's JSON type names, as the OpenAPI validator reports a mismatch.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_matches(v: &Value, s: &Structural) -> bool {
    if v.is_null() {
        return s.nullable;
    }
    if s.int_or_string {
        return matches!(json_type(v), "integer" | "string");
    }
    match s.ty.as_str() {
        "" => true,
        "number" => v.is_number(),
        t => json_type(v) == t,
    }
}

/// The field path as the OpenAPI validator names it inside its message (`spec.replicas`).
fn body_name(path: &Path) -> String {
    path.as_str().to_string()
}

/// A number as Go's `%v` prints a float64 (`10`, `0.5`, `1e+21`).
fn go_num(f: f64) -> String {
    crate::kubectl::printers::yaml::go_float(f)
}

fn bad(v: &Value) -> BadValue {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if !(n.is_i64() || n.is_u64()) => BadValue::Num(go_num(f)),
            _ => BadValue::Num(n.to_string()),
        },
        other => BadValue::from_json(other),
    }
}

fn validate_at(v: &Value, s: &Structural, path: &Path, resource: bool, errs: &mut Vec<FieldError>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let name = body_name(path);
    if !type_matches(v, s) {
        let want = if s.int_or_string { "integer,string".to_string() } else { s.ty.clone() };
        let got = json_type(v);
        errs.push(FieldError {
            kind: crate::api::field::ErrorType::TypeInvalid,
            field: path.to_string(),
            value: BadValue::Str(got.to_string()),
            detail: format!("{name} in body must be of type {want}: {}", go_quote(got)),
        });
        return;
    }
    if v.is_null() {
        return;
    }
    match v {
        Value::String(text) => {
            let len = text.chars().count() as u64;
            if let Some(max) = s.max_length.filter(|m| len > *m) {
                errs.push(FieldError::too_long(path, max as usize));
            }
            if let Some(min) = s.min_length.filter(|m| len < *m) {
                errs.push(FieldError::invalid(path, bad(v), format!("{name} in body should be at least {min} chars long")));
            }
            if let (Some(p), Some(re)) = (&s.pattern, &s.pattern_re) {
                if !re.is_match(text) {
                    errs.push(FieldError::invalid(path, bad(v), format!("{name} in body should match '{p}'")));
                }
            }
            if s.format == "date-time" && crate::sim::clock::Timestamp::parse_rfc3339(text).is_none() {
                errs.push(FieldError::invalid(path, bad(v), format!("{name} in body must be of type date-time: {}", go_quote(text))));
            }
        }
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            if let Some(m) = s.multiple_of.filter(|m| *m > 0.0) {
                let q = f / m;
                if (q - q.round()).abs() > 1e-9 {
                    errs.push(FieldError::invalid(path, bad(v), format!("{name} in body should be a multiple of {}", go_num(m))));
                }
            }
            if let Some(min) = s.minimum {
                if (s.exclusive_minimum && f <= min) || f < min {
                    let rel = if s.exclusive_minimum { "greater than" } else { "greater than or equal to" };
                    errs.push(FieldError::invalid(path, bad(v), format!("{name} in body should be {rel} {}", go_num(min))));
                }
            }
            if let Some(max) = s.maximum {
                if (s.exclusive_maximum && f >= max) || f > max {
                    let rel = if s.exclusive_maximum { "less than" } else { "less than or equal to" };
                    errs.push(FieldError::invalid(path, bad(v), format!("{name} in body should be {rel} {}", go_num(max))));
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = &s.items {
                for (i, x) in items.iter().enumerate() {
                    validate_at(x, item, &path.index(i), item.embedded_resource, errs, depth + 1);
                }
            }
            let n = items.len() as u64;
            if let Some(min) = s.min_items.filter(|m| n < *m) {
                errs.push(FieldError::invalid(path, BadValue::Num(n.to_string()), format!("{name} in body should have at least {min} items")));
            }
            if let Some(max) = s.max_items.filter(|m| n > *m) {
                errs.push(FieldError::too_many(path, items.len(), max as usize));
            }
            // Duplicates found by their serialized form: linear in the list, however long.
            if s.unique_items || s.list_type == "set" {
                let mut seen = std::collections::HashSet::new();
                for (i, x) in items.iter().enumerate() {
                    if !seen.insert(x.to_string()) {
                        errs.push(FieldError::duplicate(&path.index(i), bad(x)));
                    }
                }
            }
            if s.list_type == "map" && !s.list_map_keys.is_empty() {
                let mut seen = std::collections::HashSet::new();
                for (i, x) in items.iter().enumerate() {
                    let key: Vec<&Value> = s.list_map_keys.iter().map(|k| x.get(k).unwrap_or(&Value::Null)).collect();
                    if !seen.insert(Value::from(key.iter().map(|v| (*v).clone()).collect::<Vec<_>>()).to_string()) {
                        let shown: Vec<String> = s.list_map_keys.iter().zip(&key).map(|(k, v)| format!("\"{k}\":{v}")).collect();
                        errs.push(FieldError::duplicate(&path.index(i), BadValue::Raw(format!("map[string]interface {{}}{{{}}}", shown.join(", ")))));
                    }
                }
            }
        }
        _ => {}
    }
    if !s.enumeration.is_empty() && !s.enumeration.iter().any(|e| e == v) {
        let allowed: Vec<String> = s.enumeration.iter().map(|e| match e {
            Value::String(x) => go_quote(x),
            other => go_quote(&other.to_string()),
        }).collect();
        errs.push(FieldError {
            kind: crate::api::field::ErrorType::NotSupported,
            field: path.to_string(),
            value: bad(v),
            detail: format!("supported values: {}", allowed.join(", ")),
        });
    }
    if let Value::Object(m) = v {
        let n = m.len() as u64;
        if let Some(max) = s.max_properties.filter(|x| n > *x) {
            errs.push(FieldError::too_many(path, m.len(), max as usize));
        }
        if let Some(min) = s.min_properties.filter(|x| n < *x) {
            errs.push(FieldError::invalid(path, BadValue::Num(n.to_string()), format!("{name} in body should have at least {min} properties")));
        }
        // Map entries in key order, then properties in the schema's order (the real server
        // walks properties in Go's random map order), then what is required.
        if let Some(extra) = &s.additional {
            let ordered: BTreeMap<&String, &Value> = m.iter().collect();
            for (k, x) in ordered {
                if s.property(k).is_none() {
                    validate_at(x, extra, &path.child(k), extra.embedded_resource, errs, depth + 1);
                }
            }
        }
        for (k, child) in &s.properties {
            if resource && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                continue;
            }
            if let Some(x) = m.get(k) {
                validate_at(x, child, &path.child(k), child.embedded_resource, errs, depth + 1);
            }
        }
        for r in &s.required {
            if !m.contains_key(r) {
                errs.push(FieldError::required(&path.child(r), ""));
            }
        }
    }
}

/// Checks a CustomResourceDefinition's schema is structural and its defaults fit it, as the
/// CRD's validation does; `path` is where the schema sits in the CRD.
pub fn check_structural(v: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    check_node(v, path, Place::Root, &mut errs, 0);
    // The server lists structural errors sorted by their text.
    errs.order_by_key(|e| e.to_string());
    errs
}

/// Where a schema node sits: what its missing type is called.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Root,
    Field,
    Items,
    Additional,
}

fn check_node(v: &Value, path: &Path, place: Place, errs: &mut Vec<FieldError>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let Some(m) = v.as_object() else { return };
    let ty = m.get("type").and_then(Value::as_str).unwrap_or_default();
    let preserve = m.get("x-kubernetes-preserve-unknown-fields").and_then(Value::as_bool).unwrap_or(false);
    let int_or_string = m.get("x-kubernetes-int-or-string").and_then(Value::as_bool).unwrap_or(false);
    if ty.is_empty() && !preserve && !int_or_string {
        let why = match place {
            Place::Root => "must not be empty at the root",
            Place::Items => "must not be empty for specified array items",
            Place::Field | Place::Additional => "must not be empty for specified object fields",
        };
        errs.push(FieldError::required(&path.child("type"), why));
    }
    if !ty.is_empty() && !matches!(ty, "object" | "array" | "string" | "integer" | "number" | "boolean") {
        errs.push(FieldError::not_supported(&path.child("type"), BadValue::Str(ty.to_string()), &["array", "boolean", "integer", "number", "object", "string"]));
    }
    if place == Place::Root {
        if !ty.is_empty() && ty != "object" {
            errs.push(FieldError::invalid(&path.child("type"), BadValue::Str(ty.to_string()), "must be object at the root"));
        }
        if m.contains_key("additionalProperties") {
            errs.push(FieldError::forbidden(&path.child("additionalProperties"), "must not be used at the root"));
        }
        if m.get("nullable") == Some(&Value::Bool(true)) {
            errs.push(FieldError::forbidden(&path.child("nullable"), "nullable cannot be true at the root"));
        }
    }
    if ty == "array" && m.get("items").is_none() {
        errs.push(FieldError::required(&path.child("items"), "must be specified"));
    }
    if m.get("uniqueItems") == Some(&Value::Bool(true)) {
        errs.push(FieldError::forbidden(&path.child("uniqueItems"), "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
    }
    if m.contains_key("$ref") {
        errs.push(FieldError::forbidden(&path.child("$ref"), "$ref is not supported"));
    }
    if let Some(p) = m.get("pattern").and_then(Value::as_str) {
        if crate::api::regex::Regex::re2(p).is_err() {
            errs.push(FieldError::invalid(&path.child("pattern"), BadValue::Str(p.to_string()), "must be a valid regular expression, but isn't"));
        }
    }
    if let Some(props) = m.get("properties").and_then(Value::as_object) {
        if m.get("additionalProperties").is_some_and(|a| a != &Value::Bool(true) && !a.is_null()) && place != Place::Root {
            errs.push(FieldError::forbidden(&path.child("additionalProperties"), "additionalProperties and properties are mutual exclusive"));
        }
        for (k, p) in props {
            if place == Place::Root && k == "metadata" {
                let only_names = p.get("properties").and_then(Value::as_object).is_none_or(|mp| mp.keys().all(|k| k == "name" || k == "generateName"));
                let extra = p.as_object().is_some_and(|pm| pm.keys().any(|k| !matches!(k.as_str(), "type" | "properties" | "description")));
                if !only_names || extra || p.get("type").and_then(Value::as_str).is_some_and(|t| t != "object") {
                    errs.push(FieldError::forbidden(&path.child("properties").key(k), "must not specify anything other than name and generateName, but metadata is implicitly specified"));
                }
                continue;
            }
            check_node(p, &path.child("properties").key(k), Place::Field, errs, depth + 1);
        }
    }
    if let Some(items) = m.get("items") {
        check_node(items, &path.child("items"), Place::Items, errs, depth + 1);
    }
    if let Some(a @ Value::Object(_)) = m.get("additionalProperties") {
        check_node(a, &path.child("additionalProperties"), Place::Additional, errs, depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn database() -> Structural {
        Structural::parse(&json!({
            "type": "object",
            "properties": {"spec": {"type": "object", "properties": {
                "dbType": {"type": "string", "pattern": "^(mysql|mariadb|postgresql)$", "default": "mysql"},
                "diskSize": {"type": "integer", "minimum": 10, "maximum": 1000, "default": 20},
                "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
                "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
            }}},
        }))
    }

    #[test]
    fn prunes_what_the_schema_does_not_know() {
        let s = database();
        let mut v = json!({"apiVersion": "stable.example.com/v1", "kind": "Database", "metadata": {"name": "x"}, "spec": {"dbType": "mysql", "size": 3, "extra": {"anything": 1}}, "status": {}});
        let unknown = prune(&mut v, &s);
        assert_eq!(unknown, ["spec.size", "status"]);
        assert_eq!(v, json!({"apiVersion": "stable.example.com/v1", "kind": "Database", "metadata": {"name": "x"}, "spec": {"dbType": "mysql", "extra": {"anything": 1}}}));
    }

    #[test]
    fn defaults_fill_absent_fields_of_present_objects() {
        let s = database();
        let mut v = json!({"spec": {"diskSize": 50}});
        apply_defaults(&mut v, &s);
        assert_eq!(v["spec"], json!({"diskSize": 50, "dbType": "mysql"}));
        let mut none = json!({});
        apply_defaults(&mut none, &s);
        assert_eq!(none, json!({}));
    }

    #[test]
    fn validates_with_kubernetes_messages() {
        let s = database();
        let v = json!({"spec": {"dbType": "oracle", "diskSize": 5, "tags": ["a", "b", "c"]}});
        let errs: Vec<String> = validate(&v, &s).iter().map(|e| e.to_string()).collect();
        assert_eq!(errs, [
            "spec.dbType: Invalid value: \"oracle\": spec.dbType in body should match '^(mysql|mariadb|postgresql)$'",
            "spec.diskSize: Invalid value: 5: spec.diskSize in body should be greater than or equal to 10",
            "spec.tags: Too many: 3: must have at most 2 items",
        ]);
        let required = Structural::parse(&json!({"type": "object", "properties": {"spec": {"type": "object", "required": ["engine"], "properties": {"engine": {"type": "string", "enum": ["mysql", "postgres"]}}}}}));
        let errs: Vec<String> = validate(&json!({"spec": {}}), &required).iter().map(|e| e.to_string()).collect();
        assert_eq!(errs, ["spec.engine: Required value"]);
        let errs: Vec<String> = validate(&json!({"spec": {"engine": "foo"}}), &required).iter().map(|e| e.to_string()).collect();
        assert_eq!(errs, ["spec.engine: Unsupported value: \"foo\": supported values: \"mysql\", \"postgres\""]);
        let v = json!({"spec": {"diskSize": "big"}});
        let errs: Vec<String> = validate(&v, &s).iter().map(|e| e.to_string()).collect();
        assert_eq!(errs, ["spec.diskSize: Invalid value: \"string\": spec.diskSize in body must be of type integer: \"string\""]);
    }

    #[test]
    fn a_schema_without_types_is_not_structural() {
        let errs: Vec<String> = check_structural(&json!({"type": "object", "properties": {"spec": {"properties": {"a": {"type": "string"}}}}}), &Path::new("spec.validation.openAPIV3Schema")).iter().map(|e| e.to_string()).collect();
        assert_eq!(errs, ["spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields"]);
    }
}
