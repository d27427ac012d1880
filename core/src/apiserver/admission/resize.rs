//! PersistentVolumeClaimResize: a claim may grow only when it is bound and its StorageClass says
//! `allowVolumeExpansion: true` (the volume was provisioned dynamically by a class that can
//! resize it).

use serde_json::Value;

use crate::api::meta::GroupResource;
use crate::api::status::ApiError;
use crate::apiserver::kinds::storage::requested_storage;
use crate::store::Store;

/// Checks an update of a claim that asks for more storage.
pub fn admit(store: &Store, new: &Value, old: &Value) -> Result<(), ApiError> {
    let (Some(n), Some(o)) = (requested_storage(new), requested_storage(old)) else { return Ok(()) };
    if n <= o {
        return Ok(());
    }
    let forbidden = |why: &str| ApiError::Forbidden {
        resource: GroupResource { group: String::new(), resource: "persistentvolumeclaims".into() },
        name: new["metadata"]["name"].as_str().unwrap_or_default().to_string(),
        why: why.to_string(),
    };
    if old["status"]["phase"] != "Bound" {
        return Err(forbidden("Only bound persistent volume claims can be expanded"));
    }
    let class = new["spec"]["storageClassName"].as_str().unwrap_or_default();
    let expandable = !class.is_empty()
        && old["spec"]["storageClassName"].as_str() == Some(class)
        && store.get("storageclasses.storage.k8s.io", "", class).is_some_and(|sc| sc.object["allowVolumeExpansion"] == true);
    if !expandable {
        return Err(forbidden("only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize"));
    }
    Ok(())
}
