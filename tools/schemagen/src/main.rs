//! Writes the field schema of Kubernetes v1.33's built-in kinds as compact JSON.
//!
//! The facts come from k8s-openapi (generated from Kubernetes' OpenAPI document): for every
//! definition reachable from the kinds below, its properties and their types. Descriptions are
//! left out. Usage: `cargo run --release -- ../../core/data/schema/v1.33.json`.
//!
//! Output shape (version 1):
//! `{"version":1,"kinds":{"apps/v1/Deployment":"io.k8s.api.apps.v1.Deployment",...},
//!   "definitions":{"io.k8s.api.apps.v1.DeploymentSpec":{"props":{"replicas":"int32",...},
//!   "required":[...]},...}}` where a type is `string`, `int32`, `int64`, `double`, `boolean`,
//! `byte` (base64 string), `date-time`, `quantity`, `int-or-string`, `any`, `[]T` (array of T),
//! `{}T` (map of string to T) or `#Name` (another definition).

use std::collections::BTreeMap;

use schemars::gen::{SchemaGenerator, SchemaSettings};
use schemars::schema::{InstanceType, Schema, SchemaObject, SingleOrVec};
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

mod gotypes;
mod proto;

macro_rules! kinds {
    ($gen:ident, $out:ident; $($gv:literal => [$($ty:path),* $(,)?]),* $(,)?) => {
        $($(
            {
                let name = <$ty as JsonSchema>::schema_name();
                let kind = name.rsplit('.').next().unwrap().to_string();
                $gen.subschema_for::<$ty>();
                $out.insert(format!("{}/{}", $gv, kind), name);
            }
        )*)*
    };
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: hakoniwa-schemagen OUT.json [PROTO_DIR...]");
    // Optional: PROTO_DIR... then GO_API_DIR GO_APIMACHINERY_DIR after `--go`.
    let rest: Vec<String> = std::env::args().skip(2).collect();
    let split = rest.iter().position(|a| a == "--go").unwrap_or(rest.len());
    let proto_dirs: Vec<String> = rest[..split].to_vec();
    let go_dirs: Vec<String> = rest.get(split + 1..).map(<[String]>::to_vec).unwrap_or_default();
    let mut gen = SchemaGenerator::new(SchemaSettings::openapi3());
    let mut kinds = BTreeMap::new();
    use k8s_openapi::api as a;
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1 as apiext;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
    kinds!(gen, kinds;
        "v1" => [
            a::core::v1::Binding, a::core::v1::ComponentStatus, a::core::v1::ConfigMap, a::core::v1::Endpoints,
            a::core::v1::Event, a::core::v1::LimitRange, a::core::v1::Namespace, a::core::v1::Node,
            a::core::v1::PersistentVolume, a::core::v1::PersistentVolumeClaim, a::core::v1::Pod,
            a::core::v1::PodTemplate, a::core::v1::ReplicationController, a::core::v1::ResourceQuota,
            a::core::v1::Secret, a::core::v1::Service, a::core::v1::ServiceAccount,
            meta::Status, meta::DeleteOptions, meta::APIResourceList, meta::APIGroupList, meta::APIGroup,
        ],
        "apps/v1" => [a::apps::v1::ControllerRevision, a::apps::v1::DaemonSet, a::apps::v1::Deployment, a::apps::v1::ReplicaSet, a::apps::v1::StatefulSet],
        "authentication.k8s.io/v1" => [a::authentication::v1::TokenReview, a::authentication::v1::SelfSubjectReview, a::authentication::v1::TokenRequest],
        "authorization.k8s.io/v1" => [
            a::authorization::v1::LocalSubjectAccessReview, a::authorization::v1::SelfSubjectAccessReview,
            a::authorization::v1::SelfSubjectRulesReview, a::authorization::v1::SubjectAccessReview,
        ],
        "autoscaling/v1" => [a::autoscaling::v1::HorizontalPodAutoscaler, a::autoscaling::v1::Scale],
        "autoscaling/v2" => [a::autoscaling::v2::HorizontalPodAutoscaler],
        "batch/v1" => [a::batch::v1::CronJob, a::batch::v1::Job],
        "certificates.k8s.io/v1" => [a::certificates::v1::CertificateSigningRequest],
        "coordination.k8s.io/v1" => [a::coordination::v1::Lease],
        "discovery.k8s.io/v1" => [a::discovery::v1::EndpointSlice],
        "events.k8s.io/v1" => [a::events::v1::Event],
        "networking.k8s.io/v1" => [
            a::networking::v1::Ingress, a::networking::v1::IngressClass, a::networking::v1::NetworkPolicy,
            a::networking::v1::IPAddress, a::networking::v1::ServiceCIDR,
        ],
        "node.k8s.io/v1" => [a::node::v1::RuntimeClass],
        "policy/v1" => [a::policy::v1::PodDisruptionBudget, a::policy::v1::Eviction],
        "rbac.authorization.k8s.io/v1" => [a::rbac::v1::ClusterRole, a::rbac::v1::ClusterRoleBinding, a::rbac::v1::Role, a::rbac::v1::RoleBinding],
        "scheduling.k8s.io/v1" => [a::scheduling::v1::PriorityClass],
        "storage.k8s.io/v1" => [
            a::storage::v1::CSIDriver, a::storage::v1::CSINode, a::storage::v1::CSIStorageCapacity,
            a::storage::v1::StorageClass, a::storage::v1::VolumeAttachment,
        ],
        "admissionregistration.k8s.io/v1" => [
            a::admissionregistration::v1::MutatingWebhookConfiguration, a::admissionregistration::v1::ValidatingWebhookConfiguration,
            a::admissionregistration::v1::ValidatingAdmissionPolicy, a::admissionregistration::v1::ValidatingAdmissionPolicyBinding,
        ],
        "apiextensions.k8s.io/v1" => [apiext::CustomResourceDefinition],
        "apiregistration.k8s.io/v1" => [k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService],
        "flowcontrol.apiserver.k8s.io/v1" => [a::flowcontrol::v1::FlowSchema, a::flowcontrol::v1::PriorityLevelConfiguration],
    );
    let mut defs = Map::new();
    for (name, schema) in gen.definitions() {
        defs.insert(name.clone(), definition(name, schema));
    }
    let messages = proto::read_dirs(&proto_dirs);
    let mut numbered = 0;
    // Field numbers go to a file of their own (NAME.proto.json): only the native server, which
    // reads protobuf from clients, links them; the browser's build does not carry them.
    let mut proto_numbers = Map::new();
    for (def, fields) in &messages {
        let Some(Value::Object(d)) = defs.get(def) else { continue };
        let props: Vec<String> = d.get("props").and_then(Value::as_object).map(|p| p.keys().cloned().collect()).unwrap_or_default();
        let mut numbers = Map::new();
        for f in fields {
            if props.contains(&f.name) {
                numbers.insert(f.number.to_string(), Value::String(f.name.clone()));
            } else if let Some(t) = &f.message {
                // A Go embedded struct: a message on the wire, inlined in JSON.
                numbers.insert(f.number.to_string(), Value::String(format!("*{t}")));
            }
        }
        if !numbers.is_empty() {
            proto_numbers.insert(def.clone(), Value::Object(numbers));
            numbered += 1;
        }
    }
    // Embedded structs that are no definition of their own (ProbeHandler, VolumeSource,
    // IngressRuleValue, ...): their numbers by field name; the reader lends them the props of
    // the definition that inlines them.
    let inlined: Vec<String> = proto_numbers
        .values()
        .filter_map(Value::as_object)
        .flat_map(|m| m.values().filter_map(|v| v.as_str().and_then(|s| s.strip_prefix('*')).map(str::to_string)).collect::<Vec<_>>())
        .filter(|t| !defs.contains_key(t))
        .collect();
    for t in inlined {
        let Some(fields) = messages.get(&t) else { continue };
        let numbers: Map<String, Value> = fields.iter().map(|f| (f.number.to_string(), Value::String(f.name.clone()))).collect();
        proto_numbers.insert(t, Value::Object(numbers));
        numbered += 1;
    }
    eprintln!("protobuf field numbers for {numbered} definitions");
    if go_dirs.len() == 2 {
        let omit = gotypes::read(&[(go_dirs[0].clone(), "io.k8s.api"), (go_dirs[1].clone(), "io.k8s.apimachinery")]);
        let mut marked = 0;
        for (def, facts) in omit {
            let Some(Value::Object(d)) = defs.get_mut(&def) else { continue };
            let props: Vec<String> = d.get("props").and_then(Value::as_object).map(|p| p.keys().cloned().collect()).unwrap_or_default();
            let list: Vec<Value> = facts.omit_zero.into_iter().filter(|f| props.contains(f)).map(Value::String).collect();
            if !list.is_empty() {
                d.insert("omitZero".into(), Value::Array(list));
                marked += 1;
            }
            let patch: Map<String, Value> = facts.patch.into_iter().filter(|(f, _)| props.contains(f)).map(|(f, s)| (f, Value::String(s))).collect();
            if !patch.is_empty() {
                d.insert("patch".into(), Value::Object(patch));
            }
        }
        eprintln!("omitempty value fields for {marked} definitions");
    }
    let out = json!({"version": 1, "kinds": kinds, "definitions": defs});
    let mut text = serde_json::to_string(&out).expect("serialisable");
    text.push('\n');
    std::fs::write(&path, text).expect("written");
    let proto_path = path.strip_suffix(".json").map_or_else(|| format!("{path}.proto"), |p| format!("{p}.proto.json"));
    let mut text = serde_json::to_string(&json!({"version": 1, "proto": proto_numbers})).expect("serialisable");
    text.push('\n');
    std::fs::write(&proto_path, text).expect("written");
    eprintln!("wrote {} definitions for {} kinds to {path}", defs.len(), kinds.len());
}

