//! PersistentVolume, PersistentVolumeClaim and StorageClass.

use serde_json::{json, Value};

use crate::api::field::{BadValue, FieldError, Path};
use crate::api::object::{metadata_mut, name, object_mut, set_default};
use crate::api::quantity::Quantity;
use crate::api::status::ApiError;
use crate::apiserver::strategy::{Ctx, Strategy};
use crate::apiserver::tables::{format, Column};
use crate::apiserver::validation::names::dns1123_subdomain;
use crate::apiserver::validation::selector::validate_label_selector;
use crate::sim::clock::Timestamp;

const ACCESS_MODES: [&str; 4] = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];

/// Access modes as kubectl abbreviates them, always in the order RWO, ROX, RWX, RWOP.
pub fn access_modes(v: &Value) -> String {
    let modes: Vec<&str> = v.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")]
        .iter()
        .filter(|(m, _)| modes.contains(m))
        .map(|(_, a)| *a)
        .collect::<Vec<_>>()
        .join(",")
}

fn validate_access_modes(modes: &Value, path: &Path, required_detail: &str, errs: &mut Vec<FieldError>) {
    let list: Vec<&str> = modes.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    if list.is_empty() {
        errs.push(FieldError::required(path, required_detail));
    }
    for m in &list {
        if !ACCESS_MODES.contains(m) {
            errs.push(FieldError::not_supported(path, BadValue::Str(m.to_string()), &ACCESS_MODES));
        }
    }
    if list.contains(&"ReadWriteOncePod") && list.len() > 1 {
        errs.push(FieldError::forbidden(path, "may not use ReadWriteOncePod with other access modes"));
    }
}

fn add_finalizer(obj: &mut Value, f: &str) {
    let meta = metadata_mut(obj);
    let list = meta.entry("finalizers").or_insert_with(|| json!([]));
    if let Some(a) = list.as_array_mut() {
        if !a.iter().any(|x| x == f) {
            a.push(json!(f));
        }
    }
}

const PV_SOURCES: &[&str] = &[
    "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "glusterfs", "flocker", "nfs", "rbd", "quobyte", "cephfs", "iscsi", "cinder", "fc",
    "flexVolume", "azureFile", "vsphereVolume", "photonPersistentDisk", "portworxVolume", "azureDisk", "scaleIO", "local", "storageos", "csi",
];

pub struct PersistentVolumeStrategy;

impl Strategy for PersistentVolumeStrategy {
    fn has_status(&self) -> bool {
        true
    }

    fn default(&self, obj: &mut Value) {
        let spec = object_mut(obj, "spec");
        if let Some(h) = spec.get_mut("hostPath").and_then(Value::as_object_mut) {
            set_default(h, "type", json!(""));
        }
        set_default(spec, "persistentVolumeReclaimPolicy", json!("Retain"));
        set_default(spec, "volumeMode", json!("Filesystem"));
        let status = object_mut(obj, "status");
        set_default(status, "phase", json!("Pending"));
    }

    fn admit(&self, obj: &mut Value, _ctx: &mut Ctx) -> Result<(), ApiError> {
        add_finalizer(obj, "kubernetes.io/pv-protection");
        Ok(())
    }

    fn prepare_for_create(&self, obj: &mut Value) {
        obj["status"] = json!({"phase": "Pending"});
    }

