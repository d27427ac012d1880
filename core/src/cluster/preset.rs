//! Cluster presets: versioned data files (`core/data/presets/*.yaml`) that say which nodes a
//! cluster starts with and what they look like.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// The largest `moreWorkers` a preset may ask for (Kubernetes' documented limit is 5,000 nodes).
const MAX_MORE_WORKERS: u64 = 5_000;

/// The preset format this build reads.
pub const PRESET_FORMAT_VERSION: u32 = 1;

const BUILTIN: &[(&str, &str)] = &[
    ("kind", include_str!("../../data/presets/kind.yaml")),
    ("minikube", include_str!("../../data/presets/minikube.yaml")),
    ("kind-large", include_str!("../../data/presets/kind-large.yaml")),
];

#[derive(Debug, thiserror::Error)]
pub enum PresetError {
    /// No preset of that name is built in.
    #[error("unknown cluster preset {0:?}")]
    Unknown(String),
    /// The preset names an addon this build does not have.
    #[error("unknown addon {0:?}")]
    UnknownAddon(String),
    /// An addon manifest has a kind the API server does not serve.
    #[error("addon manifest of unknown kind {0}")]
    UnknownKind(String),
    /// The file is not YAML.
    #[error("preset {name}: {source}")]
    Yaml { name: String, source: serde_yaml::Error },
    /// The YAML does not have the preset's shape.
    #[error("preset {name}: {source}")]
    Shape { name: String, source: serde_json::Error },
    /// The file was written for another version of the format.
    #[error("preset {name}: format version {found} is not supported (this build reads {PRESET_FORMAT_VERSION})")]
    Version { name: String, found: u32 },
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Preset {
    pub version: u32,
    pub name: String,
    /// The kubectl context name users see (`kind-kind`, `minikube`).
    pub context: String,
    pub kubernetes_version: String,
    #[serde(rename = "serviceCIDR")]
    pub service_cidr: String,
    /// The address the `kubernetes` Service's endpoints point at.
    pub api_server_address: String,
    /// The API server's port (the `kubernetes` Service's target port).
    #[serde(default = "default_api_server_port")]
    pub api_server_port: i64,
    /// Values for the addons' `${NAME}` placeholders.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    #[serde(default)]
    pub storage_classes: Vec<StorageClassSpec>,
    pub node_defaults: NodeDefaults,
    pub nodes: Vec<NodeSpec>,
    /// Manifests applied through the API server at boot, in order.
    #[serde(default)]
    pub addons: Vec<String>,
    /// The static pod manifests of control-plane nodes (nodes labelled
    /// `node-role.kubernetes.io/control-plane`).
    #[serde(default)]
    pub static_pods: Option<String>,
    /// Images already on every node (kind's node image has the system images loaded).
    #[serde(default)]
    pub preloaded_images: Vec<String>,
    /// How long before the learner arrives the cluster was created: the control loops run this
    /// long at boot, so the system pods are up.
    #[serde(default)]
    pub warm_up_seconds: i64,
    /// How nodes added later (`kind` with one more worker, `minikube node add`) look.
    #[serde(default)]
    pub added_nodes: Option<AddedNodes>,
    /// The kubeconfig's user, as the API server knows them (`kubectl auth whoami`).
    #[serde(default)]
    pub admin_user: Option<AdminUser>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdminUser {
    pub name: String,
    pub groups: Vec<String>,
}

/// The shape of nodes added to a running cluster.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddedNodes {
    /// The name, with `{}` standing for a number: the count of nodes so far plus
    /// `number_offset`, zero-padded to `number_width` digits (the first free one is taken).
    pub name_pattern: String,
    #[serde(default)]
    pub number_offset: usize,
    #[serde(default = "one")]
    pub number_width: usize,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

fn one() -> usize {
    1
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeDefaults {
    pub capacity: BTreeMap<String, String>,
    pub node_info: BTreeMap<String, String>,
    /// Nodes' `spec.providerID` is this and the node name (none when absent).
    #[serde(rename = "providerIDPrefix", default)]
    pub provider_id_prefix: Option<String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StorageClassSpec {
    pub name: String,
    pub provisioner: String,
    pub reclaim_policy: String,
    pub volume_binding_mode: String,
    #[serde(default)]
    pub default: bool,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeSpec {
    pub name: String,
    #[serde(rename = "internalIP")]
    pub internal_ip: String,
    #[serde(rename = "podCIDR")]
    pub pod_cidr: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub taints: Vec<Value>,
}

fn default_api_server_port() -> i64 {
    6443
}

impl Preset {
    /// Names of the presets built into this binary.
    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        BUILTIN.iter().map(|(n, _)| *n)
    }

    pub fn builtin(name: &str) -> Result<Preset, PresetError> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name).ok_or_else(|| PresetError::Unknown(name.to_string()))?;
        Preset::parse(name, text)
    }

    /// A preset may name a built-in `base` and give only what differs (its top-level keys
    /// replace the base's), and ask for `moreWorkers`: that many workers after its listed nodes,
    /// named and addressed as `addedNodes` would add them. A base is read as it is written: its
    /// own `base` or `moreWorkers` are not followed (and refused as unknown fields).
    pub fn parse(name: &str, text: &str) -> Result<Preset, PresetError> {
        // YAML to a JSON value first, then to the typed preset: one YAML deserializer in the wasm.
        let mut value: Value = serde_yaml::from_str(text).map_err(|source| PresetError::Yaml { name: name.to_string(), source })?;
        let shape = |e: String| PresetError::Shape { name: name.to_string(), source: serde::de::Error::custom(e) };
        let more = match value.as_object_mut().and_then(|m| m.remove("moreWorkers")) {
            None => 0,
            Some(n) => n.as_u64().filter(|n| *n <= MAX_MORE_WORKERS).ok_or_else(|| shape(format!("moreWorkers must be a whole number up to {MAX_MORE_WORKERS}")))? as usize,
        };
        if let Some(base) = value.as_object_mut().and_then(|m| m.remove("base")) {
            let base = base.as_str().ok_or_else(|| shape("base must be the name of a built-in preset".into()))?;
            let (_, base_text) = BUILTIN.iter().find(|(n, _)| *n == base).ok_or_else(|| PresetError::Unknown(base.to_string()))?;
            let mut merged: Value = serde_yaml::from_str(base_text).map_err(|source| PresetError::Yaml { name: base.to_string(), source })?;
            if let (Some(m), Value::Object(over)) = (merged.as_object_mut(), value) {
                m.extend(over);
            }
            value = merged;
        }
        let mut preset: Preset = serde_json::from_value(value).map_err(|source| PresetError::Shape { name: name.to_string(), source })?;
        if preset.version != PRESET_FORMAT_VERSION {
            return Err(PresetError::Version { name: name.to_string(), found: preset.version });
        }
        if more > 0 && !preset.add_workers(more) {
            return Err(shape("moreWorkers needs addedNodes to name them".into()));
        }
        Ok(preset)
    }

    /// Adds `count` workers after the listed nodes, named and addressed as `addedNodes` would
    /// add them; `false` when the preset does not say how to name them.
    pub fn add_workers(&mut self, count: usize) -> bool {
        let Some(shape) = &self.added_nodes else { return false };
        let more = super::nodes::more_specs(shape, &self.nodes, count);
        self.nodes.extend(more);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_preset_parses() {
        for name in Preset::builtin_names() {
            let p = Preset::builtin(name).unwrap();
            assert!(!p.nodes.is_empty(), "{name}");
        }
    }

    #[test]
    fn rejects_unknown_names_fields_and_versions() {
        assert!(matches!(Preset::builtin("nope"), Err(PresetError::Unknown(_))));
        let text = include_str!("../../data/presets/kind.yaml");
        let newer = text.replacen("version: 1", "version: 99", 1);
        assert!(matches!(Preset::parse("x", &newer), Err(PresetError::Version { found: 99, .. })));
        let extra = format!("{text}\nsurprise: true\n");
        assert!(matches!(Preset::parse("x", &extra), Err(PresetError::Shape { .. })));
    }

    #[test]
    fn a_preset_on_a_base_with_more_workers() {
        let large = Preset::builtin("kind-large").unwrap();
        let kind = Preset::builtin("kind").unwrap();
        assert_eq!(large.name, "kind-large");
        assert_eq!(large.context, kind.context);
        assert_eq!(large.nodes.len(), 101);
        // kind's own three first, then what kind names a joining node, on fresh addresses.
        let names: Vec<&str> = large.nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names[..5], ["kind-control-plane", "kind-worker", "kind-worker2", "kind-worker3", "kind-worker4"]);
        assert_eq!(names[100], "kind-worker100");
        assert_eq!((large.nodes[3].internal_ip.as_str(), large.nodes[3].pod_cidr.as_str()), ("172.18.0.5", "10.244.3.0/24"));
        assert_eq!((large.nodes[100].internal_ip.as_str(), large.nodes[100].pod_cidr.as_str()), ("172.18.0.102", "10.244.100.0/24"));
        let mut ips: Vec<&str> = large.nodes.iter().map(|n| n.internal_ip.as_str()).collect();
        ips.sort_unstable();
        ips.dedup();
        assert_eq!(ips.len(), 101);
        // Bad values are refused in the preset's words.
        for bad in ["moreWorkers: -1", "moreWorkers: 5001", "moreWorkers: many", "base: 3", "base: nope"] {
            let text = format!("version: 1\nbase: kind\nname: x\n{bad}\n");
            assert!(Preset::parse("x", &text).is_err(), "{bad}");
        }
        let no_shape = "version: 1\nbase: kind\nname: x\naddedNodes: null\nmoreWorkers: 2\n";
        assert!(matches!(Preset::parse("x", no_shape), Err(PresetError::Shape { .. })));
        assert_eq!(Preset::parse("x", "version: 1\nbase: kind\nname: x\naddedNodes: null\n").unwrap().nodes.len(), 3);
    }
}
