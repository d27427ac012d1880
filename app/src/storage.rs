//! What the playground keeps in the browser's storage between visits: its save (see
//! `hakoniwa_core::playground`). Everything read back is untrusted and checked by core; a save
//! that cannot be read is moved aside, never overwritten.

const PLAYGROUND_KEY: &str = "hakoniwa.playground";
const ASIDE_PREFIX: &str = "hakoniwa.playground.aside.";

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The saved playground, if there is one.
pub fn load_playground() -> Option<String> {
    local()?.get_item(PLAYGROUND_KEY).ok().flatten()
}

/// Saves the playground; on failure (storage full or refused) the previous save stays.
pub fn save_playground(text: &str) -> Result<(), String> {
    let s = local().ok_or("this browser gives the page no storage")?;
    s.set_item(PLAYGROUND_KEY, text).map_err(|e| {
        js_sys::Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_else(|| "storage refused".to_string())
    })
}

/// Moves a save that cannot be read out of the way; returns the key it went to.
pub fn keep_aside(text: &str) -> String {
    let key = format!("{ASIDE_PREFIX}{}", js_sys::Date::now() as i64);
    if let Some(s) = local() {
        if s.set_item(&key, text).is_ok() {
            let _ = s.remove_item(PLAYGROUND_KEY);
        }
    }
    key
}

pub fn clear_playground() {
    if let Some(s) = local() {
        let _ = s.remove_item(PLAYGROUND_KEY);
    }
}