    fn validate(&self, pv: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let spec = &pv["spec"];
        let p = Path::new("spec");
        validate_access_modes(&spec["accessModes"], &p.child("accessModes"), "", &mut errs);
        let cap = spec["capacity"].as_object().cloned().unwrap_or_default();
        if cap.is_empty() {
            errs.push(FieldError::required(&p.child("capacity"), ""));
        }
        if !cap.contains_key("storage") || cap.len() > 1 {
            errs.push(FieldError::not_supported(&p.child("capacity"), BadValue::Raw(format!("core.ResourceList{:?}", cap.keys().collect::<Vec<_>>())), &["storage"]));
        }
        for (k, v) in &cap {
            if let Some(q) = v.as_str().and_then(|s| Quantity::parse(s).ok()) {
                if q.is_zero() || q.is_negative() {
                    errs.push(FieldError::invalid_str(&p.child("capacity").key(k), &q.canonical(), "must be greater than zero"));
                }
            }
        }
        if let Some(r) = spec["persistentVolumeReclaimPolicy"].as_str() {
            if !["Delete", "Recycle", "Retain"].contains(&r) {
                errs.push(FieldError::not_supported(&p.child("persistentVolumeReclaimPolicy"), BadValue::Str(r.into()), &["Delete", "Recycle", "Retain"]));
            }
        }
        let mut found = 0;
        for src in PV_SOURCES {
            if spec.get(*src).is_some_and(|v| !v.is_null()) {
                found += 1;
                if found > 1 {
                    errs.push(FieldError::forbidden(&p.child(src), "may not specify more than 1 volume type"));
                }
            }
        }
        if found == 0 {
            errs.push(FieldError::required(&p, "must specify a volume type"));
        }
        if spec["local"].is_object() && spec["nodeAffinity"].is_null() {
            errs.push(FieldError::required(&p.child("nodeAffinity"), "Local volume requires node affinity"));
        }
        if let Some(sc) = spec["storageClassName"].as_str().filter(|s| !s.is_empty()) {
            for m in dns1123_subdomain(sc) {
                errs.push(FieldError::invalid_str(&p.child("storageClassName"), sc, m));
            }
        }
        if let Some(vm) = spec["volumeMode"].as_str() {
            if vm != "Block" && vm != "Filesystem" {
                errs.push(FieldError::not_supported(&p.child("volumeMode"), BadValue::Str(vm.into()), &["Block", "Filesystem"]));
            }
        }
        errs
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = self.validate(new);
        let source = |v: &Value| PV_SOURCES.iter().map(|s| v["spec"][*s].clone()).collect::<Vec<_>>();
        if source(new) != source(old) {
            errs.push(FieldError::forbidden(&Path::new("spec").child("persistentvolumesource"), "spec.persistentvolumesource is immutable after creation"));
        }
        if new["spec"]["volumeMode"] != old["spec"]["volumeMode"] {
            errs.push(FieldError::invalid(&Path::new("volumeMode"), BadValue::from_json(&new["spec"]["volumeMode"]), "field is immutable"));
        }
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[
            Column::name(),
            Column::string("Capacity"),
            Column::string("Access Modes"),
            Column::string("Reclaim Policy"),
            Column::string("Status"),
            Column::string("Claim"),
            Column::string("StorageClass"),
            Column::string("VolumeAttributesClass"),
            Column::string("Reason"),
            Column::age(),
            Column::string("VolumeMode").wide(),
        ];
        Some(C)
    }

    fn row(&self, pv: &Value, now: Timestamp) -> Vec<Value> {
        let spec = &pv["spec"];
        let status = if pv["metadata"]["deletionTimestamp"].is_string() { "Terminating" } else { pv["status"]["phase"].as_str().unwrap_or_default() };
        let claim = match spec["claimRef"].as_object() {
            Some(c) => format!("{}/{}", c.get("namespace").and_then(Value::as_str).unwrap_or_default(), c.get("name").and_then(Value::as_str).unwrap_or_default()),
            None => String::new(),
        };
        let class = pv["metadata"]["annotations"]["volume.beta.kubernetes.io/storage-class"].as_str().or_else(|| spec["storageClassName"].as_str()).unwrap_or_default();
        vec![
            json!(name(pv)),
            json!(spec["capacity"]["storage"].as_str().unwrap_or("0")),
            json!(access_modes(&spec["accessModes"])),
            json!(spec["persistentVolumeReclaimPolicy"].as_str().unwrap_or_default()),
            json!(status),
            json!(claim),
            json!(class),
            json!(spec["volumeAttributesClassName"].as_str().unwrap_or("<unset>")),
            json!(pv["status"]["reason"].as_str().unwrap_or_default()),
            json!(format::age(pv, now)),
            json!(spec["volumeMode"].as_str().unwrap_or("<unset>")),
        ]
    }
}

pub struct PersistentVolumeClaimStrategy;

