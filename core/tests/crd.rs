//! CustomResourceDefinitions end to end: what a CRD makes the server serve, how its schema
//! shapes custom resources, and what deleting it takes with it. The guide's chapter 19 sample
//! and Argo CD's install manifest (chapter 17) are read from ../shared/corpus when present.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use hakoniwa_core::apiserver::{Method, Request};
use hakoniwa_core::kubectl::Kubectl;
use hakoniwa_core::{Cluster, Duration, Timestamp};
use serde_json::{json, Value};

fn boot() -> (Cluster, Kubectl) {
    let c = Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap();
    (c, Kubectl::new("kind-kind"))
}

fn corpus(chapter: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/kubernetes-perfect-guide").join(chapter);
    dir.is_dir().then_some(dir)
}

const CRONTAB: &str = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct], categories: [all]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [cronSpec]
            properties:
              cronSpec: {type: string}
              image: {type: string}
              replicas: {type: integer, default: 1}
          status:
            type: object
            properties:
              active: {type: integer}
    subresources:
      status: {}
"#;

fn patch(path: &str, content_type: &str, body: Value) -> Request {
    Request::new(Method::Patch, path).with_bytes(content_type, serde_json::to_vec(&body).unwrap())
}

fn run(c: &mut Cluster, k: &mut Kubectl, line: &str, stdin: Option<&str>) -> String {
    k.run(c, line, stdin).text()
}

#[test]
fn a_crd_is_served_at_once_and_its_schema_shapes_objects() {
    let (mut c, mut k) = boot();
    assert_eq!(run(&mut c, &mut k, "kubectl get ct", None), "error: the server doesn't have a resource type \"ct\"\n");
    assert_eq!(run(&mut c, &mut k, "kubectl apply -f -", Some(CRONTAB)), "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created\n");
    let cr = "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: nightly}\nspec: {cronSpec: '0 3 * * *', image: backup}\nstatus: {active: 2}\n";
    assert_eq!(run(&mut c, &mut k, "kubectl apply -f -", Some(cr)), "crontab.stable.example.com/nightly created\n");
    // Defaults filled, status dropped on create (it is a subresource), generation 1.
    let obj: Value = serde_json::from_str(&run(&mut c, &mut k, "kubectl get ct nightly -o json", None)).unwrap();
    assert_eq!(obj["spec"], json!({"cronSpec": "0 3 * * *", "image": "backup", "replicas": 1}));
    assert!(obj.get("status").is_none());
    assert_eq!(obj["metadata"]["generation"], 1);
    // The "all" category lists it with the built-in kinds.
    assert!(run(&mut c, &mut k, "kubectl get all", None).contains("crontab.stable.example.com/nightly"));
    // The default column when a CRD has none: AGE.
    c.advance(Duration::from_secs(90));
    assert_eq!(run(&mut c, &mut k, "kubectl get crontabs", None), "NAME      AGE\nnightly   90s\n");
    // A status write changes only the status; a main write cannot change it and moves the
    // generation only when something else changed.
    let api = c.api();
    let path = "/apis/stable.example.com/v1/namespaces/default/crontabs/nightly";
    let r = api.handle(&patch(&format!("{path}/status"), "application/merge-patch+json", json!({"status": {"active": 1}, "spec": {"image": "ignored"}})));
    assert_eq!(r.status, 200);
    let v = r.json().unwrap().clone();
    assert_eq!((v["status"]["active"].clone(), v["spec"]["image"].clone(), v["metadata"]["generation"].clone()), (json!(1), json!("backup"), json!(1)));
    let r = api.handle(&patch(path, "application/merge-patch+json", json!({"status": {"active": 9}})));
    assert_eq!((r.json().unwrap()["status"]["active"].clone(), r.json().unwrap()["metadata"]["generation"].clone()), (json!(1), json!(1)));
    let r = api.handle(&patch(path, "application/merge-patch+json", json!({"spec": {"image": "backup:2"}})));
    assert_eq!(r.json().unwrap()["metadata"]["generation"], 2);
    // Required fields, in the schema's words.
    let bad = "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: empty}\nspec: {image: x}\n";
    assert_eq!(run(&mut c, &mut k, "kubectl create -f -", Some(bad)), "The CronTab \"empty\" is invalid: spec.cronSpec: Required value\n");
    // Strategic merge patches are not for custom resources.
    let r = c.api().handle(&patch(path, "application/strategic-merge-patch+json", json!({"spec": {"image": "x"}})));
    assert_eq!(r.status, 415);
}

