//! PersistentVolumes and their claims: the PV binder matches a pending claim to an available
//! volume, the simulated provisioners of the presets' StorageClasses (kind's local-path,
//! minikube's hostpath) create one when none fits — at once, or for WaitForFirstConsumer once a
//! pod using the claim is placed — and released volumes are deleted or kept by their reclaim
//! policy. The protection controllers let a claim go when no pod uses it, and a volume when no
//! claim is bound to it.

use crate::sort::Order;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::object::{name, namespace, uid};
use crate::api::quantity::Quantity;

use super::{Client, Controller};

/// Provisioners the simulation runs, and where they put volumes.
const PROVISIONERS: [&str; 2] = ["rancher.io/local-path", "k8s.io/minikube-hostpath"];

/// How often the binder looks at every claim again (kube-controller-manager's
/// `--pvclaimbinder-sync-period`): a claim that waits says so again each time.
const CLAIM_RESYNC: crate::sim::clock::Duration = crate::sim::clock::Duration::from_secs(15);

#[derive(Default)]
pub struct VolumeController {
    /// Claims (uid and size asked for) whose expansion the expand controller has announced.
    expanding: std::collections::BTreeSet<String>,
    /// Claims waiting for their first consumer, and when the binder last said so.
    waiting: Vec<(String, crate::sim::clock::Timestamp)>,
}

impl Controller for VolumeController {
    fn name(&self) -> &'static str {
        "persistentvolume-controller"
    }

    fn sync(&mut self, c: &mut Client) {
        for pvc in c.list("persistentvolumeclaims", None) {
            if pvc["metadata"]["deletionTimestamp"].is_string() {
                release_claim_protection(c, &pvc);
                continue;
            }
            if pvc["spec"]["volumeName"].as_str().is_none_or(str::is_empty) {
                if bind_or_provision(c, &pvc) == Binding::WaitsForConsumer {
                    self.waits_for_consumer(c, &pvc);
                } else {
                    self.waiting.retain(|(u, _)| u != uid(&pvc));
                }
            } else if pvc["status"]["phase"] != "Bound" {
                finish_binding(c, &pvc);
            } else {
                self.expand(c, &pvc);
            }
        }
        for pv in c.list("persistentvolumes", None) {
            reclaim(c, &pv);
        }
    }
}