fn definition(name: &str, schema: &Schema) -> Value {
    let obj = match schema {
        Schema::Object(o) => o,
        Schema::Bool(_) => return json!({"type": "any"}),
    };
    let mut d = Map::new();
    match obj.object.as_deref() {
        Some(o) if !o.properties.is_empty() => {
            let props: Map<String, Value> = o.properties.iter().map(|(k, s)| (k.clone(), Value::String(type_of(s)))).collect();
            d.insert("props".into(), Value::Object(props));
            if !o.required.is_empty() {
                d.insert("required".into(), json!(o.required));
            }
        }
        _ => {
            d.insert("type".into(), Value::String(scalar(name, obj)));
        }
    }
    Value::Object(d)
}

fn type_of(schema: &Schema) -> String {
    let obj = match schema {
        Schema::Object(o) => o,
        Schema::Bool(_) => return "any".into(),
    };
    if let Some(r) = &obj.reference {
        return format!("#{}", r.rsplit('/').next().unwrap_or(r));
    }
    if let Some(arr) = obj.array.as_deref() {
        if let Some(SingleOrVec::Single(items)) = &arr.items {
            return format!("[]{}", type_of(items));
        }
    }
    if let Some(o) = obj.object.as_deref() {
        if let Some(extra) = &o.additional_properties {
            return format!("{{}}{}", type_of(extra));
        }
    }
    scalar("", obj)
}