#[test]
fn deleting_a_crd_deletes_its_objects_then_itself() {
    let (mut c, mut k) = boot();
    run(&mut c, &mut k, "kubectl apply -f -", Some(CRONTAB));
    run(&mut c, &mut k, "kubectl create namespace batch", None);
    for (ns, name) in [("default", "a"), ("batch", "b")] {
        let cr = format!("apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {{name: {name}, namespace: {ns}}}\nspec: {{cronSpec: '* * * * *'}}\n");
        assert!(run(&mut c, &mut k, "kubectl apply -f -", Some(&cr)).ends_with("created\n"));
    }
    // The first DELETE only marks it: the cleanup finalizer and a Terminating condition.
    let api = c.api();
    let r = api.handle(&Request::delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com"));
    assert_eq!(r.status, 200);
    let v = r.json().unwrap().clone();
    assert_eq!(v["metadata"]["finalizers"], json!(["customresourcecleanup.apiextensions.k8s.io"]));
    let terminating = v["status"]["conditions"].as_array().unwrap().iter().find(|c| c["type"] == "Terminating").unwrap().clone();
    assert_eq!(terminating["reason"], "InstanceDeletionPending");
    // Until the finalizer has run, no new objects.
    let r = api.handle(&Request::post("/apis/stable.example.com/v1/namespaces/default/crontabs", json!({"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "late"}, "spec": {"cronSpec": "x"}})));
    assert_eq!((r.status, r.json().unwrap()["message"].clone()), (405, json!("create not allowed while custom resource definition is terminating")));
    c.settle();
    assert_eq!(run(&mut c, &mut k, "kubectl get crd", None), "No resources found\n");
    assert!(c.api_ref().store().list("crontabs.stable.example.com", None, &hakoniwa_core::store::Selection::All, None).is_empty());
    let r = c.api().handle(&Request::get("/apis/stable.example.com/v1/crontabs"));
    assert_eq!(r.status, 404);
    let r = c.api().handle(&Request::get("/apis"));
    assert!(!r.json().unwrap().to_string().contains("stable.example.com"));
}

#[test]
fn names_another_crd_of_the_group_holds_are_refused() {
    let (mut c, mut k) = boot();
    run(&mut c, &mut k, "kubectl apply -f -", Some(CRONTAB));
    let clash = CRONTAB.replace("crontabs.stable.example.com", "timers.stable.example.com").replace("plural: crontabs, singular: crontab, kind: CronTab", "plural: timers, singular: timer, kind: Timer");
    run(&mut c, &mut k, "kubectl apply -f -", Some(&clash));
    let conds = run(&mut c, &mut k, "kubectl get crd timers.stable.example.com -o 'jsonpath={range .status.conditions[*]}{.type}={.status}/{.reason}/{.message};{end}'", None);
    assert_eq!(conds, "NamesAccepted=False/ShortNamesConflict/\"ct\" is already in use;Established=False/NotAccepted/not all names are accepted;");
    // Not accepted, not served.
    assert_eq!(run(&mut c, &mut k, "kubectl get timers", None), "error: the server doesn't have a resource type \"timers\"\n");
    assert_eq!(run(&mut c, &mut k, "kubectl get crd timers.stable.example.com -o jsonpath={.status.acceptedNames.shortNames}", None), "");
}

#[test]
fn the_guides_sample_crd_and_database() {
    let Some(dir) = corpus("chapter19") else {
        eprintln!("skipped: ../shared/corpus is absent");
        return;
    };
    let (mut c, mut k) = boot();
    for f in ["sample-crd.yaml", "sample-cr.yaml"] {
        k.files.write(f, std::fs::read_to_string(dir.join(f)).unwrap());
    }
    assert_eq!(run(&mut c, &mut k, "kubectl apply -f sample-crd.yaml", None), "customresourcedefinition.apiextensions.k8s.io/databases.stable.example.com created\n");
    assert_eq!(run(&mut c, &mut k, "kubectl apply -f sample-cr.yaml", None), "database.stable.example.com/my-mysql created\n");
    c.advance(Duration::from_secs(5));
    assert_eq!(run(&mut c, &mut k, "kubectl get db", None), "NAME       TYPE    DISKSIZE   AGE\nmy-mysql   mysql   100        5s\n");
}

#[test]
fn argo_cds_v1beta1_crds_are_refused_as_on_a_1_33_cluster() {
    let Some(dir) = corpus("chapter17") else {
        eprintln!("skipped: ../shared/corpus is absent");
        return;
    };
    let Ok(text) = std::fs::read_to_string(dir.join("argocd/install.yaml")) else { return };
    let (mut c, mut k) = boot();
    k.files.write("install.yaml", &text);
    run(&mut c, &mut k, "kubectl create namespace argocd", None);
    // apiextensions.k8s.io/v1beta1 went away in 1.22: its CRDs do not map, the rest applies.
    let out = k.run(&mut c, "kubectl apply -n argocd -f install.yaml", None);
    assert_eq!(out.exit, 1);
    let text = out.text();
    assert!(text.contains("resource mapping not found for name: \"applications.argoproj.io\" namespace: \"\" from \"install.yaml\": no matches for kind \"CustomResourceDefinition\" in version \"apiextensions.k8s.io/v1beta1\"\nensure CRDs are installed first\n"), "{text}");
    assert!(text.ends_with("ensure CRDs are installed first\n"), "reported when the rest is done: {text}");
    assert!(text.contains("serviceaccount/argocd-server created"), "{text}");
    assert_eq!(run(&mut c, &mut k, "kubectl get crd", None), "No resources found\n");
}

#[test]
fn server_side_apply_reads_the_schemas_list_and_map_types() {
    let (mut c, _) = boot();
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "gateways.net.example.com"},
        "spec": {"group": "net.example.com", "scope": "Namespaced", "names": {"plural": "gateways", "kind": "Gateway"},
            "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object", "properties": {
                "listeners": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                    "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "port": {"type": "integer"}}}},
                "hosts": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
                "tags": {"type": "array", "items": {"type": "string"}},
                "limits": {"type": "object", "x-kubernetes-map-type": "atomic", "additionalProperties": {"type": "integer"}},
            }}}}}}]}});
    assert_eq!(c.api().handle(&Request::post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)).status, 201);
    c.settle();
    let path = "/apis/net.example.com/v1/namespaces/default/gateways/gw";
    let apply = |manager: &str, spec: Value, force: bool| {
        let body = json!({"apiVersion": "net.example.com/v1", "kind": "Gateway", "metadata": {"name": "gw"}, "spec": spec});
        let mut r = patch(path, "application/apply-patch+yaml", body).with_query("fieldManager", manager);
        if force {
            r = r.with_query("force", "true");
        }
        r
    };
    let r = c.api().handle(&apply("alice", json!({"listeners": [{"name": "http", "port": 80}], "hosts": ["a.example.com"], "tags": ["x"], "limits": {"cpu": 1}}), false));
    assert_eq!(r.status, 201, "{:?}", r.json());
    // Keyed lists and sets merge item by item; plain lists and atomic maps are replaced, and
    // so conflict as a whole.
    let r = c.api().handle(&apply("bob", json!({"listeners": [{"name": "https", "port": 443}], "hosts": ["b.example.com"]}), false));
    assert_eq!(r.status, 200, "{:?}", r.json());
    let v = r.json().unwrap().clone();
    assert_eq!(v["spec"]["listeners"], json!([{"name": "http", "port": 80}, {"name": "https", "port": 443}]));
    assert_eq!(v["spec"]["hosts"], json!(["a.example.com", "b.example.com"]));
    // Bob no longer applies https: his item goes whole (not a keyless remnant).
    let r = c.api().handle(&apply("bob", json!({"listeners": [{"name": "http", "port": 8080}]}), false));
    assert_eq!(r.json().unwrap()["message"], "Apply failed with 1 conflict: conflict with \"alice\": .spec.listeners[name=\"http\"].port");
    let r = c.api().handle(&apply("bob", json!({"listeners": [{"name": "http", "port": 8080}], "tags": ["y"], "limits": {"mem": 2}}), false));
    assert_eq!(r.status, 409);
    assert_eq!(r.json().unwrap()["message"], "Apply failed with 3 conflicts: conflicts with \"alice\":\n- .spec.limits\n- .spec.listeners[name=\"http\"].port\n- .spec.tags");
    let r = c.api().handle(&apply("bob", json!({"listeners": [{"name": "http", "port": 8080}], "tags": ["y"], "limits": {"mem": 2}}), true));
    assert_eq!(r.status, 200);
    let v = r.json().unwrap().clone();
    assert_eq!((v["spec"]["tags"].clone(), v["spec"]["limits"].clone()), (json!(["y"]), json!({"mem": 2})));
    let alice = v["metadata"]["managedFields"].as_array().unwrap().iter().find(|e| e["manager"] == "alice").unwrap();
    assert_eq!(alice["fieldsV1"]["f:spec"], json!({"f:hosts": {"v:\"a.example.com\"": {}}, "f:listeners": {"k:{\"name\":\"http\"}": {".": {}, "f:name": {}}}}));
}

