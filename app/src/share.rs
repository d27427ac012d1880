//! Share links: the playground's save travels deflated in the URL fragment (`#share=...`),
//! which browsers never send to a server. Opening one restores that playground here; the
//! learner's own save is kept aside first, so nothing of theirs is lost.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = HakoniwaShare, js_name = pack, catch)]
    fn share_pack(text: &str, done: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(js_namespace = HakoniwaShare, js_name = unpack, catch)]
    fn share_unpack(packed: &str, done: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(js_namespace = HakoniwaShare, js_name = copy, catch)]
    fn share_copy(text: &str, done: &JsValue) -> Result<(), JsValue>;
}

const PREFIX: &str = "#share=";

/// The packed save in the page's URL, if it was opened from a share link.
pub fn fragment() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.strip_prefix(PREFIX).map(str::to_string)
}

/// Takes the share out of the address bar, so that a reload opens the local save.
pub fn clear_fragment() {
    let Some(w) = web_sys::window() else { return };
    let (Ok(path), Ok(search)) = (w.location().pathname(), w.location().search()) else { return };
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&format!("{path}{search}")));
    }
}

/// Inflates a share; `then` gets the save's text ("" when the link is damaged).
pub fn unpack(packed: &str, then: impl FnOnce(String) + 'static) {
    // Without the share script the link cannot be read: say so rather than never starting.
    if !js_sys::Reflect::has(&js_sys::global(), &"HakoniwaShare".into()).unwrap_or(false) {
        return then(String::new());
    }
    let done = Closure::once_into_js(then);
    let _ = share_unpack(packed, &done);
}

/// Makes a link to this page carrying `save`; `then` gets it ("" when the browser cannot).
pub fn link(save: &str, then: impl FnOnce(String) + 'static) {
    let base = web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}{}", l.origin().ok()?, l.pathname().ok()?, l.search().ok()?))
        })
        .unwrap_or_default();
    let done = Closure::once_into_js(move |packed: String| then(if packed.is_empty() { String::new() } else { format!("{base}{PREFIX}{packed}") }));
    let _ = share_pack(save, &done);
}

/// Copies text to the clipboard if the browser lets the page; `then` says whether it did.
pub fn copy(text: &str, then: impl FnOnce(bool) + 'static) {
    let done = Closure::once_into_js(then);
    let _ = share_copy(text, &done);
}
