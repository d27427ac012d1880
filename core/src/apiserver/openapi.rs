//! `/openapi/v3`: the index of group versions and, for each, an OpenAPI 3 document with the
//! paths and operations the server serves (with the query parameters clients look for, such as
//! `fieldValidation`) and the field types of its kinds: built-in kinds' from the schema data,
//! custom resources' from their CustomResourceDefinition's schema (descriptions included), as
//! the apiextensions server publishes them.

use crate::sort::Order;
use serde_json::{json, Map, Value};

use crate::schema::{Definition, FieldType, Schema};

use super::registry::{ApiResource, Discovery, Registry};

fn gv_key(gv: &str) -> String {
    if gv.contains('/') {
        format!("apis/{gv}")
    } else {
        format!("api/{gv}")
    }
}

/// A stable tag for a document's contents (clients cache by it).
fn hash(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016X}{:016X}", h.rotate_left(17) ^ 0x9E37_79B9_7F4A_7C15)
}

/// The root: every group version and where its document is.
pub fn root(registry: &Registry) -> Value {
    let d = Discovery::v1_33();
    let mut keys: Vec<String> = d.resources.keys().map(|gv| gv_key(gv)).collect();
    for g in registry.custom_groups() {
        for v in &g.versions {
            if registry.custom_discoverable(&g.name, v).next().is_some() {
                keys.push(gv_key(&format!("{}/{v}", g.name)));
            }
        }
    }
    keys.order();
    let mut paths = Map::new();
    for key in keys {
        paths.insert(key.clone(), json!({"serverRelativeURL": format!("/openapi/v3/{key}?hash={}", hash(&key))}));
    }
    json!({"paths": paths})
}

fn param(name: &str, kind: &str) -> Value {
    json!({"name": name, "in": "query", "schema": {"type": kind, "uniqueItems": true}})
}

fn type_schema(t: &FieldType) -> Value {
    match t {
        FieldType::String | FieldType::DateTime => json!({"type": "string"}),
        FieldType::Int32 => json!({"type": "integer", "format": "int32"}),
        FieldType::Int64 => json!({"type": "integer", "format": "int64"}),
        FieldType::Double => json!({"type": "number", "format": "double"}),
        FieldType::Boolean => json!({"type": "boolean"}),
        FieldType::Bytes => json!({"type": "string", "format": "byte"}),
        FieldType::Quantity | FieldType::IntOrString => json!({"type": "string", "x-kubernetes-int-or-string": true}),
        FieldType::Any => json!({}),
        FieldType::Array(inner) => json!({"type": "array", "items": type_schema(inner)}),
        FieldType::Map(inner) => json!({"type": "object", "additionalProperties": type_schema(inner)}),
        FieldType::Ref(name) => json!({"allOf": [{"$ref": format!("#/components/schemas/{name}")}]}),
    }
}

fn collect_schemas(schema: &Schema, name: &str, out: &mut Map<String, Value>, depth: usize) {
    if out.contains_key(name) || depth > 64 {
        return;
    }
    let Some(def) = schema.definition(name) else { return };
    match def {
        Definition::Scalar(t) => {
            out.insert(name.to_string(), type_schema(t));
        }
        Definition::Object { props, required, .. } => {
            let mut p = Map::new();
            let mut refs = Vec::new();
            for (k, t) in props {
                p.insert(k.clone(), type_schema(t));
                let mut cur = t;
                loop {
                    match cur {
                        FieldType::Array(i) | FieldType::Map(i) => cur = i,
                        FieldType::Ref(r) => {
                            refs.push(r.clone());
                            break;
                        }
                        _ => break,
                    }
                }
            }
            let mut s = json!({"type": "object", "properties": p});
            if !required.is_empty() {
                s["required"] = json!(required);
            }
            out.insert(name.to_string(), s);
            for r in refs {
                collect_schemas(schema, &r, out, depth + 1);
            }
        }
    }
}

