//! Embed mode, for documentation sites and classroom slides: `?embed=1&lesson=ID` shows one
//! lesson with its terminal and cluster, without the page's own controls (export, import,
//! share, playgrounds), and keeps its playground apart from the learner's own (one save per
//! embedded lesson), so an exercise in a page never replaces what the learner built elsewhere.

fn query() -> Vec<(String, String)> {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    hakoniwa_core::apiserver::request::parse_query(search.trim_start_matches('?'))
}

/// The page is embedded (`?embed=1`).
pub fn embedded() -> bool {
    query().iter().any(|(k, v)| k == "embed" && (v == "1" || v == "true"))
}

/// The lesson the address names: `?lesson=ID` (what embeds use) or `#lesson=ID`.
pub fn lesson() -> Option<String> {
    let from_query = query().into_iter().find(|(k, _)| k == "lesson").map(|(_, v)| v);
    let from_hash = || web_sys::window()?.location().hash().ok()?.strip_prefix("#lesson=").map(str::to_string);
    from_query.or_else(from_hash).filter(|id| !id.is_empty() && id.len() <= 100 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

/// Marks the page as embedded (the style sheet hides what an embed does not need).
pub fn mark_document() {
    if !embedded() {
        return;
    }
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let _ = body.class_list().add_1("embed");
    }
}
