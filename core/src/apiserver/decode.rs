//! Request bodies: bounded parsing of JSON and YAML, then the typed decoding a real API server
//! does — type checks against the schema, unknown fields dropped, and with strict field
//! validation (kubectl's default) reported as errors.

use serde_json::Value;

use crate::api::quantity::Quantity;
use crate::api::status::ApiError;
use crate::schema::{go_type_name, Definition, FieldType, Schema};

use super::request::{Body, Request};

/// The largest request body the server reads (3 MiB, as kube-apiserver).
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

/// How the server treats unknown and duplicate fields (`fieldValidation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldValidation {
    Strict,
    Warn,
    Ignore,
}

impl FieldValidation {
    pub fn from_request(req: &Request) -> Result<Self, ApiError> {
        match req.param("fieldValidation") {
            None | Some("") | Some("Warn") => Ok(FieldValidation::Warn),
            Some("Strict") => Ok(FieldValidation::Strict),
            Some("Ignore") => Ok(FieldValidation::Ignore),
            Some(other) => Err(ApiError::BadRequest(format!(
                "fieldValidation parameter unsupported: {other}. Supported values: Ignore, Warn, Strict"
            ))),
        }
    }
}

/// Parses a request body into JSON. YAML is read when the content type says so.
pub fn parse_body(req: &Request) -> Result<Value, ApiError> {
    parse_body_tracking(req).map(|(v, _)| v)
}

/// Parses a request body into JSON, also returning the paths of duplicated keys (strict field
/// validation reports them).
pub fn parse_body_tracking(req: &Request) -> Result<(Value, Vec<String>), ApiError> {
    match &req.body {
        Body::Empty => Err(ApiError::BadRequest("the body of the request was empty".into())),
        Body::Object(v) => Ok((v.clone(), Vec::new())),
        Body::Bytes(bytes) => {
            if bytes.len() > MAX_BODY_BYTES {
                return Err(ApiError::RequestEntityTooLarge(format!("limit is {MAX_BODY_BYTES}")));
            }
            let ct = req.header("content-type").unwrap_or("application/json");
            let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            #[cfg(feature = "wire")]
            if mime == "application/vnd.kubernetes.protobuf" {
                return super::protobuf::decode(bytes).map(|v| (v, Vec::new())).map_err(|e| ApiError::BadRequest(format!("the body of the request could not be decoded: {e}")));
            }
            let text = std::str::from_utf8(bytes).map_err(|_| ApiError::BadRequest("the body of the request is not valid UTF-8".into()))?;
            match mime.as_str() {
                "application/json" | "application/merge-patch+json" | "application/strategic-merge-patch+json" | "application/json-patch+json" | "" | "*/*" => {
                    super::dup::json_with_duplicates(text).map_err(|e| ApiError::BadRequest(format!("couldn't get version/kind; json parse error: {e}")))
                }
                "application/yaml" | "application/apply-patch+yaml" | "application/x-yaml" | "text/yaml" => {
                    super::dup::yaml_with_duplicates(text).map_err(|e| {
                        let msg = e.to_string();
                        if msg.contains("repetition limit exceeded") {
                            ApiError::BadRequest("error converting YAML to JSON: yaml: document contains excessive aliasing".into())
                        } else {
                            ApiError::BadRequest(format!("error converting YAML to JSON: yaml: {msg}"))
                        }
                    })
                }
                _ => Err(ApiError::UnsupportedMediaType(
                    "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf".into(),
                )),
            }
        }
    }
}

/// The outcome of typed decoding: the object with unknown fields dropped and quantities in
/// canonical form, and the unknown fields found (as `unknown field "path"` messages).
#[derive(Debug)]
pub struct Decoded {
    pub object: Value,
    pub unknown: Vec<String>,
}

/// Decodes `value` as the definition `def`, the way the API server's JSON decoder would.
/// `Err` carries the message that follows `X in version "v" cannot be handled as a X: `.
pub fn decode_typed(schema: &Schema, def: &str, value: Value) -> Result<Decoded, String> {
    let mut unknown = Vec::new();
    let mut object = value;
    walk_def(schema, def, &mut object, &Path::Root, &mut unknown, 0)?;
    Ok(Decoded { object, unknown })
}

const MAX_DEPTH: usize = 100;

/// Where a value sits, as a chain on the stack; its text is made only for a message. Two ways
/// to read it: as Go's JSON decoder names a field in type errors (no indexes or map keys:
/// `spec.containers.image`) and as strict decoding names it (`spec.containers[0].image`).
enum Path<'a> {
    Root,
    Field(&'a Path<'a>, &'a str),
    /// A map value: Go's decoder does not name map keys in its paths.
    MapValue(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn go(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Field(up, k) => join(up.go(), k),
            Path::MapValue(up, _) | Path::Index(up, _) => up.go(),
        }
    }
    fn strict(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Field(up, k) | Path::MapValue(up, k) => join(up.strict(), k),
            Path::Index(up, i) => format!("{}[{i}]", up.strict()),
        }
    }
}