impl Strategy for PersistentVolumeClaimStrategy {
    fn has_status(&self) -> bool {
        true
    }

    fn default(&self, obj: &mut Value) {
        set_default(object_mut(obj, "spec"), "volumeMode", json!("Filesystem"));
        set_default(object_mut(obj, "status"), "phase", json!("Pending"));
    }

    fn admit(&self, obj: &mut Value, ctx: &mut Ctx) -> Result<(), ApiError> {
        add_finalizer(obj, "kubernetes.io/pvc-protection");
        // DefaultStorageClass: a claim that names no class gets the default one (the newest).
        if obj["spec"].get("storageClassName").is_none_or(Value::is_null) {
            let all = crate::store::Selection::All;
            let default = ctx
                .store
                .list("storageclasses.storage.k8s.io", None, &all, None)
                .into_iter()
                .filter(|s| is_default_class(&s.object))
                .max_by_key(|s| (s.object["metadata"]["creationTimestamp"].as_str().unwrap_or_default().to_string(), name(&s.object).to_string()));
            if let Some(sc) = default {
                object_mut(obj, "spec").insert("storageClassName".into(), json!(name(&sc.object)));
            }
        }
        Ok(())
    }

    fn prepare_for_create(&self, obj: &mut Value) {
        obj["status"] = json!({"phase": "Pending"});
    }

    fn validate(&self, pvc: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let spec = &pvc["spec"];
        let p = Path::new("spec");
        validate_access_modes(&spec["accessModes"], &p.child("accessModes"), "at least 1 access mode is required", &mut errs);
        if !spec["selector"].is_null() {
            errs.extend(validate_label_selector(&spec["selector"], &p.child("selector")));
        }
        match spec["resources"]["requests"]["storage"].as_str().and_then(|s| Quantity::parse(s).ok()) {
            None => errs.push(FieldError::required(&p.child("resources").key("storage"), "")),
            Some(q) if q.is_zero() || q.is_negative() => errs.push(FieldError::invalid_str(&p.child("resources").key("storage"), &q.canonical(), "must be greater than zero")),
            Some(_) => {}
        }
        if let Some(sc) = spec["storageClassName"].as_str().filter(|s| !s.is_empty()) {
            for m in dns1123_subdomain(sc) {
                errs.push(FieldError::invalid_str(&p.child("storageClassName"), sc, m));
            }
        }
        if let Some(vm) = spec["volumeMode"].as_str() {
            if vm != "Block" && vm != "Filesystem" {
                errs.push(FieldError::not_supported(&p.child("volumeMode"), BadValue::Str(vm.into()), &["Block", "Filesystem"]));
            }
        }
        errs
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = self.validate(new);
        let strip = |v: &Value| {
            let mut s = v["spec"].clone();
            if let Some(m) = s.as_object_mut() {
                m.remove("volumeAttributesClassName");
                if let Some(r) = m.get_mut("resources").and_then(Value::as_object_mut) {
                    r.remove("requests");
                }
                // Binding fills these in once.
                if old["spec"]["volumeName"].is_null() {
                    m.remove("volumeName");
                }
                if old["spec"]["storageClassName"].is_null() {
                    m.remove("storageClassName");
                }
            }
            s
        };
        if strip(new) != strip(old) {
            errs.push(FieldError::forbidden(&Path::new("spec"), "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"));
        }
        if let (Some(n), Some(o)) = (requested_storage(new), requested_storage(old)) {
            if n < o {
                errs.push(FieldError::forbidden(&Path::new("spec.resources.requests.storage"), "field can not be less than status.capacity"));
            }
        }
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[
            Column::name(),
            Column::string("Status"),
            Column::string("Volume"),
            Column::string("Capacity"),
            Column::string("Access Modes"),
            Column::string("StorageClass"),
            Column::string("VolumeAttributesClass"),
            Column::age(),
            Column::string("VolumeMode").wide(),
        ];
        Some(C)
    }

