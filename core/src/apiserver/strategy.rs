//! What varies by kind: defaults, validation, status and generation rules, table columns and
//! field selectors. One `Strategy` per kind, as Kubernetes has one registry strategy per kind.

use serde_json::Value;

use crate::api::field::FieldError;
use crate::api::status::ApiError;
use crate::sim::clock::Timestamp;
use crate::sim::rng::Rng;
use crate::store::Store;

use super::alloc::Allocators;
use super::tables::Column;
use super::validation::names::NameRule;

/// What a strategy may read or use while the server handles a write.
pub struct Ctx<'a> {
    pub now: Timestamp,
    pub rng: &'a mut Rng,
    pub store: &'a Store,
    pub alloc: &'a mut Allocators,
}

pub trait Strategy: Sync {
    /// How `metadata.name` is checked (most kinds: a DNS-1123 subdomain).
    fn name_rule(&self) -> NameRule {
        NameRule::Subdomain
    }

    /// The kind has a `status` that only the status subresource changes.
    fn has_status(&self) -> bool {
        false
    }

    /// A status update also takes the object's annotations (Deployments: the controller records
    /// the revision this way without bumping the generation).
    fn status_update_keeps_annotations(&self) -> bool {
        false
    }

    /// `metadata.generation` starts at 1 and moves with every change of the spec.
    fn tracks_generation(&self) -> bool {
        false
    }

    /// Whether an update changes what `metadata.generation` counts (the spec, by default).
    fn spec_changed(&self, new: &Value, old: &Value) -> bool {
        new.get("spec") != old.get("spec")
    }

    /// API defaults, applied on every create and update (the decoder applies them).
    fn default(&self, _obj: &mut Value) {}

    /// Mutating admission on create (ServiceAccount, Priority, DefaultTolerationSeconds, ...),
    /// after defaults and before validation.
    fn admit(&self, _obj: &mut Value, _ctx: &mut Ctx) -> Result<(), ApiError> {
        Ok(())
    }

    /// Resets what a client may not set on create (status, derived fields).
    fn prepare_for_create(&self, _obj: &mut Value) {}

    /// Keeps what a client may not change on update.
    fn prepare_for_update(&self, _new: &mut Value, _old: &Value) {}

    /// Allocations that need the server's state (cluster IPs, node ports), after validation.
    fn allocate(&self, _obj: &mut Value, _old: Option<&Value>, _ctx: &mut Ctx) -> Result<(), ApiError> {
        Ok(())
    }

    /// Releases what `allocate` took, when the object goes.
    fn release(&self, _obj: &Value, _alloc: &mut Allocators) {}

    /// Validation of a new object (metadata is checked by the server for every kind).
    fn validate(&self, _obj: &Value) -> Vec<FieldError> {
        Vec::new()
    }

    /// Validation of an update: by default, the new object's own validation.
    fn validate_update(&self, new: &Value, _old: &Value) -> Vec<FieldError> {
        self.validate(new)
    }

    /// Validation of a write to the status subresource (the rest of the object is the stored
    /// one): by default, as an update.
    fn validate_status_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        self.validate_update(new, old)
    }

    /// Table columns (`kubectl get`); `None` gives the default Name / Created At.
    fn columns(&self) -> Option<&'static [Column]> {
        None
    }

    /// The cells of one row, matching `columns`.
    fn row(&self, _obj: &Value, _now: Timestamp) -> Vec<Value> {
        Vec::new()
    }

    /// The Table's column definitions as the server sends them: from `columns`, or given at
    /// run time (a custom resource's printer columns).
    fn table_columns(&self) -> Vec<Value> {
        super::tables::definitions(self.columns())
    }

    /// The cells of one Table row, matching `table_columns`.
    fn table_cells(&self, obj: &Value, now: Timestamp) -> Vec<Value> {
        match self.columns() {
            Some(_) => self.row(obj, now),
            None => super::tables::default_cells(obj),
        }
    }

    /// For kinds whose schema comes at run time (custom resources): drops the fields the
    /// schema does not know and returns them as the decoder reports them (`unknown field
    /// "spec.x"`), or why the object cannot be decoded at all (its metadata is not
    /// ObjectMeta). `None`: a built-in kind, decoded with the built-in schema.
    fn prune(&self, _obj: &mut Value) -> Option<Result<Vec<String>, String>> {
        None
    }

    /// The structural schema of a custom resource (server-side apply reads its list and map
    /// types); `None` for built-in kinds.
    fn structural(&self) -> Option<&super::crd::schema::Structural> {
        None
    }

    /// Whether strategic merge patches apply (not to custom resources, which have no patch
    /// strategies).
    fn strategic_merge(&self) -> bool {
        true
    }

    /// Where the scale subresource reads and writes, when not `spec.replicas` /
    /// `status.replicas` / `spec.selector` (custom resources).
    fn scale_paths(&self) -> Option<&super::crd::ScalePaths> {
        None
    }

    /// What the server warns about in an object it accepts (a pod's or pod template's
    /// deprecated or doubtful fields); on update only when the spec changed (never for pods).
    fn warnings(&self, _obj: &Value) -> Vec<String> {
        Vec::new()
    }

    /// What every request to this resource says: it is deprecated (v1 Endpoints, a CRD
    /// version marked `deprecated`).
    fn deprecation(&self) -> Option<&str> {
        None
    }

    /// Whether what defines the kind is being deleted (a terminating CRD): no new objects.
    fn terminating(&self) -> bool {
        false
    }

    /// The value of a field selector label beyond `metadata.name` and `metadata.namespace`;
    /// `None` when the kind does not support the label.
    fn field_label(&self, _obj: &Value, _label: &str) -> Option<String> {
        None
    }
}

/// A kind with no rules beyond the generic metadata ones.
pub struct Generic;

impl Strategy for Generic {}