fn join(mut up: String, k: &str) -> String {
    if !up.is_empty() {
        up.push('.');
    }
    up.push_str(k);
    up
}

/// Checks `value` as the definition `def` in place: unknown fields and what Go's JSON leaves
/// out are removed, quantities made canonical.
fn walk_def(schema: &Schema, def: &str, value: &mut Value, path: &Path, unknown: &mut Vec<String>, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err("exceeded max depth".into());
    }
    match schema.definition(def) {
        Some(Definition::Object { props, omit_zero, .. }) => match value {
            Value::Null => Ok(()),
            Value::Object(map) => {
                let mut drop: Vec<String> = Vec::new();
                for (k, v) in map.iter_mut() {
                    let child = Path::Field(path, k);
                    match props.get(k) {
                        Some(t) => {
                            walk_type(schema, t, v, &child, def, unknown, depth + 1)?;
                            // Go's JSON leaves out null and (omitempty) empty maps and lists.
                            // A named type (`status: {}` of a CRD's subresources, a pointer to an
                            // empty struct in Go) stays.
                            let empty_collection = match (t, &*v) {
                                (FieldType::Map(_), Value::Object(m)) => m.is_empty(),
                                (FieldType::Array(_), Value::Array(a)) => a.is_empty(),
                                _ => false,
                            };
                            // And the zero value of a plain omitempty field (`stdin: false`).
                            let omitted_zero = (*v == Value::Bool(false) || v.as_str() == Some("") || v.as_f64() == Some(0.0)) && omit_zero.iter().any(|z| z == k);
                            if v.is_null() || empty_collection || omitted_zero {
                                drop.push(k.clone());
                            }
                        }
                        None => {
                            unknown.push(format!("unknown field {}", crate::api::field::go_quote(&child.strict())));
                            drop.push(k.clone());
                        }
                    }
                }
                for k in drop {
                    map.remove(&k);
                }
                Ok(())
            }
            other => Err(type_error(other, &path.go(), def_owner(def), &go_type_name(def))),
        },
        Some(Definition::Scalar(t)) => walk_type(schema, t, value, path, def, unknown, depth + 1),
        None => Ok(()),
    }
}

/// The Go struct whose field a path ends in, for messages (`DeploymentSpec`).
fn def_owner(def: &str) -> &str {
    def.rsplit('.').next().unwrap_or(def)
}

fn json_kind(v: &Value, numeric_target: bool) -> String {
    match v {
        Value::String(_) => "string".into(),
        // Go names the literal only when it failed to fit a number type.
        Value::Number(n) if numeric_target => format!("number {n}"),
        Value::Number(_) => "number".into(),
        Value::Bool(_) => "bool".into(),
        Value::Array(_) => "array".into(),
        Value::Object(_) => "object".into(),
        Value::Null => "null".into(),
    }
}

fn type_error(v: &Value, path: &str, owner: &str, go_type: &str) -> String {
    let numeric = matches!(go_type, "int32" | "int64" | "float64");
    if path.is_empty() {
        format!("json: cannot unmarshal {} into Go value of type {go_type}", json_kind(v, numeric))
    } else {
        format!("json: cannot unmarshal {} into Go struct field {owner}.{path} of type {go_type}", json_kind(v, numeric))
    }
}

fn go_type_of(schema: &Schema, t: &FieldType) -> String {
    match t {
        FieldType::String | FieldType::DateTime => "string".into(),
        FieldType::Int32 => "int32".into(),
        FieldType::Int64 => "int64".into(),
        FieldType::Double => "float64".into(),
        FieldType::Boolean => "bool".into(),
        FieldType::Bytes => "[]uint8".into(),
        FieldType::Quantity => "resource.Quantity".into(),
        FieldType::IntOrString => "intstr.IntOrString".into(),
        FieldType::Any => "interface {}".into(),
        FieldType::Array(inner) => format!("[]{}", go_type_of(schema, inner)),
        FieldType::Map(inner) => format!("map[string]{}", go_type_of(schema, inner)),
        FieldType::Ref(name) => match schema.definition(name) {
            Some(Definition::Scalar(FieldType::DateTime)) => "v1.Time".into(),
            _ => go_type_name(name),
        },
    }
}

