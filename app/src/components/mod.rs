pub mod clock;
pub mod cluster_view;
pub mod editor;
pub mod kept;
pub mod terminal;

use wasm_bindgen::JsCast;

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, text: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let parts = js_sys::Array::of1(&text.into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Ok(a) = doc.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Reads the file chosen in an `<input type="file">`; `then` gets its text.
pub fn read_chosen_file(ev: &leptos::ev::Event, then: impl FnOnce(String) + 'static) {
    let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
    let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
    input.set_value("");
    let done = wasm_bindgen::closure::Closure::once(move |text: wasm_bindgen::JsValue| then(text.as_string().unwrap_or_default()));
    let _ = file.text().then(&done);
    // The promise calls it once, later.
    done.forget();
}
