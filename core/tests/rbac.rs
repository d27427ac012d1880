//! RBAC as a learner meets it: kubectl in a pod speaks as the pod's service account, and a
//! Role bound to that account decides what it may do; an aggregated ClusterRole gathers the
//! rules of the roles its selector matches.
#![allow(clippy::unwrap_used)]

use hakoniwa_core::kubectl::Kubectl;
use hakoniwa_core::{Cluster, Duration, Timestamp};

fn boot() -> (Cluster, Kubectl) {
    let c = Cluster::boot_default(1, Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()).unwrap();
    (c, Kubectl::new("kind-kind"))
}

fn exec(c: &mut Cluster, pod: &str, argv: &[&str]) -> (String, i64) {
    let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
    let out = c.exec("default", pod, None, &argv, false).unwrap();
    (out.output, out.code)
}

#[test]
fn kubectl_in_a_pod_is_its_service_account() {
    let (mut c, mut k) = boot();
    for line in [
        "kubectl create serviceaccount reader",
        "kubectl create role deploy-reader --verb=get,list --resource=deployments",
        "kubectl create rolebinding reader-reads --role=deploy-reader --serviceaccount=default:reader",
        "kubectl create deployment web --image=nginx:1.27",
    ] {
        assert_eq!(k.run(&mut c, line, None).exit, 0, "{line}");
    }
    let run = r#"kubectl run client --image=bitnami/kubectl:1.33 --overrides='{"spec":{"serviceAccountName":"reader"}}' --command -- sleep infinity"#;
    assert_eq!(k.run(&mut c, run, None).exit, 0);
    c.advance(Duration::from_secs(20));
    let (out, code) = exec(&mut c, "client", &["kubectl", "get", "deployments", "-o", "name"]);
    assert_eq!((out.as_str(), code), ("deployment.apps/web\n", 0));
    let (out, code) = exec(&mut c, "client", &["kubectl", "delete", "deployment", "web"]);
    assert_eq!(code, 1);
    assert_eq!(out, "Error from server (Forbidden): deployments.apps \"web\" is forbidden: User \"system:serviceaccount:default:reader\" cannot delete resource \"deployments\" in API group \"apps\" in the namespace \"default\"\n");
    let (out, _) = exec(&mut c, "client", &["kubectl", "auth", "can-i", "list", "pods"]);
    assert_eq!(out, "no\n");
    // Bound to view, it can read pods too.
    k.run(&mut c, "kubectl create rolebinding reader-views --clusterrole=view --serviceaccount=default:reader", None);
    assert_eq!(exec(&mut c, "client", &["kubectl", "auth", "can-i", "list", "pods"]), ("yes\n".to_string(), 0));
}

