//! How server-side apply sees each field: a struct whose fields merge one by one, a map merged
//! key by key, a list whose items are known by key fields or by value, or an atomic value
//! replaced as a whole. The list and map types come from Kubernetes' OpenAPI
//! (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`, `x-kubernetes-map-type`), kept in
//! `core/data/schema/v1.33.fields.json` (written by tools/fieldsgen from client-go's
//! structured-merge-diff schema); the field types from the schema.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

use crate::apiserver::crd::schema::Structural;
use crate::schema::{Definition, FieldType, Schema};

/// The definition of every object's metadata.
const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// The format of the data file this build reads.
const FORMAT_VERSION: u32 = 1;

const FIELDS_V1_33: &str = include_str!("../../../data/schema/v1.33.fields.json");

#[derive(Deserialize)]
struct Raw {
    version: u32,
    lists: HashMap<String, HashMap<String, String>>,
    atomic: HashMap<String, Vec<String>>,
    #[serde(rename = "atomicTypes")]
    atomic_types: Vec<String>,
    #[serde(rename = "keyDefaults")]
    key_defaults: HashMap<String, BTreeMap<String, Value>>,
}

/// A list that is not atomic.
#[derive(Debug)]
enum ListKind {
    /// Distinct primitives (`x-kubernetes-list-type: set`).
    Set,
    /// Items known by the values of these fields (`x-kubernetes-list-type: map`).
    Map(Vec<String>),
}

struct Facts {
    lists: HashMap<String, HashMap<String, ListKind>>,
    atomic: HashMap<String, HashSet<String>>,
    atomic_types: HashSet<String>,
    key_defaults: HashMap<String, BTreeMap<String, Value>>,
}

fn facts() -> &'static Facts {
    static FACTS: OnceLock<Facts> = OnceLock::new();
    FACTS.get_or_init(|| {
        let raw: Raw = serde_json::from_str(FIELDS_V1_33).unwrap_or_else(|e| panic!("built-in list types are broken: {e}"));
        assert_eq!(raw.version, FORMAT_VERSION, "built-in list types: unknown format version");
        let lists = raw
            .lists
            .into_iter()
            .map(|(def, fields)| {
                let fields = fields
                    .into_iter()
                    .map(|(f, spec)| {
                        let kind = match spec.strip_prefix("map:") {
                            Some(keys) => ListKind::Map(keys.split(',').map(str::to_string).collect()),
                            None => ListKind::Set,
                        };
                        (f, kind)
                    })
                    .collect();
                (def, fields)
            })
            .collect();
        Facts {
            lists,
            atomic: raw.atomic.into_iter().map(|(d, f)| (d, f.into_iter().collect())).collect(),
            atomic_types: raw.atomic_types.into_iter().collect(),
            key_defaults: raw.key_defaults,
        }
    })
}

