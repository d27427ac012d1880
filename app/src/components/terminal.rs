//! The terminal panel: xterm.js (bundled from npm, see app/js/terminal.js) draws and reads keys;
//! hakoniwa-core's `Terminal` decides what every keystroke means (through the playground, which
//! journals them for the save).

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::i18n::{use_i18n, Key};
use crate::state::SimHandle;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = HakoniwaTerm, js_name = open, catch)]
    fn xterm_open(element: &web_sys::HtmlElement, on_data: &JsValue, on_resize: &JsValue, options: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = HakoniwaTerm, js_name = write)]
    fn xterm_write(term: &JsValue, text: &str);
    #[wasm_bindgen(js_namespace = HakoniwaTerm, js_name = cols)]
    fn xterm_cols(term: &JsValue) -> u32;
    #[wasm_bindgen(js_namespace = HakoniwaTerm, js_name = focus)]
    fn xterm_focus(term: &JsValue);
    #[wasm_bindgen(js_namespace = HakoniwaTerm, js_name = setFontSize)]
    fn xterm_set_font_size(term: &JsValue, size: u32);
}

#[component]
pub fn TerminalPanel(handle: SimHandle) -> impl IntoView {
    let i18n = use_i18n();
    let host = NodeRef::<leptos::html::Div>::new();
    let failed = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let Some(el) = host.get() else { return };
        let on_data = Closure::<dyn FnMut(String)>::new(move |data: String| {
            let out = handle.type_keys(&data);
            TERM.with(|t| {
                if let Some(term) = t.borrow().as_ref() {
                    xterm_write(term, &out);
                }
            });
        });
        let on_resize = Closure::<dyn FnMut(u32)>::new(move |cols: u32| {
            handle.resize(cols as usize);
        });
        match xterm_open(&el, on_data.as_ref(), on_resize.as_ref(), &JsValue::UNDEFINED) {
            Ok(term) => {
                let first = handle.start_terminal(xterm_cols(&term) as usize, i18n.untracked(Key::Banner), i18n.untracked(Key::Restored));
                xterm_write(&term, &first);
                if crate::display::large() {
                    xterm_set_font_size(&term, crate::display::LARGE_TERMINAL_FONT);
                }
                xterm_focus(&term);
                TERM.with(|t| *t.borrow_mut() = Some(term));
                // The terminal lives as long as the page.
                on_data.forget();
                on_resize.forget();
            }
            Err(e) => failed.set(Some(e.as_string().unwrap_or_else(|| format!("{e:?}")))),
        }
    });
    view! {
        <div class="terminal" node_ref=host role="region" aria-label=move || i18n.t(Key::Terminal)></div>
        {move || failed.get().map(|e| view! { <p class="boot-error" role="alert">{format!("{} {e}", i18n.t(Key::TerminalFailed))}</p> })}
    }
}

/// The terminal's font size in pixels (larger for a classroom projector).
pub fn set_font_size(size: u32) {
    TERM.with(|t| {
        if let Some(term) = t.borrow().as_ref() {
            xterm_set_font_size(term, size);
        }
    });
}

/// Shows text in the terminal (output of a command another panel ran there).
pub fn show(text: &str) {
    TERM.with(|t| {
        if let Some(term) = t.borrow().as_ref() {
            xterm_write(term, text);
        }
    });
}

thread_local! {
    static TERM: std::cell::RefCell<Option<JsValue>> = const { std::cell::RefCell::new(None) };
}