/// The document of one group version (`api/v1`, `apis/apps/v1`, a CRD's `apis/G/V`), or
/// `None`. `crd` finds a CustomResourceDefinition by name.
pub fn group_version(registry: &Registry, crd: &dyn Fn(&str) -> Option<std::sync::Arc<Value>>, key: &str) -> Option<Value> {
    let gv = key.strip_prefix("apis/").or_else(|| key.strip_prefix("api/"))?;
    let (group, version) = crate::api::meta::split_api_version(gv);
    let mut doc = Document { prefix: format!("/{key}"), group, version, paths: Map::new(), schemas: Map::new() };
    let schema = Schema::v1_33();
    if let Some(resources) = Discovery::v1_33().resources.get(gv) {
        for r in resources {
            let gvk = doc.paths_of(r);
            if !r.name.contains('/') {
                let api_version = crate::api::meta::api_version(gvk["group"].as_str().unwrap_or_default(), gvk["version"].as_str().unwrap_or_default());
                if let Some(def) = schema.kind(&api_version, &r.kind) {
                    collect_schemas(schema, def, &mut doc.schemas, 0);
                    if let Some(s) = doc.schemas.get_mut(def) {
                        s["x-kubernetes-group-version-kind"] = json!([gvk]);
                    }
                }
            }
        }
    } else {
        let custom: Vec<_> = registry.custom_discoverable(group, version).cloned().collect();
        if custom.is_empty() {
            return None;
        }
        for r in custom {
            let main = super::discovery::entry_of(&r);
            let gvk = doc.paths_of(&main);
            for sub in &r.subresources {
                // A CRD's subresources read and write its own kind (scale: autoscaling's Scale).
                doc.paths_of(sub);
            }
            let definition = crd(&format!("{}.{group}", r.resource)).and_then(|c| {
                let versions = c["spec"]["versions"].as_array()?;
                versions.iter().find(|v| v["name"] == version).map(|v| v["schema"]["openAPIV3Schema"].clone())
            });
            let mut s = custom_schema(definition.filter(Value::is_object));
            s["x-kubernetes-group-version-kind"] = json!([gvk]);
            collect_schemas(schema, OBJECT_META, &mut doc.schemas, 0);
            doc.schemas.insert(canonical_name(group, version, &r.kind), s);
        }
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.33.1"},
        "paths": doc.paths,
        "components": {"schemas": doc.schemas},
    }))
}

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// A custom kind's schema name: its group reversed, its version and kind
/// (`com.example.stable.v1.CronTab`).
fn canonical_name(group: &str, version: &str, kind: &str) -> String {
    let mut parts: Vec<&str> = group.split('.').collect();
    parts.reverse();
    format!("{}.{version}.{kind}", parts.join("."))
}

/// A CRD version's schema as served: the CRD's own (with its descriptions) and the object's
/// `apiVersion`, `kind` and `metadata`; without a schema, any object.
fn custom_schema(definition: Option<Value>) -> Value {
    let Some(mut s) = definition else { return json!({"type": "object"}) };
    if !s["properties"].is_object() {
        s["properties"] = json!({});
    }
    s["properties"]["apiVersion"] = json!({"type": "string"});
    s["properties"]["kind"] = json!({"type": "string"});
    s["properties"]["metadata"] = json!({"allOf": [{"$ref": format!("#/components/schemas/{OBJECT_META}")}]});
    s
}

/// The paths of one group version's document being built.
struct Document<'a> {
    prefix: String,
    group: &'a str,
    version: &'a str,
    paths: Map<String, Value>,
    schemas: Map<String, Value>,
}