/// The shape of a value for server-side apply.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Ty<'a> {
    /// An object of a schema definition: its fields merge one by one.
    Struct(&'a str),
    /// A map of values of one type, merged key by key (labels, annotations).
    Map(&'a FieldType),
    /// A list whose items are known by key fields (containers by name).
    Keyed { keys: &'a [String], item: &'a FieldType },
    /// A list of distinct primitives (finalizers).
    Set,
    /// Replaced as a whole: scalars, atomic structs, maps and lists.
    Atomic,
    /// JSON the schema does not describe: objects merge key by key, the rest is atomic.
    Untyped,
    /// A node of a CustomResourceDefinition's structural schema, not yet classified (see
    /// [`classify`]).
    Node(&'a Structural),
    /// An object of a CRD's schema: fields and map entries merge one by one.
    NodeObject(&'a Structural),
    /// A list of a CRD's schema with `x-kubernetes-list-type: map`: items known by its keys.
    NodeKeyed(&'a Structural),
}

/// What a CRD schema node is to server-side apply: an object merged field by field (unless
/// `x-kubernetes-map-type: atomic`), a keyed list or a set by `x-kubernetes-list-type`
/// (lists are atomic otherwise), anything under `x-kubernetes-preserve-unknown-fields` alone
/// untyped, scalars atomic.
pub(crate) fn classify(ty: Ty<'_>) -> Ty<'_> {
    let Ty::Node(s) = ty else { return ty };
    if s.int_or_string {
        return Ty::Atomic;
    }
    match s.ty.as_str() {
        "object" if s.map_type == "atomic" => Ty::Atomic,
        "object" if s.properties.is_empty() && s.additional.is_none() && s.preserve_unknown => Ty::Untyped,
        "object" => Ty::NodeObject(s),
        "array" => match s.list_type.as_str() {
            "map" if !s.list_map_keys.is_empty() => Ty::NodeKeyed(s),
            "set" => Ty::Set,
            _ => Ty::Atomic,
        },
        "" if s.preserve_unknown => Ty::Untyped,
        _ => Ty::Atomic,
    }
}

/// The shape of field `field` (of type `t`) of definition `owner`.
pub(crate) fn field_ty<'a>(schema: &'a Schema, owner: Option<&str>, field: &str, t: &'a FieldType) -> Ty<'a> {
    let f = facts();
    match schema.resolve(t) {
        FieldType::Ref(def) => {
            if f.atomic_types.contains(def) {
                return Ty::Atomic;
            }
            match schema.definition(def) {
                Some(Definition::Object { .. }) => Ty::Struct(def),
                _ => Ty::Atomic,
            }
        }
        FieldType::Array(item) => match owner.and_then(|o| f.lists.get(o)).and_then(|l| l.get(field)) {
            Some(ListKind::Map(keys)) => Ty::Keyed { keys, item },
            Some(ListKind::Set) => Ty::Set,
            None => Ty::Atomic,
        },
        FieldType::Map(inner) => {
            if owner.and_then(|o| f.atomic.get(o)).is_some_and(|a| a.contains(field)) {
                Ty::Atomic
            } else {
                Ty::Map(inner)
            }
        }
        FieldType::Any => Ty::Untyped,
        _ => Ty::Atomic,
    }
}

/// The shape of a resource's objects: its CRD's schema for a custom resource, else its
/// kind's definition.
pub(crate) fn resource_ty<'a>(schema: &'a Schema, info: &'a crate::apiserver::registry::ResourceInfo, api_version: &str, kind: &str) -> Ty<'a> {
    match info.strategy.structural() {
        Some(s) => Ty::Node(s),
        None => root_ty(schema, api_version, kind),
    }
}

/// The shape of a kind's objects.
pub(crate) fn root_ty<'a>(schema: &'a Schema, api_version: &str, kind: &str) -> Ty<'a> {
    match schema.kind(api_version, kind) {
        Some(def) => Ty::Struct(def),
        None => Ty::Untyped,
    }
}

/// The shape of the member `key` of a value of shape `ty`.
pub(crate) fn member_ty<'a>(schema: &'a Schema, ty: Ty<'a>, key: &str) -> Ty<'a> {
    match classify(ty) {
        // A resource's metadata (at the root, or of an embedded resource) is ObjectMeta,
        // whatever the schema says of it.
        Ty::NodeObject(s) if key == "metadata" && (s.resource_root || s.embedded_resource) => Ty::Struct(OBJECT_META),
        Ty::NodeObject(s) => match s.child(key) {
            Some(c) => Ty::Node(c),
            None => Ty::Untyped,
        },
        Ty::Struct(def) => match schema.definition(def) {
            Some(Definition::Object { props, .. }) => match props.get(key) {
                Some(t) => field_ty(schema, Some(def), key, t),
                None => Ty::Untyped,
            },
            _ => Ty::Untyped,
        },
        Ty::Map(inner) => field_ty(schema, None, "", inner),
        Ty::Untyped => Ty::Untyped,
        _ => Ty::Atomic,
    }
}

/// The shape of the items of a list of shape `ty`.
pub(crate) fn item_ty<'a>(schema: &'a Schema, ty: Ty<'a>) -> Ty<'a> {
    match classify(ty) {
        Ty::Keyed { item, .. } => field_ty(schema, None, "", item),
        Ty::NodeKeyed(s) => s.items.as_deref().map_or(Ty::Untyped, Ty::Node),
        _ => Ty::Atomic,
    }
}

/// The path element of a list item: `k:{"name":"web"}` for keyed lists (missing key fields
/// take their defaults, `protocol` is `TCP`), `v:"x"` for sets; `None` when a key is missing.
pub(crate) fn item_element(ty: Ty<'_>, item: &Value) -> Option<String> {
    match classify(ty) {
        Ty::NodeKeyed(s) => {
            // Missing keys take the item schema's defaults.
            let mut key = serde_json::Map::new();
            for k in &s.list_map_keys {
                let v = match item.get(k) {
                    Some(v) if !v.is_null() => v.clone(),
                    _ => s.items.as_deref().and_then(|i| i.property(k)).and_then(|p| p.default.clone())?,
                };
                key.insert(k.clone(), v);
            }
            Some(format!("k:{}", Value::Object(key)))
        }
        Ty::Keyed { keys, item: item_type } => {
            let def = match item_type {
                FieldType::Ref(d) => Some(d.as_str()),
                _ => None,
            };
            let defaults = def.and_then(|d| facts().key_defaults.get(d));
            let mut key = serde_json::Map::new();
            for k in keys {
                let v = match item.get(k) {
                    Some(v) if !v.is_null() => v.clone(),
                    _ => defaults.and_then(|d| d.get(k)).cloned()?,
                };
                key.insert(k.clone(), v);
            }
            Some(format!("k:{}", Value::Object(key)))
        }
        Ty::Set => Some(format!("v:{item}")),
        _ => None,
    }
}

/// A kind's empty object as Kubernetes' converter writes a new Go value: plain structs as
/// `{}` and fields without `omitempty` as `null` (a create compares against it, so only what
/// the request adds is new).
pub(crate) fn zero_object(schema: &Schema, ty: Ty<'_>) -> Value {
    match ty {
        Ty::Struct(def) => zero_struct(schema, def, 0),
        _ => Value::Object(serde_json::Map::new()),
    }
}

/// What a write starts from: the old object, or for a create the kind's empty one.
pub(crate) fn old_or_zero<'a>(schema: &Schema, ty: Ty<'_>, old: Option<&'a Value>) -> std::borrow::Cow<'a, Value> {
    match old {
        Some(o) => std::borrow::Cow::Borrowed(o),
        None => std::borrow::Cow::Owned(zero_object(schema, ty)),
    }
}

fn zero_struct(schema: &Schema, def: &str, depth: usize) -> Value {
    let mut out = serde_json::Map::new();
    if depth > 6 {
        return Value::Object(out);
    }
    if let Some(Definition::Object { props, required, omit_zero, .. }) = schema.definition(def) {
        for (name, t) in props {
            let present = name == "metadata" || required.contains(name) || omit_zero.contains(name);
            if !present {
                continue;
            }
            let v = match schema.resolve(t) {
                FieldType::Ref(d) if matches!(schema.definition(d), Some(Definition::Object { .. })) => {
                    if required.contains(name) && !omit_zero.contains(name) && name != "metadata" && !is_plain_struct_field(name) {
                        // A required pointer to a struct (`selector`): null.
                        Value::Null
                    } else {
                        zero_struct(schema, d, depth + 1)
                    }
                }
                FieldType::Array(_) | FieldType::Map(_) => Value::Null,
                // Scalars only matter as leaves, where present or absent counts the same.
                _ => continue,
            };
            out.insert(name.clone(), v);
        }
    }
    Value::Object(out)
}

/// Required struct fields that are plain values in the Go types (not pointers).
fn is_plain_struct_field(name: &str) -> bool {
    matches!(name, "template" | "jobTemplate" | "spec")
}
