//! Server-side apply and `metadata.managedFields`, as Kubernetes' field manager and
//! structured-merge-diff do them: field sets (`set`), the shape of each field (`types`), walks
//! that compare, collect, merge and prune (`walk`), and the managers' entries (`managed`).

mod managed;
mod set;
mod types;
mod walk;

pub(crate) use managed::{apply, update, Writer};
pub(crate) use types::resource_ty;
pub(crate) use walk::Scope;

/// The longest field manager name Kubernetes accepts.
pub(crate) const MAX_MANAGER_LEN: usize = 128;

/// The manager a request writes as: its `fieldManager`, else what its User-Agent starts with
/// (`kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0` → `kubectl`), at most 128 characters.
pub(crate) fn manager_of(field_manager: Option<&str>, user_agent: Option<&str>) -> String {
    match field_manager {
        Some(m) if !m.is_empty() => m.to_string(),
        _ => {
            let ua = user_agent.unwrap_or_default();
            let prefix = ua.split('/').next().unwrap_or_default();
            prefix.chars().take(MAX_MANAGER_LEN).collect()
        }
    }
}
