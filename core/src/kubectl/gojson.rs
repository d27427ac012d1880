//! JSON as Go's `encoding/json` writes kubectl's typed objects: compact, each struct's fields
//! in the order the Go type declares them, map keys sorted, `<`, `>` and `&` escaped. kubectl
//! stores objects its generators made this way (`create deployment --save-config` puts it in
//! the last-applied annotation). Only the types kubectl's generators make are described;
//! anything else is written with its keys sorted, as an unstructured object would be.

use serde_json::Value;

/// How one JSON value is laid out.
#[derive(Clone, Copy)]
enum Ty {
    /// A map or a value of unknown type: keys sorted.
    Sorted,
    /// A Go struct: its fields in this order (a list field's type is its items' type).
    Struct(&'static [(&'static str, Ty)]),
}

use Ty::{Sorted, Struct};

const OBJECT_META: &[(&str, Ty)] = &[
    ("name", Sorted),
    ("generateName", Sorted),
    ("namespace", Sorted),
    ("selfLink", Sorted),
    ("uid", Sorted),
    ("resourceVersion", Sorted),
    ("generation", Sorted),
    ("creationTimestamp", Sorted),
    ("deletionTimestamp", Sorted),
    ("deletionGracePeriodSeconds", Sorted),
    ("labels", Sorted),
    ("annotations", Sorted),
    ("ownerReferences", Struct(&[("apiVersion", Sorted), ("kind", Sorted), ("name", Sorted), ("uid", Sorted), ("controller", Sorted), ("blockOwnerDeletion", Sorted)])),
    ("finalizers", Sorted),
    ("managedFields", Sorted),
];

const LABEL_SELECTOR: &[(&str, Ty)] = &[("matchLabels", Sorted), ("matchExpressions", Struct(&[("key", Sorted), ("operator", Sorted), ("values", Sorted)]))];

const CONTAINER: &[(&str, Ty)] = &[
    ("name", Sorted),
    ("image", Sorted),
    ("command", Sorted),
    ("args", Sorted),
    ("workingDir", Sorted),
    ("ports", Struct(&[("name", Sorted), ("hostPort", Sorted), ("containerPort", Sorted), ("protocol", Sorted), ("hostIP", Sorted)])),
    ("envFrom", Sorted),
    ("env", Struct(&[("name", Sorted), ("value", Sorted), ("valueFrom", Sorted)])),
    ("resources", Struct(&[("limits", Sorted), ("requests", Sorted), ("claims", Sorted)])),
    ("resizePolicy", Sorted),
    ("restartPolicy", Sorted),
    ("volumeMounts", Sorted),
    ("volumeDevices", Sorted),
    ("livenessProbe", Sorted),
    ("readinessProbe", Sorted),
    ("startupProbe", Sorted),
    ("lifecycle", Sorted),
    ("terminationMessagePath", Sorted),
    ("terminationMessagePolicy", Sorted),
    ("imagePullPolicy", Sorted),
    ("securityContext", Sorted),
    ("stdin", Sorted),
    ("stdinOnce", Sorted),
    ("tty", Sorted),
];

const POD_SPEC: &[(&str, Ty)] = &[
    ("volumes", Sorted),
    ("initContainers", Struct(CONTAINER)),
    ("containers", Struct(CONTAINER)),
    ("ephemeralContainers", Sorted),
    ("restartPolicy", Sorted),
    ("terminationGracePeriodSeconds", Sorted),
    ("activeDeadlineSeconds", Sorted),
    ("dnsPolicy", Sorted),
    ("nodeSelector", Sorted),
    ("serviceAccountName", Sorted),
    ("serviceAccount", Sorted),
    ("automountServiceAccountToken", Sorted),
    ("nodeName", Sorted),
    ("hostNetwork", Sorted),
    ("hostPID", Sorted),
    ("hostIPC", Sorted),
    ("shareProcessNamespace", Sorted),
    ("securityContext", Sorted),
    ("imagePullSecrets", Sorted),
    ("hostname", Sorted),
    ("subdomain", Sorted),
    ("affinity", Sorted),
    ("schedulerName", Sorted),
    ("tolerations", Sorted),
    ("hostAliases", Sorted),
    ("priorityClassName", Sorted),
    ("priority", Sorted),
    ("dnsConfig", Sorted),
    ("readinessGates", Sorted),
    ("runtimeClassName", Sorted),
    ("enableServiceLinks", Sorted),
    ("preemptionPolicy", Sorted),
    ("overhead", Sorted),
    ("topologySpreadConstraints", Sorted),
    ("setHostnameAsFQDN", Sorted),
    ("os", Sorted),
    ("hostUsers", Sorted),
    ("schedulingGates", Sorted),
    ("resourceClaims", Sorted),
    ("resources", Sorted),
];