impl VolumeController {
    /// A claim of a WaitForFirstConsumer class with no pod placed yet: the binder says so at
    /// each of its periodic passes over the claims.
    fn waits_for_consumer(&mut self, c: &mut Client, pvc: &Arc<Value>) {
        let now = c.now();
        let last = self.waiting.iter().find(|(u, _)| u == uid(pvc)).map(|(_, t)| *t);
        if last.is_none_or(|t| now.since(t) >= CLAIM_RESYNC) {
            c.event(&with_kind(pvc, "PersistentVolumeClaim"), "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
            self.waiting.retain(|(u, _)| u != uid(pvc));
            self.waiting.push((uid(pvc).to_string(), now));
            c.wake_at(now.plus(CLAIM_RESYNC));
        } else if let Some(t) = last {
            c.wake_at(t.plus(CLAIM_RESYNC));
        }
    }

    /// The expand controller: a bound claim asking for more than it has waits for a resizer.
    /// The simulated provisioners (local-path, minikube's hostpath) have none, as in kind and
    /// minikube, so the claim keeps its size and says why once.
    fn expand(&mut self, c: &mut Client, pvc: &Arc<Value>) {
        let capacity = pvc["status"]["capacity"]["storage"].as_str().and_then(|q| Quantity::parse(q).ok()).map_or(0, |q| q.value());
        let wanted = request_bytes(pvc);
        if wanted <= capacity || capacity == 0 {
            return;
        }
        if self.expanding.insert(format!("{}/{wanted}", uid(pvc))) {
            let saved = c.component;
            c.component = "volume_expand";
            c.event(&with_kind(pvc, "PersistentVolumeClaim"), "Warning", "ExternalExpanding", "waiting for an external controller to expand this PVC");
            c.component = saved;
        }
    }
}

fn with_kind(o: &Value, kind: &str) -> Value {
    let mut v = o.clone();
    v["apiVersion"] = json!("v1");
    v["kind"] = json!(kind);
    v
}

fn request_bytes(pvc: &Value) -> i64 {
    crate::apiserver::kinds::storage::requested_storage(pvc).map_or(0, |q| q.value())
}

/// Pods (not finished) that use a claim.
fn users(c: &Client, pvc: &Value) -> Vec<Arc<Value>> {
    let claim = name(pvc);
    c.list("pods", Some(namespace(pvc)))
        .into_iter()
        .filter(|p| !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
        .filter(|p| p["spec"]["volumes"].as_array().into_iter().flatten().any(|v| v["persistentVolumeClaim"]["claimName"] == claim))
        .collect()
}

/// What became of a claim without a volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Binding {
    /// Bound, provisioned, or nothing to do for now.
    Done,
    /// Its class binds once a pod that uses it is placed, and none is.
    WaitsForConsumer,
}

fn bind_or_provision(c: &mut Client, pvc: &Arc<Value>) -> Binding {
    let class_name = pvc["spec"]["storageClassName"].as_str().unwrap_or_default().to_string();
    // An existing volume that fits: same class, enough capacity, the access modes asked for.
    let wanted = request_bytes(pvc);
    let modes: Vec<Value> = pvc["spec"]["accessModes"].as_array().cloned().unwrap_or_default();
    let mut fits: Vec<Arc<Value>> = c
        .list("persistentvolumes", None)
        .into_iter()
        .filter(|pv| pv["status"]["phase"] == "Available" && pv["spec"]["claimRef"].is_null())
        .filter(|pv| pv["spec"]["storageClassName"].as_str().unwrap_or_default() == class_name)
        .filter(|pv| modes.iter().all(|m| pv["spec"]["accessModes"].as_array().is_some_and(|a| a.contains(m))))
        .filter(|pv| pv["spec"]["capacity"]["storage"].as_str().and_then(|q| Quantity::parse(q).ok()).is_some_and(|q| q.value() >= wanted))
        .collect();
    fits.order_by_key(|pv| pv["spec"]["capacity"]["storage"].as_str().and_then(|q| Quantity::parse(q).ok()).map_or(0, |q| q.value()));
    if let Some(pv) = fits.first() {
        bind(c, pvc, pv, None);
        return Binding::Done;
    }
    let Some(class) = c.get("storageclasses.storage.k8s.io", "", &class_name) else { return Binding::Done };
    let provisioner = class["provisioner"].as_str().unwrap_or_default().to_string();
    if !PROVISIONERS.contains(&provisioner.as_str()) {
        return Binding::Done;
    }
    let about = with_kind(pvc, "PersistentVolumeClaim");
    let node = if class["volumeBindingMode"] == "WaitForFirstConsumer" {
        match users(c, pvc).iter().find_map(|p| p["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()).map(str::to_string)) {
            Some(n) => Some(n),
            None => return Binding::WaitsForConsumer,
        }
    } else {
        None
    };
    c.event(&about, "Normal", "ExternalProvisioning", &format!("Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."));
    let saved = c.component;
    c.component = if provisioner == "rancher.io/local-path" { "rancher.io/local-path" } else { "k8s.io/minikube-hostpath" };
    c.event(&about, "Normal", "Provisioning", &format!("External provisioner is provisioning volume for claim \"{}/{}\"", namespace(pvc), name(pvc)));
    let pv_name = format!("pvc-{}", uid(pvc));
    let (ns, claim) = (namespace(pvc), name(pvc));
    let mut pv = json!({"apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": pv_name, "annotations": {"pv.kubernetes.io/provisioned-by": provisioner}},
        "spec": {
            "capacity": {"storage": pvc["spec"]["resources"]["requests"]["storage"]},
            "accessModes": modes,
            "persistentVolumeReclaimPolicy": class["reclaimPolicy"].as_str().unwrap_or("Delete"),
            "storageClassName": class_name,
            "volumeMode": pvc["spec"]["volumeMode"].as_str().unwrap_or("Filesystem"),
            "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": claim, "namespace": ns, "uid": uid(pvc), "resourceVersion": pvc["metadata"]["resourceVersion"]},
        }});
    match (&node, provisioner.as_str()) {
        (Some(n), "rancher.io/local-path") => {
            pv["metadata"]["annotations"]["local.path.provisioner/selected-node"] = json!(n);
            pv["spec"]["hostPath"] = json!({"path": format!("/var/local-path-provisioner/{pv_name}_{ns}_{claim}"), "type": "DirectoryOrCreate"});
            pv["spec"]["nodeAffinity"] = json!({"required": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": [n]}]}]}});
        }
        _ => {
            pv["spec"]["hostPath"] = json!({"path": format!("/tmp/hostpath-provisioner/{ns}/{claim}"), "type": ""});
        }
    }
    let created = c.create("v1", "persistentvolumes", "", pv);
    if let Ok(pv) = created {
        c.event(&about, "Normal", "ProvisioningSucceeded", &format!("Successfully provisioned volume {pv_name}"));
        c.component = saved;
        bind(c, pvc, &Arc::new(pv), Some((provisioner, node)));
    } else {
        c.component = saved;
    }
    Binding::Done
}

/// Points the claim and the volume at each other and marks both Bound.
fn bind(c: &mut Client, pvc: &Value, pv: &Value, provisioned: Option<(String, Option<String>)>) {
    let mut next_pv = pv.clone();
    next_pv["spec"]["claimRef"] = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": name(pvc), "namespace": namespace(pvc), "uid": uid(pvc), "resourceVersion": pvc["metadata"]["resourceVersion"]});
    if provisioned.is_none() {
        next_pv["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] = json!("yes");
    }
    let Ok(updated_pv) = c.update("v1", "persistentvolumes", next_pv) else { return };
    let mut pv_status = updated_pv.clone();
    pv_status["status"] = json!({"phase": "Bound", "lastPhaseTransitionTime": c.now().rfc3339()});
    let _ = c.update_status("v1", "persistentvolumes", pv_status);
    let mut next = pvc.clone();
    next["spec"]["volumeName"] = json!(name(pv));
    let ann = &mut next["metadata"]["annotations"];
    ann["pv.kubernetes.io/bind-completed"] = json!("yes");
    ann["pv.kubernetes.io/bound-by-controller"] = json!("yes");
    if let Some((provisioner, node)) = &provisioned {
        ann["volume.beta.kubernetes.io/storage-provisioner"] = json!(provisioner);
        ann["volume.kubernetes.io/storage-provisioner"] = json!(provisioner);
        if let Some(n) = node {
            ann["volume.kubernetes.io/selected-node"] = json!(n);
        }
    }
    if let Ok(updated) = c.update("v1", "persistentvolumeclaims", next) {
        finish_binding(c, &updated);
    }
}

/// The claim's status once its volume is set.
fn finish_binding(c: &mut Client, pvc: &Value) {
    let Some(pv) = c.get("persistentvolumes", "", pvc["spec"]["volumeName"].as_str().unwrap_or_default()) else { return };
    let mut next = pvc.clone();
    next["status"] = json!({"phase": "Bound", "accessModes": pv["spec"]["accessModes"], "capacity": pv["spec"]["capacity"]});
    if next["status"] != pvc["status"] {
        let _ = c.update_status("v1", "persistentvolumeclaims", next);
    }
}

/// A claim being deleted keeps its protection finalizer while a pod uses it.
fn release_claim_protection(c: &mut Client, pvc: &Arc<Value>) {
    let has = pvc["metadata"]["finalizers"].as_array().is_some_and(|f| f.iter().any(|x| x == "kubernetes.io/pvc-protection"));
    if !has || !users(c, pvc).is_empty() {
        return;
    }
    let left: Vec<Value> = pvc["metadata"]["finalizers"].as_array().into_iter().flatten().filter(|f| *f != "kubernetes.io/pvc-protection").cloned().collect();
    let patch = json!({"metadata": {"finalizers": if left.is_empty() { Value::Null } else { json!(left) }}});
    let _ = c.merge_patch("v1", "persistentvolumeclaims", namespace(pvc), name(pvc), "", &patch);
}

/// A bound volume whose claim is gone is released: deleted or kept by its reclaim policy; a
/// volume being deleted lets go of its protection once nothing is bound to it.
fn reclaim(c: &mut Client, pv: &Arc<Value>) {
    let claim = &pv["spec"]["claimRef"];
    let claim_alive = claim.is_object()
        && c.get("persistentvolumeclaims", claim["namespace"].as_str().unwrap_or_default(), claim["name"].as_str().unwrap_or_default()).is_some_and(|p| p["metadata"]["uid"] == claim["uid"]);
    if pv["metadata"]["deletionTimestamp"].is_string() {
        if !claim_alive && pv["metadata"]["finalizers"].as_array().is_some_and(|f| f.iter().any(|x| x == "kubernetes.io/pv-protection")) {
            let left: Vec<Value> = pv["metadata"]["finalizers"].as_array().into_iter().flatten().filter(|f| *f != "kubernetes.io/pv-protection").cloned().collect();
            let patch = json!({"metadata": {"finalizers": if left.is_empty() { Value::Null } else { json!(left) }}});
            let _ = c.merge_patch("v1", "persistentvolumes", "", name(pv), "", &patch);
        }
        return;
    }
    if pv["status"]["phase"].is_null() || pv["status"]["phase"] == "Pending" {
        // A new volume without a claim is available.
        if !claim.is_object() {
            let mut next = (**pv).clone();
            next["status"] = json!({"phase": "Available", "lastPhaseTransitionTime": c.now().rfc3339()});
            let _ = c.update_status("v1", "persistentvolumes", next);
        }
        return;
    }
    if pv["status"]["phase"] == "Bound" && claim.is_object() && !claim_alive {
        match pv["spec"]["persistentVolumeReclaimPolicy"].as_str().unwrap_or("Retain") {
            "Delete" => {
                let _ = c.delete("v1", "persistentvolumes", "", name(pv), None);
            }
            _ => {
                let mut next = (**pv).clone();
                next["status"] = json!({"phase": "Released", "lastPhaseTransitionTime": c.now().rfc3339()});
                let _ = c.update_status("v1", "persistentvolumes", next);
            }
        }
    }
}
