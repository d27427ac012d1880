//! Static pods: manifests a kubelet reads from its node's disk (the control plane, on kubeadm
//! clusters) and runs without the API server; it mirrors each into the API server as
//! `<name>-<node>`, owned by the Node, and puts the mirror back if it is deleted.

use serde_json::{json, Value};

use crate::api::object::name;
use crate::controllers::Client;

/// A 32-hex-digit hash of the manifest and where it came from (the kubelet's config hash).
fn config_hash(manifest: &Value, node: &str) -> String {
    let text = format!("{manifest}host:{node}file:/etc/kubernetes/manifests/{}.yaml", name(manifest));
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    let mut b: u64 = 0x8422_2325_cbf2_9ce4;
    for byte in text.bytes() {
        a = (a ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        b = (b ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3 ^ 0x5bd1_e995);
    }
    format!("{a:016x}{b:016x}")
}

/// The mirror pod of a static pod manifest on a node.
pub fn mirror_pod(manifest: &Value, node: &Value, seen: &str) -> Value {
    let node_name = name(node);
    let hash = config_hash(manifest, node_name);
    let mut pod = manifest.clone();
    pod["metadata"]["name"] = json!(format!("{}-{node_name}", name(manifest)));
    if pod["metadata"]["namespace"].as_str().is_none_or(str::is_empty) {
        pod["metadata"]["namespace"] = json!("default");
    }
    let annotations = pod["metadata"]["annotations"].as_object().cloned().unwrap_or_default();
    let mut a = annotations;
    a.insert("kubernetes.io/config.hash".into(), json!(hash));
    a.insert("kubernetes.io/config.mirror".into(), json!(hash));
    a.insert("kubernetes.io/config.seen".into(), json!(seen));
    a.insert("kubernetes.io/config.source".into(), json!("file"));
    pod["metadata"]["annotations"] = json!(a);
    pod["metadata"]["ownerReferences"] = json!([{"apiVersion": "v1", "kind": "Node", "name": node_name, "uid": node["metadata"]["uid"], "controller": true}]);
    pod["spec"]["nodeName"] = json!(node_name);
    let mut tolerations = pod["spec"]["tolerations"].as_array().cloned().unwrap_or_default();
    tolerations.push(json!({"operator": "Exists", "effect": "NoExecute"}));
    pod["spec"]["tolerations"] = json!(tolerations);
    pod
}

/// Makes sure every static pod of the node has its mirror in the API server.
pub fn ensure_mirrors(c: &mut Client, node: &Value, manifests: &[Value]) {
    for m in manifests {
        let ns = m["metadata"]["namespace"].as_str().unwrap_or("default").to_string();
        let mirror_name = format!("{}-{}", name(m), name(node));
        let existing = c.get("pods", &ns, &mirror_name);
        if existing.as_ref().is_some_and(|p| p["metadata"]["deletionTimestamp"].is_null()) {
            continue;
        }
        if existing.is_some() {
            // Let the old mirror finish going first.
            continue;
        }
        let seen = format!("{}.000000000Z", c.now().rfc3339().trim_end_matches('Z'));
        let pod = mirror_pod(m, node, &seen);
        let _ = c.create("v1", "pods", &ns, pod);
    }
}