    fn row(&self, pvc: &Value, now: Timestamp) -> Vec<Value> {
        let spec = &pvc["spec"];
        let status = if pvc["metadata"]["deletionTimestamp"].is_string() { "Terminating" } else { pvc["status"]["phase"].as_str().unwrap_or_default() };
        let volume = spec["volumeName"].as_str().unwrap_or_default();
        let (capacity, modes) = if volume.is_empty() {
            (String::new(), String::new())
        } else {
            (pvc["status"]["capacity"]["storage"].as_str().unwrap_or("0").to_string(), access_modes(&pvc["status"]["accessModes"]))
        };
        let class = pvc["metadata"]["annotations"]["volume.beta.kubernetes.io/storage-class"].as_str().or_else(|| spec["storageClassName"].as_str()).unwrap_or_default();
        vec![
            json!(name(pvc)),
            json!(status),
            json!(volume),
            json!(capacity),
            json!(modes),
            json!(class),
            json!(spec["volumeAttributesClassName"].as_str().unwrap_or("<unset>")),
            json!(format::age(pvc, now)),
            json!(spec["volumeMode"].as_str().unwrap_or("<unset>")),
        ]
    }
}

/// Whether a StorageClass is marked as the cluster default.
pub fn is_default_class(sc: &Value) -> bool {
    let a = &sc["metadata"]["annotations"];
    a["storageclass.kubernetes.io/is-default-class"] == "true" || a["storageclass.beta.kubernetes.io/is-default-class"] == "true"
}

pub struct StorageClassStrategy;

impl Strategy for StorageClassStrategy {
    fn default(&self, obj: &mut Value) {
        if let Some(m) = obj.as_object_mut() {
            set_default(m, "reclaimPolicy", json!("Delete"));
            set_default(m, "volumeBindingMode", json!("Immediate"));
        }
    }

    fn validate(&self, sc: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let prov = sc["provisioner"].as_str().unwrap_or_default();
        if prov.is_empty() {
            errs.push(FieldError::required(&Path::new("provisioner"), ""));
        } else if prov.len() > 63 {
            errs.push(FieldError::too_long(&Path::new("provisioner"), 63));
        }
        if let Some(r) = sc["reclaimPolicy"].as_str() {
            if r != "Delete" && r != "Retain" {
                errs.push(FieldError::not_supported(&Path::new("reclaimPolicy"), BadValue::Str(r.into()), &["Delete", "Retain"]));
            }
        }
        if let Some(m) = sc["volumeBindingMode"].as_str() {
            if m != "Immediate" && m != "WaitForFirstConsumer" {
                errs.push(FieldError::not_supported(&Path::new("volumeBindingMode"), BadValue::Str(m.into()), &["Immediate", "WaitForFirstConsumer"]));
            }
        }
        errs
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = self.validate(new);
        for f in ["parameters", "provisioner", "reclaimPolicy", "volumeBindingMode"] {
            if new[f] != old[f] {
                errs.push(FieldError::forbidden(&Path::new(f), "updates to ".to_string() + f + " are forbidden."));
            }
        }
        errs
    }

    fn columns(&self) -> Option<&'static [Column]> {
        const C: &[Column] = &[
            Column::name(),
            Column::string("Provisioner"),
            Column::string("ReclaimPolicy"),
            Column::string("VolumeBindingMode"),
            Column::string("AllowVolumeExpansion"),
            Column::age(),
        ];
        Some(C)
    }

    fn row(&self, sc: &Value, now: Timestamp) -> Vec<Value> {
        let n = if is_default_class(sc) { format!("{} (default)", name(sc)) } else { name(sc).to_string() };
        vec![
            json!(n),
            json!(sc["provisioner"].as_str().unwrap_or_default()),
            json!(sc["reclaimPolicy"].as_str().unwrap_or("Delete")),
            json!(sc["volumeBindingMode"].as_str().unwrap_or("Immediate")),
            json!(sc["allowVolumeExpansion"].as_bool().unwrap_or(false)),
            json!(format::age(sc, now)),
        ]
    }
}

/// The storage a PersistentVolumeClaim asks for.
pub fn requested_storage(claim: &Value) -> Option<Quantity> {
    claim["spec"]["resources"]["requests"]["storage"].as_str().and_then(|s| Quantity::parse(s).ok())
}
