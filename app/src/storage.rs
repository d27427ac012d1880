//! What the playground keeps in the browser's storage between visits: its save (see
//! `hakoniwa_core::playground`). Everything read back is untrusted and checked by core; a save
//! that cannot be read is moved aside, never overwritten.

use hakoniwa_core::sort::Order;

const PLAYGROUND_KEY: &str = "hakoniwa.playground";
const EMBED_PREFIX: &str = "hakoniwa.embed.";
const ASIDE_PREFIX: &str = "hakoniwa.playground.aside.";
const COPY_PREFIX: &str = "hakoniwa.playground.copy.";

/// The browser's local storage, when the page may use it.
pub(crate) fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Where this page's playground is saved: the learner's own, or (embedded) one per lesson.
fn playground_key() -> String {
    if crate::embed::embedded() {
        return format!("{EMBED_PREFIX}{}", crate::embed::lesson().unwrap_or_else(|| "playground".into()));
    }
    PLAYGROUND_KEY.to_string()
}

/// The saved playground, if there is one.
pub fn load_playground() -> Option<String> {
    local()?.get_item(&playground_key()).ok().flatten()
}

/// Saves the playground; on failure (storage full or refused) the previous save stays.
pub fn save_playground(text: &str) -> Result<(), String> {
    let s = local().ok_or("this browser gives the page no storage")?;
    s.set_item(&playground_key(), text).map_err(|e| {
        js_sys::Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_else(|| "storage refused".to_string())
    })
}

/// Makes `text` the saved playground, keeping the one saved before aside (its key returned).
/// When the old one cannot be kept aside, nothing is replaced.
pub fn replace_playground(text: &str) -> Result<Option<String>, String> {
    let aside = match load_playground() {
        Some(own) => {
            let key = keep_aside(&own);
            if load_playground().is_some() {
                return Err("storage refused to keep the current playground aside".into());
            }
            Some(key)
        }
        None => None,
    };
    save_playground(text)?;
    Ok(aside)
}

/// Moves a save that cannot be read out of the way; returns the key it went to.
pub fn keep_aside(text: &str) -> String {
    let key = format!("{ASIDE_PREFIX}{}", js_sys::Date::now() as i64);
    if let Some(s) = local() {
        if s.set_item(&key, text).is_ok() {
            let _ = s.remove_item(&playground_key());
        }
    }
    key
}

pub fn clear_playground() {
    if let Some(s) = local() {
        let _ = s.remove_item(&playground_key());
    }
}

/// A playground kept in this browser besides the current one: a copy the learner named, or
/// one kept aside (replaced by a share link or an import, or unreadable).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    pub key: String,
    /// The learner's name for it, or `None` for one kept aside (its key tells when).
    pub name: Option<String>,
}

/// Every kept playground, named copies first, then the ones kept aside, newest first.
pub fn kept() -> Vec<Kept> {
    let Some(s) = local() else { return Vec::new() };
    let n = s.length().unwrap_or(0);
    let mut out: Vec<Kept> = (0..n)
        .filter_map(|i| s.key(i).ok().flatten())
        .filter_map(|key| {
            if let Some(name) = key.strip_prefix(COPY_PREFIX) {
                Some(Kept { name: Some(name.to_string()), key })
            } else if key.starts_with(ASIDE_PREFIX) {
                Some(Kept { name: None, key })
            } else {
                None
            }
        })
        .collect();
    out.order_by(|a, b| (a.name.is_none(), &b.key).cmp(&(b.name.is_none(), &a.key)));
    out
}

/// Keeps a copy of a playground under a name (replacing a copy of that name).
pub fn keep_copy(name: &str, text: &str) -> Result<(), String> {
    let s = local().ok_or("this browser gives the page no storage")?;
    s.set_item(&format!("{COPY_PREFIX}{name}"), text).map_err(|_| "storage refused".to_string())
}

pub fn read_kept(key: &str) -> Option<String> {
    local()?.get_item(key).ok().flatten()
}

pub fn forget_kept(key: &str) {
    if let Some(s) = local() {
        let _ = s.remove_item(key);
    }
}
