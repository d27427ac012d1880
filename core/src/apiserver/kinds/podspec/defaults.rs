//! Pod spec defaults (Kubernetes' `SetDefaults_PodSpec`, `_Container`, `_Probe`, volumes).
//! Pod-only defaults (enableServiceLinks, requests from limits, hostNetwork ports) are applied
//! only when `is_pod`.

use serde_json::{json, Map, Value};

use crate::api::object::set_default;

/// Defaults of a pod spec (`spec` of a Pod, or `spec.template.spec` of a workload).
pub fn default_pod_spec(spec: &mut Value, is_pod: bool) {
    let Some(s) = spec.as_object_mut() else { return };
    set_default(s, "restartPolicy", json!("Always"));
    set_default(s, "dnsPolicy", json!("ClusterFirst"));
    set_default(s, "schedulerName", json!("default-scheduler"));
    set_default(s, "terminationGracePeriodSeconds", json!(30));
    set_default(s, "securityContext", json!({}));
    if is_pod {
        set_default(s, "enableServiceLinks", json!(true));
    }
    let host_network = s.get("hostNetwork") == Some(&json!(true));
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        if let Some(cs) = s.get_mut(list).and_then(Value::as_array_mut) {
            for c in cs {
                default_container(c, is_pod, host_network);
            }
        }
    }
    if let Some(vols) = s.get_mut("volumes").and_then(Value::as_array_mut) {
        for v in vols {
            default_volume(v);
        }
    }
}

/// Defaults of a pod template: `metadata.creationTimestamp: null` shows in 1.33, and the spec.
pub fn default_template(template: &mut Value) {
    let Some(t) = template.as_object_mut() else { return };
    let meta = t.entry("metadata").or_insert_with(|| json!({}));
    if let Some(m) = meta.as_object_mut() {
        m.entry("creationTimestamp").or_insert(Value::Null);
    }
    let spec = t.entry("spec").or_insert_with(|| json!({}));
    default_pod_spec(spec, false);
}

fn default_container(c: &mut Value, is_pod: bool, host_network: bool) {
    let Some(m) = c.as_object_mut() else { return };
    set_default(m, "terminationMessagePath", json!("/dev/termination-log"));
    set_default(m, "terminationMessagePolicy", json!("File"));
    let policy = image_pull_policy(m.get("image").and_then(Value::as_str).unwrap_or_default());
    set_default(m, "imagePullPolicy", json!(policy));
    let resources = m.entry("resources").or_insert_with(|| json!({}));
    if resources.is_null() {
        *resources = json!({});
    }
    if is_pod {
        if let Some(r) = resources.as_object_mut() {
            // Requests missing for a limited resource take the limit.
            if let Some(limits) = r.get("limits").and_then(Value::as_object).cloned() {
                if !limits.is_empty() {
                    let requests = r.entry("requests").or_insert_with(|| json!({}));
                    if let Some(req) = requests.as_object_mut() {
                        for (k, v) in limits {
                            req.entry(k).or_insert(v);
                        }
                    }
                }
            }
        }
    }
    if let Some(ports) = m.get_mut("ports").and_then(Value::as_array_mut) {
        for p in ports {
            if let Some(pm) = p.as_object_mut() {
                set_default(pm, "protocol", json!("TCP"));
                if is_pod && host_network {
                    let cp = pm.get("containerPort").cloned().unwrap_or(json!(0));
                    if pm.get("hostPort").and_then(Value::as_i64).unwrap_or(0) == 0 {
                        pm.insert("hostPort".into(), cp);
                    }
                }
            }
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(p) = m.get_mut(probe).and_then(Value::as_object_mut) {
            default_probe(p);
        }
    }
    for hook in ["postStart", "preStop"] {
        if let Some(h) = m.get_mut("lifecycle").and_then(|l| l.get_mut(hook)).and_then(Value::as_object_mut) {
            default_handler(h);
        }
    }
    if let Some(env) = m.get_mut("env").and_then(Value::as_array_mut) {
        for e in env {
            if let Some(fr) = e.get_mut("valueFrom").and_then(|v| v.get_mut("fieldRef")).and_then(Value::as_object_mut) {
                set_default(fr, "apiVersion", json!("v1"));
            }
        }
    }
}

fn default_probe(p: &mut Map<String, Value>) {
    set_default(p, "timeoutSeconds", json!(1));
    set_default(p, "periodSeconds", json!(10));
    set_default(p, "successThreshold", json!(1));
    set_default(p, "failureThreshold", json!(3));
    default_handler(p);
}

fn default_handler(h: &mut Map<String, Value>) {
    if let Some(g) = h.get_mut("httpGet").and_then(Value::as_object_mut) {
        set_default(g, "path", json!("/"));
        set_default(g, "scheme", json!("HTTP"));
    }
}

/// The image pull policy Kubernetes picks: `Always` for `:latest` or no tag, else
/// `IfNotPresent` (digests too).
pub fn image_pull_policy(image: &str) -> &'static str {
    if image.is_empty() || image.contains('@') {
        return "IfNotPresent";
    }
    // The tag is after the last ':' that comes after the last '/'.
    let last_segment = image.rsplit('/').next().unwrap_or(image);
    match last_segment.rsplit_once(':') {
        Some((_, tag)) if tag != "latest" => "IfNotPresent",
        _ => "Always",
    }
}