fn scalar(name: &str, obj: &SchemaObject) -> String {
    // Free-form JSON: the schema says "object", but any value is allowed.
    if name.ends_with("apiextensions.v1.JSON") || name.ends_with("meta.v1.FieldsV1") || name.ends_with("runtime.RawExtension") {
        return "any".into();
    }
    if name.ends_with("resource.Quantity") {
        return "quantity".into();
    }
    if name.ends_with("intstr.IntOrString") || obj.extensions.contains_key("x-kubernetes-int-or-string") {
        return "int-or-string".into();
    }
    let ty = match &obj.instance_type {
        Some(SingleOrVec::Single(t)) => Some(**t),
        _ => None,
    };
    match (ty, obj.format.as_deref()) {
        (Some(InstanceType::String), Some("byte")) => "byte".into(),
        (Some(InstanceType::String), Some("date-time")) => "date-time".into(),
        (Some(InstanceType::String), _) => "string".into(),
        (Some(InstanceType::Integer), Some("int32")) => "int32".into(),
        (Some(InstanceType::Integer), _) => "int64".into(),
        (Some(InstanceType::Number), _) => "double".into(),
        (Some(InstanceType::Boolean), _) => "boolean".into(),
        (Some(InstanceType::Object), _) => "{}any".into(),
        _ => "any".into(),
    }
}
