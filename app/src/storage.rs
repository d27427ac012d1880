//! What the playground keeps in the browser's storage between visits. Everything read back is
//! untrusted: anything that does not parse is ignored, never a reason to fail.

const HISTORY_KEY: &str = "hakoniwa.v1.history";

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The terminal's history from an earlier visit (empty when there is none or it is damaged).
pub fn load_history() -> Vec<String> {
    local()
        .and_then(|s| s.get_item(HISTORY_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str::<Vec<String>>(&text).ok())
        .unwrap_or_default()
}

/// Saves the terminal's history; a full or refused storage only loses this save.
pub fn save_history(history: &[String]) {
    if let (Some(s), Ok(text)) = (local(), serde_json::to_string(history)) {
        let _ = s.set_item(HISTORY_KEY, &text);
    }
}
