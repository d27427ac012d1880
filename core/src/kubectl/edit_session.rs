//! `kubectl edit TYPE/NAME`: the object, as YAML under kubectl's header, goes into a file of the
//! workspace that the page's editor opens; Enter in the terminal plays the part of the editor
//! closing. Changes go to the server as a merge patch; a refused change reopens the file with
//! the server's reasons as comments at the top, as kubectl does; unchanged means cancelled.
//! (Messages and streams checked against kubectl v1.33.1 with a scripted KUBE_EDITOR.)

use serde_json::Value;

use super::{get_object, printers, Failure, Kubectl, Output, Transport};
use crate::kubectl::args::Parsed;

const HEADER: &str = "# Please edit the object below. Lines beginning with a '#' will be ignored,\n# and an empty file will abort the edit. If an error occurs while saving this file will be\n# reopened with the relevant failures.\n#\n";

#[derive(Debug)]
pub struct EditSession {
    path: String,
    /// `deployment.apps/web`, and `deployments.apps "web"` for the error comments.
    kind_name: String,
    plural_name: String,
    original: Value,
    /// The workspace file being edited, and what was last put in it.
    file: String,
    written: String,
    /// A new text for the file, not yet written into the workspace.
    to_write: Option<String>,
    /// The last save was refused.
    refused: bool,
}

pub fn start(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let args = &p.args[1..];
    if args.is_empty() {
        return Err(Failure::Raw("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n".into()));
    }
    let objects = super::commands::named_objects(k, api, p, args)?;
    let [(resource, ns, name)] = objects.as_slice() else {
        return Err(Failure::client("editing several objects at once is not available in Hakoniwa yet; edit them one by one"));
    };
    let path = resource.object_path(Some(ns), name);
    let mut original = get_object(api, &path)?;
    printers::hide_managed_fields(&mut original);
    let text = format!("{HEADER}{}", printers::to_yaml(&original));
    let group = if resource.group.is_empty() { String::new() } else { format!(".{}", resource.group) };
    let file = format!("/tmp/kubectl-edit-{}-{name}.yaml", resource.kind.to_lowercase());
    out.err(format!("\x1b[2mEditing {}/{name} in the editor ({file}): save it, then press Enter here (Ctrl+C gives up).\x1b[0m\n", resource.kind_group()));
    k.launched = Some(Box::new(EditSession {
        path,
        kind_name: format!("{}/{name}", resource.kind_group()),
        plural_name: format!("{}{group} {name:?}", resource.name),
        original,
        file,
        written: text.clone(),
        to_write: Some(text),
        refused: false,
    }));
    Ok(())
}

/// The text without comment lines.
fn without_comments(text: &str) -> String {
    text.lines().filter(|l| !l.trim_start().starts_with('#')).map(|l| format!("{l}\n")).collect()
}

impl EditSession {
    /// Puts the text back in the file with the reasons it was refused on top.
    fn reopen(&mut self, reasons: &[String], body: &str) {
        let mut text = String::from(HEADER);
        text.push_str(&format!("# {} was not valid:\n", self.plural_name));
        for r in reasons {
            text.push_str(&format!("# {r}\n"));
        }
        text.push_str("#\n");
        text.push_str(&without_comments(body));
        self.written = text.clone();
        self.to_write = Some(text);
        self.refused = true;
    }

    /// Unchanged after a refusal (or emptied): kubectl gives up, keeping the file.
    fn give_up(&self) -> Option<Result<(), Failure>> {
        Some(Err(Failure::Raw(format!(
            "error: {} is invalid\nA copy of your changes has been stored to {:?}\nerror: Edit cancelled, no valid changes were saved.\n",
            self.plural_name, self.file
        ))))
    }
}

impl super::running::Running for EditSession {
    fn poll(&mut self, _api: &mut dyn Transport, _out: &mut Output) -> Option<Result<(), Failure>> {
        None
    }

    fn prompt(&self) -> Option<String> {
        Some(String::new())
    }

    fn interactive(&self) -> bool {
        true
    }

    fn edits_file(&self) -> Option<&str> {
        Some(&self.file)
    }

    fn take_file(&mut self) -> Option<(String, String)> {
        self.to_write.take().map(|t| (self.file.clone(), t))
    }

    /// The file's text, when the learner says the editor is done.
    fn input(&mut self, api: &mut dyn Transport, text: &str, out: &mut Output) -> Option<Result<(), Failure>> {
        let body = without_comments(text);
        if body.trim().is_empty() {
            // What kubectl v1.33.1 answers to an emptied file.
            return self.give_up();
        }
        if text == self.written && self.refused {
            return self.give_up();
        }
        let edited = match crate::apiserver::dup::yaml_with_duplicates(&body) {
            Ok((v, _)) => v,
            Err(e) => {
                self.reopen(&[format!("error converting YAML to JSON: yaml: {e}")], text);
                return None;
            }
        };
        let patch = super::commands::merge_diff(&self.original, &edited);
        if patch.as_object().is_some_and(serde_json::Map::is_empty) {
            out.err("Edit cancelled, no changes made.\n");
            return Some(Ok(()));
        }
        let req = super::patch_request(&format!("{}?fieldManager=kubectl-edit", self.path), "application/merge-patch+json", &patch);
        let resp = api.send(&req);
        let status = resp.status;
        let body_v = resp.into_value().unwrap_or(Value::Null);
        if status < 400 {
            out.out(format!("{} edited\n", self.kind_name));
            return Some(Ok(()));
        }
        let causes: Vec<String> = body_v["details"]["causes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| format!("* {}: {}", c["field"].as_str().unwrap_or_default(), c["message"].as_str().unwrap_or_default()))
            .collect();
        let reasons = if causes.is_empty() { vec![format!("* {}", body_v["message"].as_str().unwrap_or_default())] } else { causes };
        self.reopen(&reasons, text);
        None
    }
}
