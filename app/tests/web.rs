//! Components mounted in a real (headless) Chromium by wasm-bindgen-test.

use hakoniwa_app::components::cluster_view::{ForwardedPorts, NodeList};
use hakoniwa_app::state::SimHandle;
use hakoniwa_core::playground::Playground;
use hakoniwa_core::{Cluster, Duration, Timestamp};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> web_sys::HtmlElement {
    let document = web_sys::window().and_then(|w| w.document()).expect("a document");
    let div = document.create_element("div").expect("a div");
    document.body().expect("a body").append_child(&div).expect("appended");
    div.unchecked_into()
}

fn cells(root: &web_sys::HtmlElement, selector: &str) -> Vec<String> {
    let list = root.query_selector_all(selector).expect("valid selector");
    (0..list.length()).filter_map(|i| list.item(i)).filter_map(|n| n.text_content()).collect()
}

#[wasm_bindgen_test]
async fn node_list_renders_what_core_computed_and_follows_the_clock() {
    let start = Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").expect("a timestamp");
    let playground = Playground::boot("kind", 7, start).expect("the cluster boots");
    let expected: Vec<String> = playground.cluster.node_rows().into_iter().map(|r| r.name).collect();
    assert_eq!(expected.len(), 3);

    let root = container();
    let handle = SimHandle::new(playground);
    let _mounted = leptos::mount::mount_to(root.clone(), move || view! { <NodeList handle /> });

    assert_eq!(cells(&root, "tr.node td.name"), expected);
    assert_eq!(cells(&root, "tr.node td.status"), ["Ready", "Ready", "Ready"]);
    assert_eq!(cells(&root, "tr.node td.roles"), ["control-plane", "<none>", "<none>"]);
    // The kind preset's cluster was created a minute before it is shown.
    assert_eq!(cells(&root, "tr.node td.age"), ["60s", "60s", "60s"]);

    // Moving the simulation clock re-renders the AGE column.
    handle.advance(Duration::from_secs(303));
    leptos::task::tick().await;
    assert_eq!(cells(&root, "tr.node td.age"), ["6m3s", "6m3s", "6m3s"]);
}

#[wasm_bindgen_test]
fn the_kubectl_emulator_prints_in_the_browser_what_it_prints_natively() {
    let start = Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").expect("a timestamp");
    let mut cluster = Cluster::boot_default(1, start).expect("the cluster boots");
    let mut kubectl = hakoniwa_core::kubectl::Kubectl::new("kind-kind");
    let out = kubectl.run(&mut cluster, "kubectl get nodes", None);
    assert_eq!(out.exit, 0);
    assert_eq!(
        out.text(),
        "NAME                 STATUS   ROLES           AGE   VERSION\nkind-control-plane   Ready    control-plane   60s   v1.33.1\nkind-worker          Ready    <none>          60s   v1.33.1\nkind-worker2         Ready    <none>          60s   v1.33.1\n"
    );
    kubectl.files.write("web.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n");
    assert_eq!(kubectl.run(&mut cluster, "kubectl apply -f web.yaml", None).text(), "deployment.apps/web created\n");
    let status = kubectl.run(&mut cluster, "kubectl rollout status deployment/web --timeout=60s", None);
    assert_eq!(status.exit, 0, "{}", status.text());
    assert!(status.text().ends_with("deployment \"web\" successfully rolled out\n"), "{}", status.text());
    let bad = kubectl.run(&mut cluster, "kubectl get pods --foo", None);
    assert_eq!((bad.exit, bad.text()), (1, "error: unknown flag: --foo\nSee 'kubectl get --help' for usage.\n".to_string()));
}

#[wasm_bindgen_test]
async fn a_forwarded_port_opens_in_the_apps_browser() {
    let start = Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").expect("a timestamp");
    let mut playground = Playground::boot("kind", 7, start).expect("the cluster boots");
    playground.keys("kubectl run web --image=nginx:1.27\r");
    playground.advance(Duration::from_secs(20));
    let root = container();
    let handle = SimHandle::new(playground);
    let _mounted = leptos::mount::mount_to(root.clone(), move || view! { <ForwardedPorts handle /> });
    assert!(cells(&root, "li.forward").is_empty());
    handle.type_keys("kubectl port-forward pod/web 8080:80\r");
    leptos::task::tick().await;
    assert_eq!(cells(&root, "li.forward .forward-addr"), ["localhost:8080"]);
    let button: web_sys::HtmlElement = root.query_selector("button.forward-open").ok().flatten().expect("an Open button").unchecked_into();
    button.click();
    leptos::task::tick().await;
    assert_eq!(cells(&root, ".forward-status"), ["http://localhost:8080/ — 200 OK"]);
    assert!(cells(&root, ".forward-body")[0].contains("Welcome to nginx!"));
}

#[wasm_bindgen_test]
async fn keys_that_only_edit_the_line_redraw_nothing() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let start = Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").expect("a timestamp");
    let handle = SimHandle::new(Playground::boot("kind", 7, start).expect("the cluster boots"));
    let root = container();
    let draws = Arc::new(AtomicUsize::new(0));
    let counted = draws.clone();
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        let counted = counted.clone();
        view! { <p class="nodes">{move || { counted.fetch_add(1, Ordering::SeqCst); handle.read(|c| c.node_rows().len()) }}</p> }
    });
    let mounted = draws.load(Ordering::SeqCst);
    assert_eq!(cells(&root, "p.nodes"), ["3"]);
    // Typing a command changes nothing a view shows until the line ends.
    handle.type_keys("kubectl get nodes");
    leptos::task::tick().await;
    assert_eq!(draws.load(Ordering::SeqCst), mounted);
    handle.type_keys("\r");
    leptos::task::tick().await;
    assert!(draws.load(Ordering::SeqCst) > mounted, "a command that ran is followed by a redraw");
}
