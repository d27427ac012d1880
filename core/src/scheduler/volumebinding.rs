//! VolumeBinding: a pod's PersistentVolumeClaims must exist; an unbound claim of an Immediate
//! class must be bound before the pod can be placed (WaitForFirstConsumer claims are bound for
//! the node the pod gets); a bound volume with node affinity keeps the pod on its nodes.

use serde_json::Value;

use crate::controllers::Client;

pub const NODE_AFFINITY_CONFLICT: &str = "node(s) didn't match PersistentVolume's node affinity";
pub const UNBOUND_IMMEDIATE: &str = "pod has unbound immediate PersistentVolumeClaims";

/// The node affinities of the pod's bound volumes, or the PreFilter failure.
pub fn prefilter(c: &Client, pod: &Value) -> Result<Vec<Value>, String> {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or("default");
    let mut affinities = Vec::new();
    for v in pod["spec"]["volumes"].as_array().into_iter().flatten() {
        let Some(claim) = v["persistentVolumeClaim"]["claimName"].as_str() else { continue };
        let Some(pvc) = c.get("persistentvolumeclaims", ns, claim) else {
            return Err(format!("persistentvolumeclaim {claim:?} not found"));
        };
        match pvc["spec"]["volumeName"].as_str().filter(|n| !n.is_empty()) {
            Some(pv_name) => {
                if let Some(pv) = c.get("persistentvolumes", "", pv_name) {
                    let required = &pv["spec"]["nodeAffinity"]["required"];
                    if required.is_object() {
                        affinities.push(required.clone());
                    }
                }
            }
            None => {
                let class = pvc["spec"]["storageClassName"].as_str().and_then(|n| c.get("storageclasses.storage.k8s.io", "", n));
                let delayed = class.is_some_and(|sc| sc["volumeBindingMode"] == "WaitForFirstConsumer");
                if !delayed {
                    return Err(UNBOUND_IMMEDIATE.to_string());
                }
            }
        }
    }
    Ok(affinities)
}
