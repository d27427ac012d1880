//! The YAML editor: the workspace's files (the ones `kubectl apply -f NAME` reads in the
//! terminal), CodeMirror 6 to edit them (loaded on first open, see app/js/editor.js), marks
//! at the lines kubectl would refuse, and Apply / Dry run, which run kubectl in the terminal so
//! the learner sees the command and its answer.

use hakoniwa_core::kubectl::manifests::Problem;
use hakoniwa_core::schema::{complete, Schema};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::terminal;
use crate::i18n::{use_i18n, Key};
use crate::state::SimHandle;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = HakoniwaEditor, js_name = open, catch)]
    fn cm_open(element: &web_sys::HtmlElement, text: &str, on_change: &JsValue, lint: &JsValue, on_apply: &JsValue, fields: &JsValue, hover: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = HakoniwaEditor, js_name = destroy)]
    fn cm_destroy(view: &JsValue);
}

/// What a new workspace starts with: a Deployment to apply.
const STARTER_NAME: &str = "web.yaml";
const STARTER: &str = "\
# Edit, then Apply (Ctrl+Enter): the terminal runs `kubectl apply -f web.yaml`.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
";

/// Starting points for a new file: a kind, and the kubectl generator that writes its
/// manifest (`--dry-run=client -o yaml`), so a snippet is what kubectl itself would create.
const SNIPPETS: &[(&str, &str)] = &[
    ("Pod", "kubectl run web --image=nginx:1.27 --port=80"),
    ("Deployment", "kubectl create deployment web --image=nginx:1.27 --replicas=2 --port=80"),
    ("Service", "kubectl create service clusterip web --tcp=80:80"),
    ("ConfigMap", "kubectl create configmap settings --from-literal=mode=blue"),
    ("Secret", "kubectl create secret generic credentials --from-literal=password=change-me"),
    ("Job", "kubectl create job hello --image=busybox:1.36 -- echo hello"),
    ("CronJob", "kubectl create cronjob hello --image=busybox:1.36 --schedule=*/5 * * * * -- echo hello"),
    ("Namespace", "kubectl create namespace team-a"),
    ("ServiceAccount", "kubectl create serviceaccount robot"),
    ("Role", "kubectl create role pod-reader --verb=get,list,watch --resource=pods"),
    ("RoleBinding", "kubectl create rolebinding read-pods --role=pod-reader --serviceaccount=default:robot"),
    ("ResourceQuota", "kubectl create quota small --hard=pods=10,requests.cpu=2"),
    ("PodDisruptionBudget", "kubectl create poddisruptionbudget web --selector=app=web --min-available=1"),
    ("PriorityClass", "kubectl create priorityclass high --value=1000"),
];

thread_local! {
    static VIEW: std::cell::RefCell<Option<JsValue>> = const { std::cell::RefCell::new(None) };
}

/// Loads the editor's script once; `then` runs when it is there (or at once if it already is).
fn load_editor(then: impl FnOnce(Result<(), String>) + 'static) {
    let ready = js_sys::Reflect::has(&js_sys::global(), &"HakoniwaEditor".into()).unwrap_or(false);
    if ready {
        return then(Ok(()));
    }
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return then(Err("no document".into())) };
    let Ok(script) = doc.create_element("script") else { return then(Err("no script element".into())) };
    let _ = script.set_attribute("src", "editor.js");
    let then = std::rc::Rc::new(std::cell::RefCell::new(Some(then)));
    let (ok, err) = (then.clone(), then);
    let onload = Closure::<dyn FnMut()>::new(move || {
        if let Some(f) = ok.borrow_mut().take() {
            f(Ok(()));
        }
    });
    let onerror = Closure::<dyn FnMut()>::new(move || {
        if let Some(f) = err.borrow_mut().take() {
            f(Err("editor.js could not be loaded".into()));
        }
    });
    let _ = script.add_event_listener_with_callback("load", onload.as_ref().unchecked_ref());
    let _ = script.add_event_listener_with_callback("error", onerror.as_ref().unchecked_ref());
    onload.forget();
    onerror.forget();
    if let Some(head) = doc.head() {
        let _ = head.append_child(&script);
    }
}

/// The manifest checks (YAML, then the server's dry run), as the editor's script wants them.
/// Files that are not manifests (not `.yaml`/`.yml`/`.json`) are not checked.
/// The fields the schema allows where a key is being typed (line from 0, column in bytes),
/// as JSON `[{name, type, required}]`.
fn fields_json(text: &str, line: usize, column: usize) -> String {
    let fields = complete::fields_at(Schema::v1_33(), text, line, column);
    serde_json::Value::Array(fields.into_iter().map(|f| serde_json::json!({ "name": f.name, "type": f.type_name, "required": f.required })).collect()).to_string()
}

