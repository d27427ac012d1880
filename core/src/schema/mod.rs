//! The field schema of Kubernetes' built-in kinds: which fields each type has and of what type.
//! It is data (`core/data/schema/v1.33.json`, written by `tools/schemagen` from k8s-openapi)
//! read once on first use. Strict decoding, pruning and (later) `kubectl explain` use it.

pub mod complete;

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;

/// The schema format this build reads.
pub const SCHEMA_FORMAT_VERSION: u32 = 1;

const SCHEMA_V1_33: &str = include_str!("../../data/schema/v1.33.json");
/// Protobuf field numbers (`NAME.proto.json`): only a build that reads protobuf from clients
/// (the native server, feature `wire`) carries them.
#[cfg(feature = "wire")]
const PROTO_V1_33: &str = include_str!("../../data/schema/v1.33.proto.json");

/// The type of a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldType {
    String,
    Int32,
    Int64,
    Double,
    Boolean,
    /// base64-encoded bytes (Secret `data`, ConfigMap `binaryData`).
    Bytes,
    /// RFC 3339 time.
    DateTime,
    /// A resource quantity (`500m`, `1Gi`); a string or a number.
    Quantity,
    /// An integer or a string (`targetPort`, `maxSurge`).
    IntOrString,
    /// Any JSON (RawExtension, JSON fields).
    Any,
    Array(Box<FieldType>),
    Map(Box<FieldType>),
    /// Another definition, by its full name.
    Ref(String),
}

impl FieldType {
    fn parse(s: &str) -> FieldType {
        if let Some(rest) = s.strip_prefix("[]") {
            return FieldType::Array(Box::new(FieldType::parse(rest)));
        }
        if let Some(rest) = s.strip_prefix("{}") {
            return FieldType::Map(Box::new(FieldType::parse(rest)));
        }
        if let Some(rest) = s.strip_prefix('#') {
            return FieldType::Ref(rest.to_string());
        }
        match s {
            "string" => FieldType::String,
            "int32" => FieldType::Int32,
            "int64" => FieldType::Int64,
            "double" => FieldType::Double,
            "boolean" => FieldType::Boolean,
            "byte" => FieldType::Bytes,
            "date-time" => FieldType::DateTime,
            "quantity" => FieldType::Quantity,
            "int-or-string" => FieldType::IntOrString,
            _ => FieldType::Any,
        }
    }
}

/// What a protobuf field number stands for in a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProtoField {
    /// The JSON property of that name.
    Named(String),
    /// An embedded Go struct: a message on the wire whose fields are inlined in JSON.
    Inline(String),
}

/// How a strategic merge patch treats a field (from the Go types' `patchStrategy` tags).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PatchStrategy {
    /// Lists are merged, not replaced.
    pub merge: bool,
    /// The key that identifies list elements (`name`, `containerPort`); none for lists of
    /// primitives.
    pub merge_key: Option<String>,
    /// `$retainKeys` is honoured.
    pub retain_keys: bool,
}

/// One definition: an object with properties, or a named scalar (Time, Quantity, ...).
#[derive(Clone, Debug)]
pub enum Definition {
    Object {
        props: BTreeMap<String, FieldType>,
        required: Vec<String>,
        proto: BTreeMap<u32, ProtoField>,
        /// Plain (non-pointer) `omitempty` fields: their zero value is left out of JSON.
        omit_zero: Vec<String>,
        /// Strategic merge patch behaviour of fields that are not simply replaced.
        patch: BTreeMap<String, PatchStrategy>,
    },
    Scalar(FieldType),
}

#[derive(Debug)]
pub struct Schema {
    /// `apps/v1/Deployment` → `io.k8s.api.apps.v1.Deployment`.
    kinds: HashMap<String, String>,
    definitions: HashMap<String, Definition>,
}

#[derive(Deserialize)]
struct RawSchema {
    version: u32,
    kinds: HashMap<String, String>,
    definitions: HashMap<String, RawDefinition>,
}

#[derive(Deserialize)]
struct RawDefinition {
    #[serde(default)]
    props: BTreeMap<String, String>,
    #[serde(default)]
    required: Vec<String>,
    #[serde(rename = "type")]
    scalar: Option<String>,
    #[serde(default, rename = "omitZero")]
    omit_zero: Vec<String>,
    #[serde(default)]
    patch: BTreeMap<String, String>,
}

