pub mod clock;
pub mod cluster_view;
pub mod editor;
pub mod kept;
pub mod lessons;
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

/// Fetches a file of the site (relative to the page); `then` gets its text or why not.
pub fn fetch_text(url: &str, then: impl FnOnce(Result<String, String>) + 'static) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsValue;
    type Then = std::rc::Rc<std::cell::RefCell<Option<Box<dyn FnOnce(Result<String, String>)>>>>;
    let Some(w) = web_sys::window() else { return then(Err("no window".into())) };
    let then: Then = std::rc::Rc::new(std::cell::RefCell::new(Some(Box::new(then))));
    let call = |t: &Then, r: Result<String, String>| {
        if let Some(f) = t.borrow_mut().take() {
            f(r);
        }
    };
    let (t1, t2, t3, t4) = (then.clone(), then.clone(), then.clone(), then);
    let on_text = Closure::once(move |text: JsValue| call(&t1, Ok(text.as_string().unwrap_or_default())));
    let on_error = Closure::once(move |e: JsValue| call(&t2, Err(format!("{e:?}"))));
    let on_response = Closure::once(move |resp: JsValue| {
        let resp: web_sys::Response = resp.unchecked_into();
        if !resp.ok() {
            return call(&t3, Err(format!("HTTP {}", resp.status())));
        }
        match resp.text() {
            Ok(p) => {
                let _ = p.then2(&on_text, &on_error);
            }
            Err(e) => call(&t3, Err(format!("{e:?}"))),
        }
        // The promise calls one of them once, later.
        on_text.forget();
        on_error.forget();
    });
    let on_failure = Closure::once(move |e: JsValue| call(&t4, Err(format!("{e:?}"))));
    let _ = w.fetch_with_str(url).then2(&on_response, &on_failure);
    // Each is called at most once, later; a fetch happens once per page.
    on_response.forget();
    on_failure.forget();
}