const VOLUME_SOURCES: &[&str] = &[
    "emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret", "nfs", "iscsi", "glusterfs", "flocker",
    "persistentVolumeClaim", "rbd", "cinder", "cephfs", "quobyte", "downwardAPI", "fc", "flexVolume", "configMap", "azureFile",
    "vsphereVolume", "photonPersistentDisk", "portworxVolume", "azureDisk", "storageos", "projected", "scaleIO", "csi", "ephemeral", "image",
];

pub fn volume_sources() -> &'static [&'static str] {
    VOLUME_SOURCES
}

fn default_volume(v: &mut Value) {
    let Some(m) = v.as_object_mut() else { return };
    if !VOLUME_SOURCES.iter().any(|s| m.get(*s).is_some_and(|x| !x.is_null())) {
        m.insert("emptyDir".into(), json!({}));
    }
    for src in ["secret", "configMap", "downwardAPI", "projected"] {
        if let Some(s) = m.get_mut(src).and_then(Value::as_object_mut) {
            set_default(s, "defaultMode", json!(420));
        }
    }
    if let Some(h) = m.get_mut("hostPath").and_then(Value::as_object_mut) {
        set_default(h, "type", json!(""));
    }
    if let Some(items) = m.get_mut("downwardAPI").and_then(|d| d.get_mut("items")).and_then(Value::as_array_mut) {
        for it in items {
            if let Some(fr) = it.get_mut("fieldRef").and_then(Value::as_object_mut) {
                set_default(fr, "apiVersion", json!("v1"));
            }
        }
    }
    if let Some(sources) = m.get_mut("projected").and_then(|p| p.get_mut("sources")).and_then(Value::as_array_mut) {
        for s in sources {
            if let Some(t) = s.get_mut("serviceAccountToken").and_then(Value::as_object_mut) {
                set_default(t, "expirationSeconds", json!(3600));
            }
            if let Some(items) = s.get_mut("downwardAPI").and_then(|d| d.get_mut("items")).and_then(Value::as_array_mut) {
                for it in items {
                    if let Some(fr) = it.get_mut("fieldRef").and_then(Value::as_object_mut) {
                        set_default(fr, "apiVersion", json!("v1"));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_policy_by_tag() {
        for (image, want) in [
            ("nginx", "Always"),
            ("nginx:latest", "Always"),
            ("nginx:1.27", "IfNotPresent"),
            ("localhost:5000/app", "Always"),
            ("localhost:5000/app:v1", "IfNotPresent"),
            ("nginx@sha256:abc", "IfNotPresent"),
        ] {
            assert_eq!(image_pull_policy(image), want, "{image}");
        }
    }

    #[test]
    fn pod_spec_defaults() {
        let mut spec = json!({"containers": [{"name": "a", "image": "nginx:1.27", "ports": [{"containerPort": 80}],
            "resources": {"limits": {"cpu": "1"}}, "readinessProbe": {"httpGet": {"port": 80}}}], "volumes": [{"name": "v"}]});
        default_pod_spec(&mut spec, true);
        assert_eq!(spec["restartPolicy"], "Always");
        assert_eq!(spec["enableServiceLinks"], true);
        let c = &spec["containers"][0];
        assert_eq!(c["imagePullPolicy"], "IfNotPresent");
        assert_eq!(c["ports"][0]["protocol"], "TCP");
        assert_eq!(c["resources"]["requests"]["cpu"], "1");
        assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/");
        assert_eq!(c["readinessProbe"]["failureThreshold"], 3);
        assert_eq!(spec["volumes"][0]["emptyDir"], json!({}));
        let mut tmpl = json!({"spec": {"containers": [{"name": "a", "image": "x", "resources": {"limits": {"cpu": "1"}}}]}});
        default_template(&mut tmpl);
        assert_eq!(tmpl["metadata"]["creationTimestamp"], Value::Null);
        assert!(tmpl["spec"].get("enableServiceLinks").is_none());
        assert!(tmpl["spec"]["containers"][0]["resources"].get("requests").is_none());
    }
}