/// What the key on a line is, as JSON `{path, type, required}` (or `null`).
fn hover_json(text: &str, line: usize) -> String {
    match complete::field_on(Schema::v1_33(), text, line) {
        Some((path, f)) => serde_json::json!({ "path": path, "type": f.type_name, "required": f.required }).to_string(),
        None => "null".to_string(),
    }
}

fn lint_json(handle: SimHandle, path: &str, text: &str) -> String {
    let manifest = [".yaml", ".yml", ".json"].iter().any(|x| path.ends_with(x));
    let problems: Vec<Problem> = if manifest { handle.problems(text) } else { Vec::new() };
    let items: Vec<serde_json::Value> = problems.into_iter().map(|p| serde_json::json!({ "line": p.line, "column": p.column, "message": p.message })).collect();
    serde_json::Value::Array(items).to_string()
}

#[component]
pub fn EditorPanel(handle: SimHandle) -> impl IntoView {
    let i18n = use_i18n();
    let opened = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let current = RwSignal::new(None::<String>);
    let new_name = RwSignal::new(String::new());
    let host = NodeRef::<leptos::html::Div>::new();
    // Edits wait a moment before they are saved into the workspace; Apply saves at once.
    let unsaved = StoredValue::new(None::<(String, String)>);
    let generation = StoredValue::new(0u64);
    let flush = move || {
        if let Some((path, text)) = unsaved.get_value() {
            unsaved.set_value(None);
            handle.write_file(&path, &text);
        }
    };
    // `kubectl edit` in the terminal waits on a file: it opens here.
    let editing = Memo::new(move |_| handle.editing());
    let diff = move || {
        flush();
        if let Some(path) = current.get_untracked() {
            terminal::show(&handle.run_command(&format!("kubectl diff -f {path}")));
        }
    };
    let run = move |dry: bool| {
        flush();
        let Some(path) = current.get_untracked() else { return };
        if !dry && untrack(|| editing.get()).as_deref() == Some(path.as_str()) {
            // The file `kubectl edit` waits on: Enter in the terminal hands it over.
            terminal::show(&handle.type_keys("\r"));
            let still = untrack(|| handle.editing());
            if still.as_deref() == Some(path.as_str()) {
                // Refused: the file came back with the reasons on top.
                current.set(Some(path));
            } else if handle.file_text(&path).is_none() {
                current.set(untrack(|| handle.file_names()).into_iter().next());
            }
            return;
        }
        let line = if dry { format!("kubectl apply -f {path} --dry-run=server") } else { format!("kubectl apply -f {path}") };
        terminal::show(&handle.run_command(&line));
    };
    Effect::new(move |_| {
        if let Some(path) = editing.get() {
            opened.set(true);
            current.set(Some(path));
        }
    });
    // A lesson asks for a file.
    Effect::new(move |_| {
        if let Some(path) = handle.open_file.get() {
            flush();
            handle.open_file.set(None);
            opened.set(true);
            current.set(Some(path));
        }
    });

    // Opens CodeMirror on the current file whenever it changes.
    Effect::new(move |_| {
        let Some(path) = current.get() else { return };
        let Some(el) = host.get() else { return };
        // Only a change of file reopens the editor, not every change of the playground.
        let text = handle.file_text(&path).unwrap_or_default();
        let el: web_sys::HtmlElement = el.unchecked_into();
        load_editor(move |r| {
            if let Err(e) = r {
                failed.set(Some(e));
                return;
            }
            VIEW.with(|v| {
                if let Some(old) = v.borrow_mut().take() {
                    cm_destroy(&old);
                }
            });
            let change_path = path.clone();
            let on_change = Closure::<dyn FnMut(String)>::new(move |text: String| {
                unsaved.set_value(Some((change_path.clone(), text)));
                generation.update_value(|g| *g += 1);
                let mine = generation.get_value();
                set_timeout(
                    move || {
                        if generation.get_value() == mine {
                            flush();
                        }
                    },
                    std::time::Duration::from_millis(800),
                );
            });
            let lint_path = path.clone();
            let lint = Closure::<dyn FnMut(String) -> String>::new(move |text: String| lint_json(handle, &lint_path, &text));
            let on_apply = Closure::<dyn FnMut()>::new(move || run(false));
            let fields = Closure::<dyn FnMut(String, usize, usize) -> String>::new(move |text: String, line: usize, column: usize| fields_json(&text, line, column));
            let hover = Closure::<dyn FnMut(String, usize) -> String>::new(move |text: String, line: usize| hover_json(&text, line));
            match cm_open(&el, &text, on_change.as_ref(), lint.as_ref(), on_apply.as_ref(), fields.as_ref(), hover.as_ref()) {
                Ok(view) => VIEW.with(|v| *v.borrow_mut() = Some(view)),
                Err(e) => failed.set(Some(e.as_string().unwrap_or_else(|| format!("{e:?}")))),
            }
            // Each editor view keeps its callbacks for the page's life (a few per file opened).
            on_change.forget();
            lint.forget();
            on_apply.forget();
            fields.forget();
            hover.forget();
        });
    });

    let open_panel = move |ev: leptos::ev::Event| {
        let is_open = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
        if opened.get_untracked() != is_open {
            opened.set(is_open);
        }
        if !is_open || current.get_untracked().is_some() {
            return;
        }
        let first = match untrack(|| handle.file_names()).into_iter().next() {
            Some(p) => p,
            None => {
                handle.write_file(STARTER_NAME, STARTER);
                STARTER_NAME.to_string()
            }
        };
        current.set(Some(first));
    };
    let create = move || {
        let name = new_name.get_untracked().trim().to_string();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return;
        }
        flush();
        if handle.file_text(&name).is_none() {
            handle.write_file(&name, "");
        }
        new_name.set(String::new());
        current.set(Some(name));
    };
    let from_snippet = move |kind: String| {
        let Some((_, cmd)) = SNIPPETS.iter().find(|(k, _)| *k == kind) else { return };
        flush();
        // `*/5 * * * *` is one argument: quote it for the shell.
        let cmd = cmd.replace("--schedule=*/5 * * * *", "--schedule='*/5 * * * *'");
        // The flags go before a container command's `--`.
        let line = match cmd.split_once(" -- ") {
            Some((head, args)) => format!("{head} --dry-run=client -o yaml -- {args}"),
            None => format!("{cmd} --dry-run=client -o yaml"),
        };
        let text = handle.inspect_once(&line);
        let base = kind.to_lowercase();
        let name = (1..).map(|n| if n == 1 { format!("{base}.yaml") } else { format!("{base}-{n}.yaml") }).find(|n| handle.file_text(n).is_none()).unwrap_or_default();
        handle.write_file(&name, &text);
        current.set(Some(name));
    };
    let names = move || handle.file_names();
    view! {
        <details class="editor-details" prop:open=move || opened.get() on:toggle=open_panel>
            <summary>{move || i18n.t(Key::Editor)}</summary>
            <div class="editor-bar" role="toolbar" aria-label="Editor actions">
                <ul class="files" aria-label="Files">
                    <For each=names key=|n| n.clone() let:name>
                        {
                            let n = name.clone();
                            let n2 = name.clone();
                            view! {
                                <li>
                                    <button
                                        class="file"
                                        aria-current=move || (current.get().as_deref() == Some(n.as_str())).then_some("true")
                                        on:click=move |_| {
                                            flush();
                                            current.set(Some(n2.clone()));
                                        }
                                    >
                                        {name}
                                    </button>
                                </li>
                            }
                        }
                    </For>
                </ul>
                <form class="new-file" on:submit=move |ev| {
                    ev.prevent_default();
                    create();
                }>
                    <input type="text" placeholder="new-file.yaml" aria-label=move || i18n.t(Key::NewFileName) prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev)) />
                    <button type="submit">{move || i18n.t(Key::NewFile)}</button>
                </form>
                <select class="snippet" aria-label=move || i18n.t(Key::NewFromKind) on:change=move |ev| {
                    let kind = event_target_value(&ev);
                    from_snippet(kind);
                    if let Some(sel) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
                        sel.set_value("");
                    }
                }>
                    <option value="">{move || i18n.t(Key::NewFromKind)}</option>
                    {SNIPPETS.iter().map(|(k, _)| view! { <option value=*k>{*k}</option> }).collect_view()}
                </select>
                <button class="apply" title="kubectl apply -f (Ctrl+Enter)" on:click=move |_| run(false)>{move || i18n.t(Key::Apply)}</button>
                <button class="dry-run" title="kubectl apply -f --dry-run=server" on:click=move |_| run(true)>{move || i18n.t(Key::DryRun)}</button>
                <button class="diff" title="kubectl diff -f" on:click=move |_| diff()>{move || i18n.t(Key::Diff)}</button>
            </div>
            <div class="editor" node_ref=host></div>
            {move || failed.get().map(|e| view! { <p class="boot-error" role="alert">{format!("{} {e}", i18n.t(Key::EditorFailed))}</p> })}
        </details>
    }
}
