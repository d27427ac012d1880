//! What the API server warns about in a pod or pod template it accepts (Kubernetes'
//! `GetWarningsForPod` / `GetWarningsForPodTemplate`): deprecated node labels, annotations and
//! volume plugins, duplicated env vars, ports, host aliases and pull secrets, fractional byte
//! quantities, a negative grace period, and selectors that match nothing. kubectl prints each
//! as `Warning: ...`.

use crate::sort::Order;
use std::collections::HashSet;

use serde_json::Value;

use crate::api::field::{go_quote, Path};
use crate::api::quantity::Quantity;

/// Node labels Kubernetes has replaced, and what it says about them.
const DEPRECATED_NODE_LABELS: &[(&str, &str)] = &[
    ("beta.kubernetes.io/arch", "deprecated since v1.14; use \"kubernetes.io/arch\" instead"),
    ("beta.kubernetes.io/os", "deprecated since v1.14; use \"kubernetes.io/os\" instead"),
    ("failure-domain.beta.kubernetes.io/region", "deprecated since v1.17; use \"topology.kubernetes.io/region\" instead"),
    ("failure-domain.beta.kubernetes.io/zone", "deprecated since v1.17; use \"topology.kubernetes.io/zone\" instead"),
    ("beta.kubernetes.io/instance-type", "deprecated since v1.17; use \"node.kubernetes.io/instance-type\" instead"),
];

/// Annotations that no longer do anything.
const DEPRECATED_ANNOTATIONS: &[(&str, &str)] = &[
    ("scheduler.alpha.kubernetes.io/critical-pod", "non-functional in v1.16+; use the \"priorityClassName\" field instead"),
    ("security.alpha.kubernetes.io/sysctls", "non-functional in v1.11+; use the \"sysctls\" field instead"),
    ("security.alpha.kubernetes.io/unsafe-sysctls", "non-functional in v1.11+; use the \"sysctls\" field instead"),
];

/// Volume plugins on their way out, by field.
const DEPRECATED_VOLUMES: &[(&str, &str)] = &[
    ("photonPersistentDisk", "deprecated in v1.11, non-functional in v1.16+"),
    ("gitRepo", "deprecated in v1.11"),
    ("scaleIO", "deprecated in v1.16, non-functional in v1.22+"),
    ("flocker", "deprecated in v1.22, non-functional in v1.25+"),
    ("storageos", "deprecated in v1.22, non-functional in v1.25+"),
    ("quobyte", "deprecated in v1.22, non-functional in v1.25+"),
    ("glusterfs", "deprecated in v1.25, non-functional in v1.26+"),
    ("cephfs", "deprecated in v1.28, non-functional in v1.31+"),
    ("rbd", "deprecated in v1.28, non-functional in v1.31+"),
];

fn node_label(key: &str) -> Option<&'static str> {
    DEPRECATED_NODE_LABELS.iter().find(|(k, _)| *k == key).map(|(_, m)| *m)
}

fn items(v: &Value) -> impl Iterator<Item = (usize, &Value)> {
    v.as_array().into_iter().flatten().enumerate()
}