const POD_TEMPLATE: &[(&str, Ty)] = &[("metadata", Struct(OBJECT_META)), ("spec", Struct(POD_SPEC))];

const DEPLOYMENT_SPEC: &[(&str, Ty)] = &[
    ("replicas", Sorted),
    ("selector", Struct(LABEL_SELECTOR)),
    ("template", Struct(POD_TEMPLATE)),
    ("strategy", Struct(&[("type", Sorted), ("rollingUpdate", Struct(&[("maxUnavailable", Sorted), ("maxSurge", Sorted)]))])),
    ("minReadySeconds", Sorted),
    ("revisionHistoryLimit", Sorted),
    ("paused", Sorted),
    ("progressDeadlineSeconds", Sorted),
];

const JOB_SPEC: &[(&str, Ty)] = &[
    ("parallelism", Sorted),
    ("completions", Sorted),
    ("activeDeadlineSeconds", Sorted),
    ("podFailurePolicy", Sorted),
    ("successPolicy", Sorted),
    ("backoffLimit", Sorted),
    ("backoffLimitPerIndex", Sorted),
    ("maxFailedIndexes", Sorted),
    ("selector", Struct(LABEL_SELECTOR)),
    ("manualSelector", Sorted),
    ("template", Struct(POD_TEMPLATE)),
    ("ttlSecondsAfterFinished", Sorted),
    ("completionMode", Sorted),
    ("suspend", Sorted),
    ("podReplacementPolicy", Sorted),
    ("managedBy", Sorted),
];

const CRONJOB_SPEC: &[(&str, Ty)] = &[
    ("schedule", Sorted),
    ("timeZone", Sorted),
    ("startingDeadlineSeconds", Sorted),
    ("concurrencyPolicy", Sorted),
    ("suspend", Sorted),
    ("jobTemplate", Struct(&[("metadata", Struct(OBJECT_META)), ("spec", Struct(JOB_SPEC))])),
    ("successfulJobsHistoryLimit", Sorted),
    ("failedJobsHistoryLimit", Sorted),
];

const SERVICE_SPEC: &[(&str, Ty)] = &[
    ("ports", Struct(&[("name", Sorted), ("protocol", Sorted), ("appProtocol", Sorted), ("port", Sorted), ("targetPort", Sorted), ("nodePort", Sorted)])),
    ("selector", Sorted),
    ("clusterIP", Sorted),
    ("clusterIPs", Sorted),
    ("type", Sorted),
    ("externalIPs", Sorted),
    ("sessionAffinity", Sorted),
    ("loadBalancerIP", Sorted),
    ("loadBalancerSourceRanges", Sorted),
    ("externalName", Sorted),
    ("externalTrafficPolicy", Sorted),
    ("healthCheckNodePort", Sorted),
    ("publishNotReadyAddresses", Sorted),
    ("sessionAffinityConfig", Sorted),
    ("ipFamilies", Sorted),
    ("ipFamilyPolicy", Sorted),
    ("allocateLoadBalancerNodePorts", Sorted),
    ("loadBalancerClass", Sorted),
    ("internalTrafficPolicy", Sorted),
    ("trafficDistribution", Sorted),
];

const POLICY_RULE: &[(&str, Ty)] = &[("verbs", Sorted), ("apiGroups", Sorted), ("resources", Sorted), ("resourceNames", Sorted), ("nonResourceURLs", Sorted)];

const HPA_SPEC: &[(&str, Ty)] = &[
    ("scaleTargetRef", Struct(&[("kind", Sorted), ("name", Sorted), ("apiVersion", Sorted)])),
    ("minReplicas", Sorted),
    ("maxReplicas", Sorted),
    (
        "metrics",
        Struct(&[
            ("type", Sorted),
            ("object", Sorted),
            ("pods", Sorted),
            ("resource", Struct(&[("name", Sorted), ("target", Struct(&[("type", Sorted), ("value", Sorted), ("averageValue", Sorted), ("averageUtilization", Sorted)]))])),
            ("containerResource", Sorted),
            ("external", Sorted),
        ]),
    ),
    ("behavior", Sorted),
];

const HPA_STATUS: &[(&str, Ty)] = &[("observedGeneration", Sorted), ("lastScaleTime", Sorted), ("currentReplicas", Sorted), ("desiredReplicas", Sorted), ("currentMetrics", Sorted), ("conditions", Sorted)];