impl Schema {
    /// The schema of Kubernetes v1.33, parsed on first use.
    pub fn v1_33() -> &'static Schema {
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(|| {
            #[allow(unused_mut)]
            let mut schema = Schema::parse(SCHEMA_V1_33).unwrap_or_else(|e| panic!("built-in schema is broken: {e}"));
            #[cfg(feature = "wire")]
            schema.add_proto(PROTO_V1_33).unwrap_or_else(|e| panic!("built-in protobuf numbers are broken: {e}"));
            schema
        })
    }

    /// Adds protobuf field numbers (`{"version": 1, "proto": {DEFINITION: {NUMBER: FIELD}}}`,
    /// a field `*DEF` being an embedded message inlined in JSON).
    pub fn add_proto(&mut self, text: &str) -> Result<(), String> {
        #[derive(Deserialize)]
        struct RawProto {
            version: u32,
            proto: HashMap<String, BTreeMap<String, String>>,
        }
        let raw: RawProto = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if raw.version != SCHEMA_FORMAT_VERSION {
            return Err(format!("protobuf numbers format version {} is not supported", raw.version));
        }
        let numbers = |fields: &BTreeMap<String, String>| -> BTreeMap<u32, ProtoField> {
            fields
                .iter()
                .filter_map(|(n, f)| {
                    let field = match f.strip_prefix('*') {
                        Some(def) => ProtoField::Inline(def.to_string()),
                        None => ProtoField::Named(f.clone()),
                    };
                    Some((n.parse().ok()?, field))
                })
                .collect()
        };
        for (def, fields) in &raw.proto {
            if let Some(Definition::Object { proto, .. }) = self.definitions.get_mut(def) {
                *proto = numbers(fields);
            }
        }
        // An embedded struct with no definition of its own (ProbeHandler, VolumeSource, ...)
        // reads its fields with the types of the definition that inlines it.
        let mut lent: Vec<(String, BTreeMap<String, FieldType>)> = Vec::new();
        for d in self.definitions.values() {
            let Definition::Object { props, proto, .. } = d else { continue };
            for f in proto.values() {
                if let ProtoField::Inline(inner) = f {
                    if !self.definitions.contains_key(inner) {
                        let names: Vec<&String> = raw.proto.get(inner).map(|m| m.values().collect()).unwrap_or_default();
                        lent.push((inner.clone(), props.iter().filter(|(k, _)| names.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect()));
                    }
                }
            }
        }
        for (inner, props) in lent {
            let proto = raw.proto.get(&inner).map(&numbers).unwrap_or_default();
            self.definitions.entry(inner).or_insert(Definition::Object { props, required: Vec::new(), proto, omit_zero: Vec::new(), patch: BTreeMap::new() });
        }
        Ok(())
    }

    pub fn parse(text: &str) -> Result<Schema, String> {
        let raw: RawSchema = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if raw.version != SCHEMA_FORMAT_VERSION {
            return Err(format!("schema format version {} is not supported", raw.version));
        }
        let definitions = raw
            .definitions
            .into_iter()
            .map(|(name, d)| {
                let def = match d.scalar {
                    Some(t) if d.props.is_empty() => Definition::Scalar(FieldType::parse(&t)),
                    _ => Definition::Object {
                        props: d.props.iter().map(|(k, v)| (k.clone(), FieldType::parse(v))).collect(),
                        required: d.required,
                        proto: BTreeMap::new(),
                        omit_zero: d.omit_zero,
                        patch: d
                            .patch
                            .iter()
                            .map(|(f, spec)| {
                                let mut ps = PatchStrategy::default();
                                for part in spec.split(',') {
                                    match part.split_once(':') {
                                        Some(("merge", key)) => {
                                            ps.merge = true;
                                            ps.merge_key = Some(key.to_string());
                                        }
                                        _ if part == "merge" => ps.merge = true,
                                        _ if part == "retainKeys" => ps.retain_keys = true,
                                        _ => {}
                                    }
                                }
                                (f.clone(), ps)
                            })
                            .collect(),
                    },
                };
                (name, def)
            })
            .collect();
        Ok(Schema { kinds: raw.kinds, definitions })
    }

    /// The definition name of a kind (`apiVersion` as in manifests: `v1`, `apps/v1`).
    pub fn kind(&self, api_version: &str, kind: &str) -> Option<&str> {
        self.kinds.get(&format!("{api_version}/{kind}")).map(String::as_str)
    }

    pub fn definition(&self, name: &str) -> Option<&Definition> {
        self.definitions.get(name)
    }

    /// A reference followed to the scalar it names, if it names one (`Time` → DateTime).
    pub fn resolve<'a>(&'a self, t: &'a FieldType) -> &'a FieldType {
        match t {
            FieldType::Ref(name) => match self.definitions.get(name) {
                Some(Definition::Scalar(s)) => s,
                _ => t,
            },
            _ => t,
        }
    }
}

/// The Go type name Kubernetes' decoder mentions for a definition (`v1.Container`,
/// `resource.Quantity`): the package's last segment and the type's name.
pub fn go_type_name(definition: &str) -> String {
    let mut parts = definition.rsplit('.');
    let ty = parts.next().unwrap_or(definition);
    let pkg = parts.next().unwrap_or("");
    if pkg.is_empty() {
        ty.to_string()
    } else {
        format!("{pkg}.{ty}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_schema_knows_the_served_kinds() {
        let s = Schema::v1_33();
        let dep = s.kind("apps/v1", "Deployment").expect("Deployment");
        let Some(Definition::Object { props, .. }) = s.definition(dep) else { panic!("object") };
        assert!(props.contains_key("spec"));
        let spec = match &props["spec"] {
            FieldType::Ref(r) => r.clone(),
            other => panic!("{other:?}"),
        };
        let Some(Definition::Object { props, required, .. }) = s.definition(&spec) else { panic!("object") };
        assert_eq!(props["replicas"], FieldType::Int32);
        assert!(required.contains(&"selector".to_string()));
        assert!(s.kind("v1", "Pod").is_some());
        assert!(s.kind("batch/v1beta1", "CronJob").is_none());
        let time = FieldType::Ref("io.k8s.apimachinery.pkg.apis.meta.v1.Time".into());
        assert_eq!(s.resolve(&time), &FieldType::DateTime);
    }

    #[test]
    fn go_type_names() {
        assert_eq!(go_type_name("io.k8s.api.core.v1.Container"), "v1.Container");
        assert_eq!(go_type_name("io.k8s.apimachinery.pkg.api.resource.Quantity"), "resource.Quantity");
    }
}
