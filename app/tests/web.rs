//! Components mounted in a real (headless) Chromium by wasm-bindgen-test.

use hakoniwa_app::components::cluster_view::NodeList;
use hakoniwa_app::state::SimHandle;
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
    let cluster = Cluster::boot_default(7, start).expect("the cluster boots");
    let expected: Vec<String> = cluster.node_rows().into_iter().map(|r| r.name).collect();
    assert_eq!(expected.len(), 3);

    let root = container();
    let handle = SimHandle::new(cluster);
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
