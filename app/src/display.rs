//! Large print for a classroom projector: bigger text everywhere, the terminal included. The
//! choice is kept in the browser's storage.

use leptos::prelude::*;

const KEY: &str = "hakoniwa.large";
pub const LARGE_TERMINAL_FONT: u32 = 22;
const NORMAL_TERMINAL_FONT: u32 = 14;

/// Whether large print is on.
pub fn large() -> bool {
    crate::storage::local().and_then(|s| s.get_item(KEY).ok().flatten()).as_deref() == Some("1")
}

fn mark_document(on: bool) {
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = if on { el.class_list().add_1("large") } else { el.class_list().remove_1("large") };
    }
}

/// Large print as a signal, applied to the page at once.
pub fn signal() -> RwSignal<bool> {
    let on = large();
    mark_document(on);
    RwSignal::new(on)
}

pub fn set(sig: RwSignal<bool>, on: bool) {
    sig.set(on);
    mark_document(on);
    if let Some(s) = crate::storage::local() {
        let _ = s.set_item(KEY, if on { "1" } else { "0" });
    }
    crate::components::terminal::set_font_size(if on { LARGE_TERMINAL_FONT } else { NORMAL_TERMINAL_FONT });
}
