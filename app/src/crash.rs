//! After a panic a wasm instance cannot go on. The page says so and offers a reload, which
//! restores the last save: saves only ever hold events that finished, so the input that hit the
//! bug is not replayed.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Puts the crash notice on the page (plain DOM: the app's reactive system is gone).
pub fn show() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(body) = doc.body() else { return };
    let Ok(panel) = doc.create_element("div") else { return };
    panel.set_class_name("crash");
    let _ = panel.set_attribute("role", "alert");
    if let Ok(p) = doc.create_element("p") {
        p.set_text_content(Some(crate::i18n::text(crate::i18n::initial(), crate::i18n::Key::Crash)));
        let _ = panel.append_child(&p);
    }
    if let Ok(button) = doc.create_element("button") {
        button.set_text_content(Some(crate::i18n::text(crate::i18n::initial(), crate::i18n::Key::Reload)));
        let reload = Closure::<dyn FnMut()>::new(|| {
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        });
        let _ = button.add_event_listener_with_callback("click", reload.as_ref().unchecked_ref());
        reload.forget();
        let _ = panel.append_child(&button);
    }
    let _ = body.append_child(&panel);
}