#[test]
fn aggregated_cluster_roles_gather_the_rules_of_the_roles_they_select() {
    let (mut c, mut k) = boot();
    k.files.write("agg.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: part-a\n  labels: {bundle: demo}\nrules:\n- apiGroups: [apps]\n  resources: [deployments]\n  verbs: [get]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: whole\naggregationRule:\n  clusterRoleSelectors:\n  - matchLabels: {bundle: demo}\nrules: []\n");
    assert_eq!(k.run(&mut c, "kubectl apply -f agg.yaml", None).exit, 0);
    c.advance(Duration::from_secs(1));
    assert_eq!(k.run(&mut c, "kubectl get clusterrole whole -o jsonpath={.rules}", None).text(), r#"[{"apiGroups":["apps"],"resources":["deployments"],"verbs":["get"]}]"#);
    k.run(&mut c, "kubectl create clusterrole part-b --verb=get --resource=services", None);
    k.run(&mut c, "kubectl label clusterrole part-b bundle=demo", None);
    c.advance(Duration::from_secs(1));
    let rules = k.run(&mut c, "kubectl get clusterrole whole -o jsonpath={.rules[*].resources}", None).text();
    assert_eq!(rules, r#"["deployments"] ["services"]"#);
    k.run(&mut c, "kubectl create clusterrolebinding jane-whole --clusterrole=whole --user=jane", None);
    assert_eq!(k.run(&mut c, "kubectl auth can-i get services --as jane", None).text(), "yes\n");
    assert_eq!(k.run(&mut c, "kubectl auth can-i list services --as jane", None).text(), "no\n");
}

#[test]
fn a_kubeconfig_user_with_a_service_account_token_is_that_account() {
    let (mut c, mut k) = boot();
    for line in ["kubectl create serviceaccount robot", "kubectl create rolebinding robot-view --clusterrole=view --serviceaccount=default:robot", "kubectl run web --image=nginx:1.27"] {
        assert_eq!(k.run(&mut c, line, None).exit, 0, "{line}");
    }
    let token = k.run(&mut c, "kubectl create token robot --duration=10m", None).stdout().trim().to_string();
    assert_eq!(k.run(&mut c, &format!("kubectl config set-credentials robot --token={token}"), None).text(), "User \"robot\" set.\n");
    assert_eq!(k.run(&mut c, "kubectl config set-context robot --cluster=kind-kind --user=robot", None).text(), "Context \"robot\" created.\n");
    assert_eq!(k.run(&mut c, "kubectl --context=robot get pods -o name", None).text(), "pod/web\n");
    let who = k.run(&mut c, "kubectl --context=robot auth whoami", None).text();
    assert!(who.contains("system:serviceaccount:default:robot") && who.contains("system:serviceaccounts:default"), "{who}");
    assert_eq!(
        k.run(&mut c, "kubectl --context=robot delete pod web", None).text(),
        "Error from server (Forbidden): pods \"web\" is forbidden: User \"system:serviceaccount:default:robot\" cannot delete resource \"pods\" in API group \"\" in the namespace \"default\"\n"
    );
    assert!(k.run(&mut c, "kubectl config view --minify --context=robot", None).text().contains("token: REDACTED"));
    // A token past its expiry, of a recreated account, or not signed by the cluster: 401.
    c.advance(hakoniwa_core::Duration::from_secs(601));
    let refused = "error: You must be logged in to the server (Unauthorized)\n";
    let out = k.run(&mut c, "kubectl --context=robot get pods", None);
    assert_eq!((out.exit, out.text()), (1, refused.to_string()));
    let token = k.run(&mut c, "kubectl create token robot", None).stdout().trim().to_string();
    k.run(&mut c, &format!("kubectl config set-credentials robot --token={token}"), None);
    assert_eq!(k.run(&mut c, "kubectl --context=robot get pods -o name", None).text(), "pod/web\n");
    k.run(&mut c, "kubectl delete serviceaccount robot", None);
    k.run(&mut c, "kubectl create serviceaccount robot", None);
    assert_eq!(k.run(&mut c, "kubectl --context=robot get pods", None).text(), refused);
    k.run(&mut c, "kubectl config set-credentials robot --token=not-a-token", None);
    assert_eq!(k.run(&mut c, "kubectl --context=robot get pods", None).text(), refused);
    // The cluster's own user is unaffected.
    assert_eq!(k.run(&mut c, "kubectl get pods -o name", None).text(), "pod/web\n");
    // Credentials the server does not read are refused too.
    let basic = hakoniwa_core::apiserver::Request::get("/api/v1/namespaces/default/pods").with_header("authorization", "Basic YWRtaW46YWRtaW4=");
    assert_eq!(c.api().handle(&basic).status, 401);
    let token = k.run(&mut c, "kubectl create token robot", None).stdout().trim().to_string();
    // A lower-case scheme is a bearer token too: robot may read pods, not delete them.
    let lower = |m: hakoniwa_core::apiserver::Method| hakoniwa_core::apiserver::Request::new(m, "/api/v1/namespaces/default/pods/web").with_header("authorization", &format!("bearer {token}"));
    assert_eq!(c.api().handle(&lower(hakoniwa_core::apiserver::Method::Get)).status, 200);
    assert_eq!(c.api().handle(&lower(hakoniwa_core::apiserver::Method::Delete)).status, 403);
}

#[test]
fn nobody_grants_more_than_they_hold() {
    let (mut c, mut k) = boot();
    assert_eq!(k.run(&mut c, "kubectl create rolebinding jane-admin --clusterrole=admin --user=jane", None).exit, 0);
    // Rules jane holds in the namespace: granted.
    assert_eq!(k.run(&mut c, "kubectl create role pod-reader --verb=get,list --resource=pods --as=jane", None).text(), "role.rbac.authorization.k8s.io/pod-reader created\n");
    assert_eq!(k.run(&mut c, "kubectl create rolebinding bob-reads --role=pod-reader --user=bob --as=jane", None).text(), "rolebinding.rbac.authorization.k8s.io/bob-reads created\n");
    // Rules she does not hold: refused, listing what is missing.
    assert_eq!(
        k.run(&mut c, "kubectl create role node-reader --verb=get,list --resource=nodes,persistentvolumes --as=jane", None).text(),
        "Error from server (Forbidden): roles.rbac.authorization.k8s.io \"node-reader\" is forbidden: user \"jane\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"nodes\"], Verbs:[\"get\" \"list\"]}\n{APIGroups:[\"\"], Resources:[\"persistentvolumes\"], Verbs:[\"get\" \"list\"]}\n"
    );
    assert_eq!(
        k.run(&mut c, "kubectl create rolebinding bob-root --clusterrole=cluster-admin --user=bob --as=jane", None).text(),
        "error: failed to create rolebinding: rolebindings.rbac.authorization.k8s.io \"bob-root\" is forbidden: user \"jane\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}\n{NonResourceURLs:[\"*\"], Verbs:[\"*\"]}\n"
    );
    // The administrator may.
    assert_eq!(k.run(&mut c, "kubectl create rolebinding bob-root --clusterrole=cluster-admin --user=bob", None).exit, 0);
}
