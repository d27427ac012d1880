//! `kubectl apply --server-side`: each object sent whole as an apply patch
//! (`application/apply-patch+yaml`, the manifest as JSON) with its field manager (`kubectl`
//! unless `--field-manager`) and `force` (`--force-conflicts`); the server merges, owns and
//! reports conflicts, which kubectl prints with its advice.

use serde_json::Value;

use super::args::Parsed;
use super::commands::{read_manifests, resolve_manifest, with_namespace};
use super::{Failure, Kubectl, Output, Transport};

/// The field manager of `kubectl apply --server-side` without `--field-manager`.
const DEFAULT_MANAGER: &str = "kubectl";

/// What kubectl adds after the server's message when an apply conflicts.
const CONFLICT_ADVICE: &str = "Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the `--force-conflicts` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts";

pub(super) fn apply(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, stdin: Option<&str>, out: &mut Output) -> Result<(), Failure> {
    let dry = p.value("dry-run").unwrap_or("none").to_string();
    if dry == "client" {
        return Err(Failure::client("--dry-run=client doesn't work with --server-side (did you mean --dry-run=server instead?)"));
    }
    if p.bool("force") {
        return Err(Failure::client("--force cannot be used with --server-side"));
    }
    let ms = read_manifests(k, p, stdin)?;
    let manager = p.value("field-manager").unwrap_or(DEFAULT_MANAGER).to_string();
    let force = p.bool("force-conflicts");
    let mut failed = false;
    for m in ms {
        let Some((r, ns)) = resolve_manifest(k, api, p, &m, out, &mut failed)? else { continue };
        let name = m.object["metadata"]["name"].as_str().unwrap_or_default().to_string();
        if name.is_empty() {
            if let Some(g) = m.object["metadata"]["generateName"].as_str().filter(|g| !g.is_empty()) {
                out.err(format!("error: from {g}: cannot use generate name with apply\n"));
                failed = true;
                continue;
            }
        }
        let object = with_namespace(&m.object, r.namespaced, &ns);
        let mut target = format!("{}?fieldManager={}&fieldValidation={}&force={force}", r.object_path(Some(&ns), &name), super::get::encode(&manager), super::commands::field_validation(p));
        if dry == "server" {
            target.push_str("&dryRun=All");
        }
        let resp = api.send(&super::patch_request(&target, "application/apply-patch+yaml", &object));
        let status = resp.status;
        let body = resp.into_value().unwrap_or(Value::Null);
        if status == 409 && body["reason"] == "Conflict" {
            let message = body["message"].as_str().unwrap_or_default();
            out.err(format!("error: {message}\n{CONFLICT_ADVICE}\n"));
            failed = true;
        } else if status >= 400 {
            Failure::Server(body).print(out);
            failed = true;
        } else {
            let suffix = if dry == "server" { " (server dry run)" } else { "" };
            out.out(format!("{}/{name} serverside-applied{suffix}\n", r.kind_group()));
        }
    }
    if failed {
        return Err(Failure::Exit(1));
    }
    Ok(())
}