impl Document<'_> {
    /// Adds the operations of a resource (or subresource) and returns the kind they carry.
    fn paths_of(&mut self, r: &ApiResource) -> Value {
        let prefix = &self.prefix;
        let (resource, sub) = match r.name.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (r.name.as_str(), None),
        };
        let kind_group = r.group.clone().unwrap_or_else(|| self.group.to_string());
        let kind_version = r.version.clone().unwrap_or_else(|| self.version.to_string());
        let gvk = json!({"group": kind_group, "version": kind_version, "kind": r.kind});
        let ns = if r.namespaced { "/namespaces/{namespace}" } else { "" };
        let write_params = || vec![param("dryRun", "string"), param("fieldManager", "string"), param("fieldValidation", "string")];
        let op = |action: &str, params: Vec<Value>| json!({"x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk, "parameters": params, "responses": {"200": {"description": "OK"}}});
        let verbs: Vec<&str> = r.verbs.iter().map(String::as_str).collect();
        let item_path = match sub {
            None => format!("{prefix}{ns}/{resource}/{{name}}"),
            Some(s) => format!("{prefix}{ns}/{resource}/{{name}}/{s}"),
        };
        let mut item = Map::new();
        if verbs.contains(&"get") {
            item.insert("get".into(), op("get", vec![]));
        }
        if verbs.contains(&"update") {
            item.insert("put".into(), op("put", write_params()));
        }
        if verbs.contains(&"patch") {
            let mut ps = write_params();
            ps.push(param("force", "boolean"));
            item.insert("patch".into(), op("patch", ps));
        }
        if verbs.contains(&"delete") {
            item.insert("delete".into(), op("delete", vec![param("dryRun", "string"), param("gracePeriodSeconds", "integer"), param("propagationPolicy", "string")]));
        }
        if sub.is_some() && verbs.contains(&"create") {
            item.insert("post".into(), op("post", write_params()));
        }
        if !item.is_empty() {
            self.paths.insert(item_path, Value::Object(item));
        }
        if sub.is_none() {
            let mut coll = Map::new();
            if verbs.contains(&"list") {
                coll.insert("get".into(), op("list", vec![param("labelSelector", "string"), param("fieldSelector", "string"), param("limit", "integer"), param("watch", "boolean")]));
            }
            if verbs.contains(&"create") {
                coll.insert("post".into(), op("post", write_params()));
            }
            if verbs.contains(&"deletecollection") {
                coll.insert("delete".into(), op("deletecollection", vec![param("labelSelector", "string")]));
            }
            if !coll.is_empty() {
                self.paths.insert(format!("{prefix}{ns}/{resource}"), Value::Object(coll));
            }
        }
        gvk
    }
}

/// `/openapi/v2`: an empty Swagger 2.0 document (paths and models are served by `/openapi/v3`),
/// as protobuf when asked for it, which is how kubectl asks.
pub fn v2(#[allow(unused_variables)] accept: Option<&str>) -> super::request::Response {
    #[cfg(feature = "wire")]
    if accept.is_some_and(|a| a.contains("protobuf")) {
        // openapi_v2.Document { swagger: "2.0", info: { title: "Kubernetes", version: "v1.33.1" } }
        let mut info = vec![0x0a, 10];
        info.extend_from_slice(b"Kubernetes");
        info.extend_from_slice(&[0x12, 7]);
        info.extend_from_slice(b"v1.33.1");
        let mut doc = vec![0x0a, 3];
        doc.extend_from_slice(b"2.0");
        doc.push(0x12);
        doc.push(info.len() as u8);
        doc.extend(info);
        return super::request::Response {
            status: 200,
            headers: vec![("content-type".into(), "application/com.github.proto-openapi.spec.v2.v1.0+protobuf".into())],
            body: super::request::ResponseBody::Bytes(doc),
        };
    }
    super::request::Response::object(200, json!({"swagger": "2.0", "info": {"title": "Kubernetes", "version": "v1.33.1"}, "paths": {}}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_say_where_field_validation_is_supported() {
        let registry = Registry::builtin();
        let r = root(&registry);
        let url = r["paths"]["apis/apps/v1"]["serverRelativeURL"].as_str().unwrap();
        assert!(url.starts_with("/openapi/v3/apis/apps/v1?hash="));
        let doc = group_version(&registry, &|_| None, "apis/apps/v1").unwrap();
        let patch = &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
        assert_eq!(patch["x-kubernetes-group-version-kind"]["kind"], "Deployment");
        assert!(patch["parameters"].as_array().unwrap().iter().any(|p| p["name"] == "fieldValidation"));
        assert!(doc["components"]["schemas"]["io.k8s.api.apps.v1.DeploymentSpec"]["properties"]["replicas"].is_object());
        assert!(group_version(&registry, &|_| None, "apis/nope/v1").is_none());
    }
}
