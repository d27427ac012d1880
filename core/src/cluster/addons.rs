//! What a preset installs beyond nodes: manifests applied through the API server at boot
//! (`core/data/addons/<preset>/*.yaml`) and the control plane's static pod manifests, with
//! `${VAR}` placeholders filled in per cluster and node.

use serde::Deserialize;
use serde_json::Value;

use super::preset::PresetError;

/// Addon manifests built into this binary, by the name presets use.
const ADDONS: &[(&str, &str)] = &[
    ("kubeadm/core", include_str!("../../data/addons/kubeadm/core.yaml")),
    ("kubeadm/static-pods", include_str!("../../data/addons/kubeadm/static-pods.yaml")),
    ("kind/kindnet", include_str!("../../data/addons/kind/kindnet.yaml")),
    ("kind/local-path", include_str!("../../data/addons/kind/local-path.yaml")),
    ("minikube/storage-provisioner", include_str!("../../data/addons/minikube/storage-provisioner.yaml")),
    // RBAC: the API server's bootstrap policy, what kubeadm adds, and the presets' add-ons'.
    ("rbac/bootstrap", include_str!("../../data/rbac/bootstrap-v1.33.yaml")),
    ("rbac/kubeadm", include_str!("../../data/rbac/kubeadm-v1.33.yaml")),
    ("rbac/kind", include_str!("../../data/rbac/kind.yaml")),
    ("rbac/minikube", include_str!("../../data/rbac/minikube.yaml")),
];

/// Fills `${NAME}` placeholders; a multi-line value keeps the indentation of the line it is on.
pub fn substitute(text: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let indent: String = line.chars().take_while(|c| *c == ' ').collect();
        let mut l = line.to_string();
        for (k, v) in vars {
            let key = format!("${{{k}}}");
            if l.contains(&key) {
                let value = v.trim_end_matches('\n').replace('\n', &format!("\n{indent}"));
                l = l.replace(&key, &value);
            }
        }
        out.push_str(&l);
    }
    out
}

/// The documents of an addon, placeholders filled.
pub fn manifests(name: &str, vars: &[(&str, &str)]) -> Result<Vec<Value>, PresetError> {
    let (_, text) = ADDONS.iter().find(|(n, _)| *n == name).ok_or_else(|| PresetError::UnknownAddon(name.to_string()))?;
    let text = substitute(text, vars);
    let mut docs = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(&text) {
        let v = Value::deserialize(doc).map_err(|source| PresetError::Yaml { name: name.to_string(), source })?;
        if !v.is_null() {
            docs.push(v);
        }
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_keep_indentation() {
        let got = substitute("a:\n  b: |\n    ${X}\n  c: ${Y}\n", &[("X", "one\ntwo\n"), ("Y", "3")]);
        assert_eq!(got, "a:\n  b: |\n    one\n    two\n  c: 3\n");
    }

    #[test]
    fn every_builtin_addon_parses() {
        for (name, _) in ADDONS {
            let docs = manifests(name, &[]).unwrap_or_else(|e| panic!("{e}"));
            assert!(!docs.is_empty(), "{name}");
            for d in docs {
                assert!(d["kind"].is_string() && d["metadata"]["name"].is_string(), "{name}: {d}");
            }
        }
    }
}