#[test]
fn kubernetes_groups_are_guarded() {
    let (mut c, mut k) = boot();
    let crd = |name: &str, group: &str, plural: &str, annotated: bool| {
        let mut v = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": name},
            "spec": {"group": group, "scope": "Namespaced", "names": {"plural": plural, "kind": "Thing"},
                "versions": [{"name": "v2", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}});
        if annotated {
            v["metadata"]["annotations"] = json!({"api-approved.kubernetes.io": "https://github.com/kubernetes/kubernetes/pull/1"});
        }
        v
    };
    let r = c.api().handle(&Request::post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd("things.widgets.k8s.io", "widgets.k8s.io", "things", false)));
    assert_eq!(r.status, 422);
    assert_eq!(r.json().unwrap()["message"], "CustomResourceDefinition.apiextensions.k8s.io \"things.widgets.k8s.io\" is invalid: metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation \"api-approved.kubernetes.io\", see https://github.com/kubernetes/enhancements/pull/1111");
    // Approved, but in a built-in group: stored, never served over the built-in resources.
    let r = c.api().handle(&Request::post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd("ingresses.networking.k8s.io", "networking.k8s.io", "ingresses", true)));
    assert_eq!(r.status, 201);
    c.settle();
    assert_eq!(c.api().handle(&Request::get("/apis/networking.k8s.io/v2/namespaces/default/ingresses")).status, 404);
    assert_eq!(run(&mut c, &mut k, "kubectl get ingresses", None), "No resources found in default namespace.\n");
    // A custom resource whose metadata is not ObjectMeta cannot be decoded.
    run(&mut c, &mut k, "kubectl apply -f -", Some(CRONTAB));
    let r = c.api().handle(&Request::post("/apis/stable.example.com/v1/namespaces/default/crontabs", json!({"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "x", "labels": "oops"}, "spec": {"cronSpec": "x"}})));
    assert_eq!(r.status, 400);
    assert!(r.json().unwrap()["message"].as_str().unwrap().starts_with("CronTab in version \"v1\" cannot be handled as a CronTab: "), "{:?}", r.json());
}

#[test]
fn two_crds_asking_for_one_name_at_once_do_not_both_get_it() {
    let (mut c, mut k) = boot();
    let timers = CRONTAB.replace("crontabs.stable.example.com", "timers.stable.example.com").replace("plural: crontabs, singular: crontab, kind: CronTab", "plural: timers, singular: timer, kind: Timer");
    let out = k.run(&mut c, "kubectl apply -f -", Some(&format!("{CRONTAB}---\n{timers}")));
    assert_eq!(out.exit, 0, "{}", out.text());
    let conds = run(&mut c, &mut k, "kubectl get crd -o 'jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type==\"NamesAccepted\")].status}{\"\\n\"}{end}'", None);
    assert_eq!(conds, "crontabs.stable.example.com True\ntimers.stable.example.com False\n");
}