fn walk_type(schema: &Schema, t: &FieldType, value: &mut Value, path: &Path, owner_def: &str, unknown: &mut Vec<String>, depth: usize) -> Result<(), String> {
    if value.is_null() {
        return Ok(());
    }
    if depth > MAX_DEPTH {
        return Err("exceeded max depth".into());
    }
    let owner = def_owner(owner_def);
    let mismatch = |v: &Value| Err(type_error(v, &path.go(), owner, &go_type_of(schema, t)));
    let resolved = schema.resolve(t);
    match resolved {
        FieldType::String => match value {
            Value::String(_) => Ok(()),
            other => mismatch(other),
        },
        FieldType::DateTime => match value {
            Value::String(s) if crate::sim::clock::Timestamp::parse_rfc3339(s).is_some() => Ok(()),
            Value::String(s) => Err(format!("parsing time {} as \"2006-01-02T15:04:05Z07:00\": cannot parse {} as \"2006\"", crate::api::field::go_quote(s), crate::api::field::go_quote(s))),
            other => mismatch(other),
        },
        FieldType::Int32 | FieldType::Int64 => {
            let bits32 = matches!(resolved, FieldType::Int32);
            let ok = match &*value {
                Value::Number(n) => n.as_i64().is_some_and(|i| !bits32 || (i32::MIN as i64..=i32::MAX as i64).contains(&i)),
                _ => false,
            };
            if ok {
                Ok(())
            } else {
                mismatch(value)
            }
        }
        FieldType::Double => match value {
            Value::Number(_) => Ok(()),
            other => mismatch(other),
        },
        FieldType::Boolean => match value {
            Value::Bool(_) => Ok(()),
            other => mismatch(other),
        },
        FieldType::Bytes => match value {
            Value::String(s) => match crate::api::base64::decode(s) {
                Ok(_) => Ok(()),
                Err(at) => Err(format!("illegal base64 data at input byte {at}")),
            },
            other => mismatch(other),
        },
        FieldType::Quantity => {
            let parsed = match &*value {
                Value::String(s) => Quantity::parse(s.trim()),
                Value::Number(n) => Quantity::parse(&n.to_string()),
                other => return mismatch(other),
            };
            match parsed {
                Ok(q) => {
                    let canonical = q.canonical();
                    if value.as_str() != Some(canonical.as_str()) {
                        *value = Value::String(canonical);
                    }
                    Ok(())
                }
                Err(e) => Err(e.to_string()),
            }
        }
        FieldType::IntOrString => match &*value {
            Value::String(_) => Ok(()),
            Value::Number(n) if n.as_i64().is_some_and(|i| (i32::MIN as i64..=i32::MAX as i64).contains(&i)) => Ok(()),
            other => mismatch(other),
        },
        FieldType::Any => Ok(()),
        FieldType::Array(inner) => match value {
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    walk_type(schema, inner, item, &Path::Index(path, i), owner_def, unknown, depth + 1)?;
                }
                Ok(())
            }
            other => mismatch(other),
        },
        FieldType::Map(inner) => match value {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    walk_type(schema, inner, v, &Path::MapValue(path, k), owner_def, unknown, depth + 1)?;
                }
                Ok(())
            }
            other => mismatch(other),
        },
        FieldType::Ref(name) => walk_def(schema, name, value, path, unknown, depth),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(spec: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": spec})
    }

    #[test]
    fn unknown_fields_are_found_and_dropped() {
        let s = Schema::v1_33();
        let def = s.kind("apps/v1", "Deployment").unwrap();
        let d = decode_typed(s, def, deployment(json!({"replica": 3, "template": {"spec": {"containers": [{"name": "a", "imagee": "x"}]}}}))).unwrap();
        assert_eq!(d.unknown, ["unknown field \"spec.replica\"", "unknown field \"spec.template.spec.containers[0].imagee\""]);
        assert!(d.object["spec"].get("replica").is_none());
    }

    #[test]
    fn type_mismatches_read_like_go() {
        let s = Schema::v1_33();
        let def = s.kind("apps/v1", "Deployment").unwrap();
        let e = decode_typed(s, def, deployment(json!({"replicas": "3"}))).unwrap_err();
        assert_eq!(e, "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32");
    }

    #[test]
    fn quantities_become_canonical() {
        let s = Schema::v1_33();
        let def = s.kind("v1", "Pod").unwrap();
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "a", "image": "nginx", "resources": {"requests": {"cpu": 0.5, "memory": "1024Mi"}}}]}});
        let d = decode_typed(s, def, pod).unwrap();
        assert_eq!(d.object["spec"]["containers"][0]["resources"]["requests"], json!({"cpu": "500m", "memory": "1Gi"}));
        let bad = json!({"spec": {"containers": [{"resources": {"limits": {"cpu": "lots"}}}]}});
        assert!(decode_typed(s, def, bad).unwrap_err().starts_with("quantities must match"));
    }

    #[test]
    fn bounded_parsing() {
        let big = Request::new(super::super::request::Method::Post, "/api/v1/namespaces/d/configmaps").with_bytes("application/json", vec![b' '; MAX_BODY_BYTES + 1]);
        assert_eq!(parse_body(&big).unwrap_err().to_string(), "Request entity too large: limit is 3145728");
        let deep = Request::new(super::super::request::Method::Post, "/x").with_bytes("application/json", "[".repeat(200_000));
        assert!(matches!(parse_body(&deep), Err(ApiError::BadRequest(_))));
        let deep_yaml = Request::new(super::super::request::Method::Post, "/x").with_bytes("application/yaml", "[".repeat(200_000));
        assert!(matches!(parse_body(&deep_yaml), Err(ApiError::BadRequest(_))));
    }
}