/// The fields after `kind`, `apiVersion` and `metadata` of each kind kubectl generates.
fn body(kind: &str) -> &'static [(&'static str, Ty)] {
    match kind {
        "Deployment" => &[("spec", Struct(DEPLOYMENT_SPEC)), ("status", Sorted)],
        "Pod" => &[("spec", Struct(POD_SPEC)), ("status", Sorted)],
        "Job" => &[("spec", Struct(JOB_SPEC)), ("status", Sorted)],
        "CronJob" => &[("spec", Struct(CRONJOB_SPEC)), ("status", Sorted)],
        "ConfigMap" => &[("immutable", Sorted), ("data", Sorted), ("binaryData", Sorted)],
        "Secret" => &[("immutable", Sorted), ("data", Sorted), ("stringData", Sorted), ("type", Sorted)],
        "Service" => &[("spec", Struct(SERVICE_SPEC)), ("status", Sorted)],
        "ServiceAccount" => &[("secrets", Sorted), ("imagePullSecrets", Sorted), ("automountServiceAccountToken", Sorted)],
        "Role" | "ClusterRole" => &[("rules", Struct(POLICY_RULE)), ("aggregationRule", Sorted)],
        "RoleBinding" | "ClusterRoleBinding" => &[("subjects", Struct(&[("kind", Sorted), ("apiGroup", Sorted), ("name", Sorted), ("namespace", Sorted)])), ("roleRef", Struct(&[("apiGroup", Sorted), ("kind", Sorted), ("name", Sorted)]))],
        "ResourceQuota" => &[("spec", Struct(&[("hard", Sorted), ("scopes", Sorted), ("scopeSelector", Sorted)])), ("status", Sorted)],
        "PodDisruptionBudget" => &[
            ("spec", Struct(&[("minAvailable", Sorted), ("selector", Struct(LABEL_SELECTOR)), ("maxUnavailable", Sorted), ("unhealthyPodEvictionPolicy", Sorted)])),
            ("status", Struct(&[("observedGeneration", Sorted), ("disruptedPods", Sorted), ("disruptionsAllowed", Sorted), ("currentHealthy", Sorted), ("desiredHealthy", Sorted), ("expectedPods", Sorted), ("conditions", Sorted)])),
        ],
        "PriorityClass" => &[("value", Sorted), ("globalDefault", Sorted), ("description", Sorted), ("preemptionPolicy", Sorted)],
        "Namespace" => &[("spec", Struct(&[("finalizers", Sorted)])), ("status", Sorted)],
        "HorizontalPodAutoscaler" => &[("spec", Struct(HPA_SPEC)), ("status", Struct(HPA_STATUS))],
        _ => &[],
    }
}

/// A JSON string as Go writes it (HTML characters escaped).
fn string(s: &str, out: &mut String) {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    out.push_str(&quoted.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026").replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029"));
}

/// An object's fields: the declared ones first, in order, then any others sorted (serde_json's
/// map iterates in key order).
fn write_object(map: &serde_json::Map<String, Value>, fields: &[(&str, Ty)], out: &mut String) {
    let mut keys: Vec<(&str, Ty)> = fields.iter().filter(|(k, _)| map.contains_key(*k)).copied().collect();
    keys.extend(map.keys().filter(|k| !fields.iter().any(|(f, _)| f == k)).map(|k| (k.as_str(), Sorted)));
    out.push('{');
    for (i, (k, child)) in keys.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(k, out);
        out.push(':');
        write(&map[*k], *child, out);
    }
    out.push('}');
}

fn write(v: &Value, ty: Ty, out: &mut String) {
    match v {
        Value::Object(map) => write_object(map, if let Struct(f) = ty { f } else { &[] }, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, ty, out);
            }
            out.push(']');
        }
        Value::String(s) => string(s, out),
        other => out.push_str(&other.to_string()),
    }
}

/// An object kubectl made, as Go's `json.Marshal` writes its typed form.
pub fn encode(obj: &Value) -> String {
    const HEAD: &[(&str, Ty)] = &[("kind", Sorted), ("apiVersion", Sorted), ("metadata", Struct(OBJECT_META))];
    let mut out = String::new();
    match obj.as_object() {
        Some(map) => {
            let fields: Vec<(&str, Ty)> = HEAD.iter().chain(body(obj["kind"].as_str().unwrap_or_default())).copied().collect();
            write_object(map, &fields, &mut out);
        }
        None => write(obj, Sorted, &mut out),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn typed_objects_keep_go_field_order() {
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"creationTimestamp": null, "labels": {"app": "web"}, "name": "web"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}, "strategy": {}, "template": {"metadata": {"creationTimestamp": null, "labels": {"app": "web"}}, "spec": {"containers": [{"image": "nginx", "name": "nginx", "resources": {}}]}}}, "status": {}});
        assert_eq!(
            encode(&d),
            r#"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","creationTimestamp":null,"labels":{"app":"web"}},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx","resources":{}}]}},"strategy":{}},"status":{}}"#
        );
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c2", "creationTimestamp": null}, "data": {"b": "1", "a": "<&>"}});
        assert_eq!(encode(&cm), r#"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c2","creationTimestamp":null},"data":{"a":"\u003c\u0026\u003e","b":"1"}}"#);
    }
}