/// The warnings for a pod spec and its metadata; `at` is where the template sits in its
/// object (`spec.template` of a Deployment), `None` for a pod.
pub fn warnings(at: Option<&Path>, spec: &Value, meta: &Value) -> Vec<String> {
    let base = at.cloned().unwrap_or_else(Path::root);
    let sp = base.child("spec");
    let mut out = Vec::new();
    // Deprecated node labels in selectors, affinity and spread constraints.
    if let Some(sel) = spec["nodeSelector"].as_object() {
        let mut keys: Vec<&String> = sel.keys().collect();
        keys.order();
        for k in keys {
            if let Some(m) = node_label(k) {
                out.push(format!("{}: {m}", sp.child("nodeSelector").key(k)));
            }
        }
    }
    let na = &spec["affinity"]["nodeAffinity"];
    let term_warnings = |term: &Value, p: &Path, out: &mut Vec<String>| {
        for (field, list) in [("matchExpressions", &term["matchExpressions"]), ("matchFields", &term["matchFields"])] {
            for (i, e) in items(list) {
                let key = e["key"].as_str().unwrap_or_default();
                if let Some(m) = node_label(key) {
                    out.push(format!("{}: {key} is {m}", p.child(field).index(i).child("key")));
                }
            }
        }
    };
    let required = sp.child("affinity").child("nodeAffinity").child("requiredDuringSchedulingIgnoredDuringExecution").child("nodeSelectorTerms");
    for (i, term) in items(&na["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]) {
        term_warnings(term, &required.index(i), &mut out);
    }
    let preferred = sp.child("affinity").child("nodeAffinity").child("preferredDuringSchedulingIgnoredDuringExecution");
    for (i, term) in items(&na["preferredDuringSchedulingIgnoredDuringExecution"]) {
        term_warnings(&term["preference"], &preferred.index(i).child("preference"), &mut out);
    }
    for (i, t) in items(&spec["topologySpreadConstraints"]) {
        let p = sp.child("topologySpreadConstraints").index(i);
        let key = t["topologyKey"].as_str().unwrap_or_default();
        if let Some(m) = node_label(key) {
            out.push(format!("{}: {key} is {m}", p.child("topologyKey")));
        }
        if t["labelSelector"].is_null() {
            out.push(format!("{}: a null labelSelector results in matching no pod", p.child("labelSelector")));
        }
    }
    // Deprecated annotations.
    let ann = &meta["annotations"];
    let ap = base.child("metadata").child("annotations");
    for (key, m) in DEPRECATED_ANNOTATIONS {
        if ann.get(*key).is_some() {
            out.push(format!("{}: {m}", ap.key(key)));
        }
    }
    // Deprecated and removed volume plugins.
    for (i, v) in items(&spec["volumes"]) {
        for (plugin, m) in DEPRECATED_VOLUMES {
            if v.get(*plugin).is_some_and(|x| !x.is_null()) {
                out.push(format!("{}: {m}", sp.child("volumes").index(i).child(plugin)));
            }
        }
    }
    // Duplicated host aliases and pull secrets, and nameless pull secrets.
    let mut ips = HashSet::new();
    for (i, h) in items(&spec["hostAliases"]) {
        let ip = h["ip"].as_str().unwrap_or_default();
        if !ips.insert(ip) {
            out.push(format!("{}: duplicate ip {}", sp.child("hostAliases").index(i).child("ip"), go_quote(ip)));
        }
    }
    let mut names = HashSet::new();
    for (i, s) in items(&spec["imagePullSecrets"]) {
        let name = s["name"].as_str().unwrap_or_default();
        if !names.insert(name) {
            out.push(format!("{}: duplicate name {}", sp.child("imagePullSecrets").index(i).child("name"), go_quote(name)));
        }
    }
    for (i, s) in items(&spec["imagePullSecrets"]) {
        let name = s["name"].as_str().unwrap_or_default();
        if name.is_empty() {
            out.push(format!("{}: invalid empty name {}", sp.child("imagePullSecrets").index(i).child("name"), go_quote(name)));
        }
    }
    // The pod's seccomp annotation without the field.
    let seccomp_pod = "seccomp.security.alpha.kubernetes.io/pod";
    if spec["securityContext"]["seccompProfile"].is_null() && ann.get(seccomp_pod).is_some() {
        out.push(format!("{}: non-functional in v1.27+; use the \"seccompProfile\" field instead", ap.key(seccomp_pod)));
    }
    // Each container: its seccomp annotation, fractional bytes, env vars hidden by later ones.
    let containers: Vec<(Path, &Value)> = ["initContainers", "containers", "ephemeralContainers"]
        .iter()
        .flat_map(|list| items(&spec[*list]).map(move |(i, c)| (*list, i, c)))
        .map(|(list, i, c)| (sp.child(list).index(i), c))
        .collect();
    for (p, c) in &containers {
        let name = c["name"].as_str().unwrap_or_default();
        let key = format!("container.seccomp.security.alpha.kubernetes.io/{name}");
        if c["securityContext"]["seccompProfile"].is_null() && ann.get(&key).is_some() {
            out.push(format!("{}: non-functional in v1.27+; use the \"seccompProfile\" field instead", ap.key(&key)));
        }
        for (kind, resource) in [("limits", "memory"), ("requests", "memory"), ("limits", "ephemeral-storage"), ("requests", "ephemeral-storage")] {
            if let Some(q) = c["resources"][kind][resource].as_str().and_then(|q| Quantity::parse(q).ok()) {
                if q.milli_value() % 1000 != 0 {
                    out.push(format!("{}: fractional byte value {} is invalid, must be an integer", p.child("resources").child(kind).key(resource), go_quote(&q.to_string())));
                }
            }
        }
        let mut seen = HashSet::new();
        for (i, e) in items(&c["env"]) {
            let name = e["name"].as_str().unwrap_or_default();
            if seen.insert(name) {
                continue;
            }
            let reference = format!("$({name})");
            let value = e["value"].as_str().unwrap_or_default();
            if !e["valueFrom"].is_null() || value == reference || !value.contains(&reference) {
                out.push(format!("{}: hides previous definition of {}, which may be dropped when using apply", p.child("env").index(i), go_quote(name)));
            }
        }
    }
    // The same port declared twice, across the pod's containers.
    let mut ports: Vec<(String, &Value)> = Vec::new();
    for (p, c) in &containers {
        for (i, port) in items(&c["ports"]) {
            let here = p.child("ports").index(i).to_string();
            let same = |a: &Value, b: &Value| a["containerPort"] == b["containerPort"] && a["protocol"].as_str().unwrap_or("TCP") == b["protocol"].as_str().unwrap_or("TCP");
            let host = |v: &Value| (v["hostIP"].as_str().unwrap_or_default().to_string(), v["hostPort"].as_i64().unwrap_or(0));
            for (other_path, other) in ports.iter().filter(|(_, o)| same(o, port)) {
                let ((ip, hp), (oip, ohp)) = (host(port), host(other));
                if ip == oip && hp == ohp {
                    out.push(format!("{here}: duplicate port definition with {other_path}"));
                } else if hp == 0 || ohp == 0 {
                    out.push(format!("{here}: overlapping port definition with {other_path}"));
                } else if hp == ohp && (ip.is_empty() != oip.is_empty()) {
                    out.push(format!("{here}: dangerously ambiguous port definition with {other_path}"));
                }
            }
            ports.push((here, port));
        }
    }
    if spec["terminationGracePeriodSeconds"].as_i64().is_some_and(|g| g < 0) {
        out.push(format!("{}: must be >= 0; negative values are invalid and will be treated as 1", sp.child("terminationGracePeriodSeconds")));
    }
    for (kind, field) in [("podAffinity", "requiredDuringSchedulingIgnoredDuringExecution"), ("podAffinity", "preferredDuringSchedulingIgnoredDuringExecution"), ("podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution"), ("podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution")] {
        let p = sp.child("affinity").child(kind).child(field);
        for (i, t) in items(&spec["affinity"][kind][field]) {
            let (selector, at) = if field.starts_with("preferred") { (&t["podAffinityTerm"]["labelSelector"], p.index(i).child("podAffinityTerm").child("labelSelector")) } else { (&t["labelSelector"], p.index(i).child("labelSelector")) };
            if selector.is_null() {
                out.push(format!("{at}: a null labelSelector results in matching no pod"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn warns_as_the_api_server_does() {
        let spec = json!({
            "nodeSelector": {"beta.kubernetes.io/os": "linux"},
            "containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}, {"containerPort": 80}],
                "resources": {"requests": {"memory": "1.5"}},
                "env": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}, {"name": "B", "value": "x"}, {"name": "B", "value": "$(B):y"}]}],
            "volumes": [{"name": "v", "gitRepo": {"repository": "r"}}],
        });
        let meta = json!({"annotations": {"scheduler.alpha.kubernetes.io/critical-pod": ""}});
        assert_eq!(warnings(Some(&Path::new("spec").child("template")), &spec, &meta), [
            "spec.template.spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use \"kubernetes.io/os\" instead",
            "spec.template.metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+; use the \"priorityClassName\" field instead",
            "spec.template.spec.volumes[0].gitRepo: deprecated in v1.11",
            "spec.template.spec.containers[0].resources.requests[memory]: fractional byte value \"1500m\" is invalid, must be an integer",
            "spec.template.spec.containers[0].env[1]: hides previous definition of \"A\", which may be dropped when using apply",
            "spec.template.spec.containers[0].ports[1]: duplicate port definition with spec.template.spec.containers[0].ports[0]",
        ]);
        assert!(warnings(None, &json!({"containers": [{"name": "c", "image": "nginx"}]}), &json!({})).is_empty());
    }
}
