//! The learner's terminal, driven natively with the keystrokes xterm.js would send.

use hakoniwa_core::terminal::Terminal;
use hakoniwa_core::{Cluster, Timestamp};

fn boot() -> (Cluster, Terminal) {
    let start = Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").expect("a time");
    let cluster = Cluster::boot_default(1, start).expect("the cluster boots");
    let mut term = Terminal::new("kind-kind", 100);
    let first = term.start();
    assert!(first.contains("Type `help`"), "{first:?}");
    (cluster, term)
}

/// What the text looks like without control sequences and carriage returns.
fn visible(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => {
                if chars.next() == Some('[') {
                    for n in chars.by_ref() {
                        if ('@'..='~').contains(&n) {
                            break;
                        }
                    }
                }
            }
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Types a line and returns what the command printed: the text between the line end and the next prompt.
fn typed(c: &mut Cluster, t: &mut Terminal, line: &str) -> String {
    let raw = t.input(c, &format!("{line}\r"));
    let v = visible(&raw);
    let after = v.split_once('\n').map_or("", |(_, rest)| rest);
    after.rsplit_once("(⎈|").map_or(after, |(out, _)| out).to_string()
}

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n";

#[test]
fn commands_print_with_line_ends_a_terminal_understands() {
    let (mut c, mut t) = boot();
    let raw = t.input(&mut c, "kubectl get nodes\r");
    assert!(raw.contains("NAME                 STATUS   ROLES           AGE   VERSION\r\nkind-control-plane   Ready"), "{raw:?}");
    assert!(raw.ends_with("(\x1b[34m⎈\x1b[0m|\x1b[31mkind-kind\x1b[0m:\x1b[36mdefault\x1b[0m) $ \r\x1b[24C"), "{raw:?}");
    assert_eq!(typed(&mut c, &mut t, "k get ns kube-system -o name"), "namespace/kube-system\n");
    assert_eq!(typed(&mut c, &mut t, "kubectl get pods --foo"), "error: unknown flag: --foo\nSee 'kubectl get --help' for usage.\n");
    assert_eq!(typed(&mut c, &mut t, "kubeclt get pods"), "bash: kubeclt: command not found\n");
    assert_eq!(typed(&mut c, &mut t, ""), "");
}

#[test]
fn here_documents_span_lines_and_feed_kubectl() {
    let (mut c, mut t) = boot();
    let raw = t.input(&mut c, "kubectl apply -f - <<EOF\r");
    assert!(visible(&raw).ends_with("\n> "), "{raw:?}");
    for line in DEPLOY.lines() {
        let raw = t.input(&mut c, &format!("{line}\r"));
        assert!(visible(&raw).ends_with("\n> "), "{line}: {raw:?}");
    }
    assert_eq!(typed(&mut c, &mut t, "EOF"), "deployment.apps/web created\n");
    // The same, pasted in one piece with \r line ends, as xterm.js delivers a paste.
    let paste = format!("cat <<'EOF' | kubectl apply -f -\r{}EOF\r", DEPLOY.replace("2", "3").replace('\n', "\r"));
    let v = visible(&t.input(&mut c, &paste));
    assert!(v.contains("deployment.apps/web configured\n"), "{v}");
    // One history entry for the whole command.
    assert_eq!(t.history().len(), 2);
    assert!(t.history()[0].starts_with("kubectl apply -f - <<EOF\napiVersion: apps/v1\n"));
    // Ctrl+C abandons a command still being typed.
    t.input(&mut c, "kubectl apply -f - <<EOF\rkind: Pod\r");
    let v = visible(&t.input(&mut c, "\x03"));
    assert!(v.ends_with("^C\n(⎈|kind-kind:default) $ "), "{v:?}");
    assert_eq!(typed(&mut c, &mut t, "kubectl get deploy web -o jsonpath={.spec.replicas}"), "3\n");
}

#[test]
fn files_written_by_the_shell_are_what_kubectl_reads() {
    let (mut c, mut t) = boot();
    t.input(&mut c, &format!("cat <<EOF > web.yaml\r{}EOF\r", DEPLOY.replace('\n', "\r")));
    assert_eq!(typed(&mut c, &mut t, "ls"), "web.yaml\n");
    assert_eq!(typed(&mut c, &mut t, "kubectl apply -f web.yaml"), "deployment.apps/web created\n");
    assert_eq!(typed(&mut c, &mut t, "mkdir app && cd app && kubectl get deploy web -o yaml > live.yaml && grep -c . live.yaml >/dev/null; pwd"), "/app\n");
    assert_eq!(typed(&mut c, &mut t, "head -n 2 live.yaml"), "apiVersion: apps/v1\nkind: Deployment\n");
    assert_eq!(typed(&mut c, &mut t, "kubectl delete -f ../web.yaml"), "deployment.apps \"web\" deleted\n");
    assert_eq!(t.kubectl.files.read("/app/live.yaml").map(|s| s.starts_with("apiVersion")), Some(true));
    assert_eq!(typed(&mut c, &mut t, "kubectl get pods -A | grep etcd | wc -l"), "1\n");
    assert_eq!(typed(&mut c, &mut t, "cat nope.yaml"), "cat: nope.yaml: No such file or directory\n");
}

#[test]
fn sleep_lets_the_cluster_run() {
    let (mut c, mut t) = boot();
    let before = c.now();
    typed(&mut c, &mut t, "kubectl create deployment web --image=nginx:1.27 --replicas=2");
    typed(&mut c, &mut t, "sleep 30");
    assert_eq!(c.now().since(before).as_millis() / 1000, 30);
    assert_eq!(typed(&mut c, &mut t, "kubectl get deploy web -o jsonpath='{.status.readyReplicas}'"), "2\n");
}

#[test]
fn history_recall_editing_and_completion() {
    let (mut c, mut t) = boot();
    typed(&mut c, &mut t, "kubectl get ns");
    typed(&mut c, &mut t, "kubectl get nodes");
    // ↑ twice recalls the older command; editing it runs the edited text.
    t.input(&mut c, "\x1b[A\x1b[A\x1b[A\x1b[B\x1b[A");
    t.input(&mut c, "\x7fs -o name");
    let v = visible(&t.input(&mut c, "\r"));
    assert!(v.contains("namespace/default\n"), "{v}");
    assert_eq!(typed(&mut c, &mut t, "history"), "    1  kubectl get ns\n    2  kubectl get nodes\n    3  kubectl get ns -o name\n    4  history\n");
    // Tab completes a unique word and adds a space; a second Tab lists what remains.
    t.input(&mut c, "kubectl ge\t");
    t.input(&mut c, "nodes kind-w\t");
    let listed = visible(&t.input(&mut c, "\t"));
    assert!(listed.contains("kind-worker   kind-worker2\n"), "{listed:?}");
    let v = visible(&t.input(&mut c, "2 -o name\r"));
    assert!(v.contains("node/kind-worker2\n"), "{v}");
    // Files complete for other programs; commands complete first.
    typed(&mut c, &mut t, "echo x > notes.txt");
    t.input(&mut c, "ca\tno\t");
    assert_eq!(typed(&mut c, &mut t, ""), "x\n");
    // Japanese text is one run of input; cursor keys move over it.
    t.input(&mut c, "echo ポッド");
    t.input(&mut c, "\x1b[D\x1b[D\x1b[3~");
    assert_eq!(typed(&mut c, &mut t, ""), "ポド\n");
    // An escape sequence cut in two is joined.
    t.input(&mut c, "echo ab\x1b[");
    t.input(&mut c, "D\x7f");
    assert_eq!(typed(&mut c, &mut t, ""), "b\n");
}

#[test]
fn no_keystrokes_make_it_panic() {
    let (mut c, mut t) = boot();
    let pieces = [
        "kubectl ", "get ", "pods", " -o ", "yaml", "\t", "\t", "\r", "\x7f", "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1b[3~", "\x1b", "[", "\x1bO", "\x03", "\x0c",
        "\x15", "\x17", "\x0b", "\x01", "\x05", "<<EOF", "EOF", "'", "\"", "\\", "|", "; ", "&&", "$(", ")", "ポッド", "e\u{301}", " > ", "f.yaml", "cat ", "cd ", "..", "/",
        "echo ", "$HOME", "sleep 1", "\x1bb", "\x1bf", "history", "\u{7f}", "\n", "\r\n", "k ", "apply -f ", "-", "kind: Pod\r", "{", "}",
    ];
    let mut seed: u64 = 7;
    for _ in 0..3000 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let mut chunk = String::new();
        for k in 0..(seed >> 60) + 1 {
            chunk.push_str(pieces[(seed.rotate_right(k as u32 * 5) as usize) % pieces.len()]);
        }
        t.resize(((seed >> 20) % 120) as usize);
        let _ = t.input(&mut c, &chunk);
    }
}

/// `kubectl get pods -w` while a Deployment comes up, compared with what kubectl v1.33.1 printed
/// against `hakoniwa serve` (same preset and seed, clock advanced 2 s at a time): the header
/// comes with the first row, and columns widen as wider cells arrive.
#[test]
fn get_watch_prints_rows_as_kubectl_does() {
    let (mut c, _) = boot();
    let mut k = hakoniwa_core::kubectl::Kubectl::new("kind-kind");
    let words = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
    let (out, job) = k.start(&mut c, &words("get pods -w"), None);
    assert_eq!(out.text(), "");
    let mut job = job.expect("a watch goes on");
    assert_eq!(k.run(&mut c, "kubectl create deployment web --image=nginx:1.27 --replicas=2", None).text(), "deployment.apps/web created\n");
    let mut printed = hakoniwa_core::kubectl::Output::default();
    assert!(job.poll(&mut c, &mut printed).is_none());
    for _ in 0..6 {
        c.advance(hakoniwa_core::Duration::from_secs(2));
        assert!(job.poll(&mut c, &mut printed).is_none());
    }
    assert_eq!(
        printed.text(),
        "NAME                   READY   STATUS    RESTARTS   AGE
web-5c94f75b5d-q72wh   0/1     Pending   0          0s
web-5c94f75b5d-kb5d6   0/1     Pending   0          0s
web-5c94f75b5d-kb5d6   0/1     Pending   0          0s
web-5c94f75b5d-q72wh   0/1     Pending   0          0s
web-5c94f75b5d-kb5d6   0/1     ContainerCreating   0          0s
web-5c94f75b5d-q72wh   0/1     ContainerCreating   0          0s
web-5c94f75b5d-kb5d6   1/1     Running             0          4s
web-5c94f75b5d-q72wh   1/1     Running             0          4s
"
    );
    // Errors are kubectl's.
    assert_eq!(k.run(&mut c, "kubectl get pods,svc -w", None).text(), "error: you may only specify a single resource type\n");
    assert_eq!(k.run(&mut c, "kubectl get pod nope -w", None).text(), "Error from server (NotFound): pods \"nope\" not found\n");
    let (out, _job) = k.start(&mut c, &words("get deploy web -w"), None);
    assert_eq!(out.text(), "NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    2/2     2            2           12s\n");
}

#[test]
fn commands_that_go_on_hold_the_prompt_until_done_or_ctrl_c() {
    let (mut c, mut t) = boot();
    typed(&mut c, &mut t, "kubectl create deployment web --image=nginx:1.27 --replicas=2");
    // rollout status prints as the rollout moves, then gives the prompt back.
    let first = visible(&t.input(&mut c, "kubectl rollout status deployment/web\r"));
    assert!(first.ends_with("Waiting for deployment \"web\" rollout to finish: 0 of 2 updated replicas are available...\n"), "{first:?}");
    assert!(!t.is_clean());
    let mut rest = String::new();
    for _ in 0..20 {
        c.advance(hakoniwa_core::Duration::from_secs(1));
        rest.push_str(&visible(&t.tick(&mut c)));
        if t.is_clean() {
            break;
        }
    }
    assert!(rest.ends_with("deployment \"web\" successfully rolled out\n(⎈|kind-kind:default) $ "), "{rest:?}");
    // get -w goes on until Ctrl+C; keys typed meanwhile do nothing.
    let v = visible(&t.input(&mut c, "kubectl get deploy -w\r"));
    assert!(v.ends_with("web    2/2     2            2           3s\n"), "{v:?}");
    assert_eq!(t.input(&mut c, "kubectl get pods\r"), "");
    c.advance(hakoniwa_core::Duration::from_secs(1));
    assert_eq!(t.tick(&mut c), "");
    let mut other = hakoniwa_core::kubectl::Kubectl::new("kind-kind");
    other.run(&mut c, "kubectl scale deploy web --replicas=3", None);
    c.advance(hakoniwa_core::Duration::from_secs(1));
    let v = visible(&t.tick(&mut c));
    assert!(v.starts_with("web    2/3     2            2"), "{v:?}");
    let v = visible(&t.input(&mut c, "x\x03"));
    assert_eq!(v, "^C\n(⎈|kind-kind:default) $ ");
    assert!(t.is_clean());
    // In a pipeline it runs to its end on simulated time instead.
    let v = typed(&mut c, &mut t, "kubectl rollout status deployment/web | tail -n 1");
    assert_eq!(v, "deployment \"web\" successfully rolled out\n");
}

#[test]
fn exec_it_opens_a_shell_in_the_container() {
    let (mut c, mut t) = boot();
    typed(&mut c, &mut t, "kubectl run box --image=busybox:1.36 -- sleep 3600");
    typed(&mut c, &mut t, "kubectl run web --image=nginx:1.27");
    typed(&mut c, &mut t, "kubectl wait --for=condition=Ready pod/box pod/web --timeout=60s");
    let v = visible(&t.input(&mut c, "kubectl exec -it box -- sh\r"));
    assert!(v.ends_with("kubectl exec -it box -- sh\n/ # "), "{v:?}");
    // Lines run in the container, in the directory the last one left.
    let v = visible(&t.input(&mut c, "cd /tmp\r"));
    assert!(v.ends_with("\n/tmp # "), "{v:?}");
    let v = visible(&t.input(&mut c, "echo hi > f; cat f; pwd; hostname\r"));
    assert!(v.ends_with("\nhi\n/tmp\nbox\n/tmp # "), "{v:?}");
    // Ctrl+C drops the line and stays in the shell; Tab does nothing.
    let v = visible(&t.input(&mut c, "ls\t\x03"));
    assert!(v.ends_with("^C\n/tmp # "), "{v:?}");
    let v = visible(&t.input(&mut c, "exit 3\r"));
    assert!(v.ends_with("command terminated with exit code 3\n(⎈|kind-kind:default) $ "), "{v:?}");
    // The file is still there for the next shell; Debian's sh shows `# `, bash its own prompt.
    assert_eq!(typed(&mut c, &mut t, "kubectl exec box -- cat /tmp/f"), "hi\n");
    let v = visible(&t.input(&mut c, "kubectl exec -it web -- sh\r"));
    assert!(v.ends_with("\n# "), "{v:?}");
    let v = visible(&t.input(&mut c, "\x04"));
    assert!(v.ends_with("(⎈|kind-kind:default) $ "), "{v:?}");
    let v = visible(&t.input(&mut c, "kubectl exec -it web -- bash\r"));
    assert!(v.ends_with("\nroot@web:/# "), "{v:?}");
    let v = visible(&t.input(&mut c, "cd /usr/share/nginx/html && ls\r"));
    // On a terminal, ls prints columns.
    assert!(v.ends_with("\n50x.html  index.html\nroot@web:/usr/share/nginx/html# "), "{v:?}");
    let v = visible(&t.input(&mut c, "exit\r"));
    assert!(v.ends_with("\nexit\n(⎈|kind-kind:default) $ "), "{v:?}");
    // With standard input the shell reads it as its script.
    assert_eq!(t.run(&mut c, "kubectl exec -i box -- sh <<EOF\necho from-stdin\nexit 0\nEOF"), ("from-stdin\n".to_string(), 0));
}

#[test]
fn kubectl_edit_goes_through_a_workspace_file() {
    let (mut c, mut t) = boot();
    typed(&mut c, &mut t, "kubectl create deployment web --image=nginx:1.27");
    let v = visible(&t.input(&mut c, "kubectl edit deploy/web\r"));
    assert!(v.contains("Editing deployment.apps/web in the editor (/tmp/kubectl-edit-deployment-web.yaml)"), "{v:?}");
    let path = t.editing().expect("an edit goes on").to_string();
    let text = t.kubectl.files.read(&path).expect("the file is there").to_string();
    assert!(text.starts_with("# Please edit the object below. Lines beginning with a '#' will be ignored,\n# and an empty file will abort the edit. If an error occurs while saving this file will be\n# reopened with the relevant failures.\n#\napiVersion: apps/v1\nkind: Deployment\n"), "{text}");
    assert!(!text.contains("managedFields"));
    // A refused change comes back with the reasons on top; the next try works.
    t.kubectl.files.write(&path, text.replace("replicas: 1\n", "replicas: -1\n"));
    let v = visible(&t.input(&mut c, "\r"));
    assert_eq!(v, "\n");
    let again = t.kubectl.files.read(&path).unwrap_or_default().to_string();
    assert!(again.contains("#\n# deployments.apps \"web\" was not valid:\n# * spec.replicas: Invalid value: -1: must be greater than or equal to 0\n#\napiVersion: apps/v1\n"), "{again}");
    t.kubectl.files.write(&path, again.replace("replicas: -1\n", "replicas: 3\n"));
    let v = visible(&t.input(&mut c, "\r"));
    assert!(v.ends_with("deployment.apps/web edited\n(⎈|kind-kind:default) $ "), "{v:?}");
    assert!(t.kubectl.files.read(&path).is_none());
    assert_eq!(typed(&mut c, &mut t, "kubectl get deploy web -o jsonpath={.spec.replicas}"), "3\n");
    // Unchanged: cancelled. Ctrl+C: given up.
    t.input(&mut c, "kubectl edit deploy web\r");
    let v = visible(&t.input(&mut c, "\r"));
    assert!(v.ends_with("Edit cancelled, no changes made.\n(⎈|kind-kind:default) $ "), "{v:?}");
    t.input(&mut c, "kubectl edit deploy web\r");
    let v = visible(&t.input(&mut c, "\x03"));
    assert!(v.ends_with("^C\n(⎈|kind-kind:default) $ "), "{v:?}");
    assert!(t.editing().is_none() && t.kubectl.files.paths().next().is_none());
    // Refused twice without a change: kubectl gives up and keeps the file.
    t.input(&mut c, "kubectl edit deploy web\r");
    let path = t.editing().unwrap_or_default().to_string();
    let text = t.kubectl.files.read(&path).unwrap_or_default().replace("replicas: 3\n", "replicas: -2\n");
    t.kubectl.files.write(&path, text);
    t.input(&mut c, "\r");
    let v = visible(&t.input(&mut c, "\r"));
    assert!(v.ends_with("error: deployments.apps \"web\" is invalid\nA copy of your changes has been stored to \"/tmp/kubectl-edit-deployment-web.yaml\"\nerror: Edit cancelled, no valid changes were saved.\n(⎈|kind-kind:default) $ "), "{v:?}");
    assert!(t.kubectl.files.read(&path).is_some());
    // An emptied file: the same.
    t.input(&mut c, "kubectl edit deploy web\r");
    let path = t.editing().unwrap_or_default().to_string();
    t.kubectl.files.write(&path, "");
    let v = visible(&t.input(&mut c, "\r"));
    assert!(v.ends_with("error: Edit cancelled, no valid changes were saved.\n(⎈|kind-kind:default) $ "), "{v:?}");
}

/// The journal joins keystrokes typed in a row: any split of the input must give the same
/// session as typing it piece by piece.
#[test]
fn input_split_anywhere_gives_the_same_session() {
    let script = "kubectl get deploy -w\rignored\x03kubectl get deploy\t| grep web | wc -l\rkubectl exec -it deploy/web -- sh\rcd /tmp\rexit\rk get po\t\t\x1b[A\x15echo done\r";
    let run = |chunks: &[&str]| {
        let (mut c, mut t) = boot();
        typed(&mut c, &mut t, "kubectl create deployment web --image=nginx:1.27");
        c.advance(hakoniwa_core::Duration::from_secs(30));
        let mut all = String::new();
        for ch in chunks {
            all.push_str(&visible(&t.input(&mut c, ch)));
        }
        // What is drawn differs (each piece redraws its line); what happened must not.
        let _ = all;
        (t.history().to_vec(), t.is_clean())
    };
    let whole = run(&[script]);
    let mut pieces: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, ch) in script.chars().enumerate() {
        cur.push(ch);
        if i % 7 == 3 {
            pieces.push(std::mem::take(&mut cur));
        }
    }
    pieces.push(cur);
    let split = run(&pieces.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(whole, split);
    assert_eq!(whole.0[2], "kubectl get deployments | grep web | wc -l");
    assert_eq!(whole.0.last().map(String::as_str), Some("echo done"));
    assert!(!whole.0.iter().any(|h| h == "cd /tmp"), "cd /tmp ran in the container: {:?}", whole.0);
}

#[test]
fn a_shell_loop_goes_on_with_the_clock_until_ctrl_c() {
    let (mut c, mut t) = boot();
    typed(&mut c, &mut t, "kubectl create deployment web --image=nginx:1.27");
    let v = visible(&t.input(&mut c, "while true; do kubectl get deploy web --no-headers -o custom-columns=R:.status.readyReplicas; sleep 2; done\r"));
    // The first turn at once, and no prompt: the loop holds the terminal.
    assert!(v.ends_with("done\n<none>\n"), "{v:?}");
    assert!(!t.is_clean());
    let mut later = String::new();
    for _ in 0..6 {
        c.advance(hakoniwa_core::Duration::from_secs(1));
        later.push_str(&visible(&t.tick(&mut c)));
    }
    // Three more turns in six seconds, the last ones seeing the pod ready.
    assert_eq!(later.lines().count(), 3, "{later:?}");
    assert!(later.ends_with("1\n"), "{later:?}");
    let v = visible(&t.input(&mut c, "\x03"));
    assert_eq!(v, "^C\n(⎈|kind-kind:default) $ ");
    c.advance(hakoniwa_core::Duration::from_secs(5));
    assert_eq!(t.tick(&mut c), "");
    // sleep infinity holds the terminal too, printing nothing.
    t.input(&mut c, "sleep infinity\r");
    assert!(!t.is_clean());
    t.input(&mut c, "\x03");
    assert!(t.is_clean());
}

#[test]
fn substitutions_split_into_arguments_and_grep_reads_files() {
    let (mut c, mut t) = boot();
    assert_eq!(typed(&mut c, &mut t, "kubectl get ns $(echo default kube-system) -o name"), "namespace/default\nnamespace/kube-system\n");
    assert_eq!(typed(&mut c, &mut t, "kubectl get ns \"$(echo default kube-system)\""), "Error from server (NotFound): namespaces \"default kube-system\" not found\n");
    typed(&mut c, &mut t, "kubectl get ns -o name > ns.txt");
    assert_eq!(typed(&mut c, &mut t, "grep -c kube ns.txt"), "3\n");
    assert_eq!(typed(&mut c, &mut t, "grep -n default ns.txt nope.txt; echo $?"), "ns.txt:1:namespace/default\ngrep: nope.txt: No such file or directory\n2\n");
    assert_eq!(typed(&mut c, &mut t, "wc -l ns.txt"), "5 ns.txt\n");
}

#[test]
fn curl_from_the_learners_machine_reaches_node_ports_and_load_balancers_only() {
    let (mut c, mut t) = boot();
    typed(&mut c, &mut t, "kubectl create deployment echo --image=amsy810/echo-nginx:v2.0 --replicas=2");
    typed(&mut c, &mut t, "kubectl create service nodeport echo --tcp=8080:80 --node-port=30080");
    typed(&mut c, &mut t, "kubectl create service loadbalancer lb --tcp=80:80");
    typed(&mut c, &mut t, "kubectl label svc lb x=y");
    typed(&mut c, &mut t, "kubectl patch svc lb -p '{\"spec\":{\"selector\":{\"app\":\"echo\"}}}'");
    c.advance(hakoniwa_core::Duration::from_secs(30));
    let out = typed(&mut c, &mut t, "curl -s http://172.18.0.2:30080/from-outside");
    assert!(out.starts_with("Host=172.18.0.2  Path=/from-outside  From=echo-"), "{out}");
    // Masqueraded: the pod sees the node's address, not the learner's.
    assert!(out.contains("ClientIP=172.18.0."), "{out}");
    let out = typed(&mut c, &mut t, "curl -s http://172.18.255.200/");
    assert!(out.starts_with("Host=172.18.255.200  Path=/  From=echo-"), "{out}");
    let cluster_ip = typed(&mut c, &mut t, "kubectl get svc echo -o jsonpath={.spec.clusterIP}");
    let out = typed(&mut c, &mut t, &format!("curl -sS -m 2 http://{}:8080/", cluster_ip.trim()));
    assert!(out.contains("curl: (28) Failed to connect to 10.96."), "{out}");
    let out = typed(&mut c, &mut t, "curl -sS http://echo:8080/");
    assert!(out.contains("curl: (6) Could not resolve host: echo"), "{out}");
    let out = typed(&mut c, &mut t, "curl -sS localhost:30080");
    assert!(out.contains("curl: (7) Failed to connect to localhost port 30080 after 2 ms: Couldn't connect to server"), "{out}");
}

#[test]
fn wait_for_delete_says_condition_met_only_for_what_it_saw_go() {
    let (mut c, mut t) = boot();
    typed(&mut c, &mut t, "kubectl run gone --image=busybox:1.36 -- sleep 3600");
    c.advance(hakoniwa_core::Duration::from_secs(10));
    typed(&mut c, &mut t, "kubectl delete pod gone --wait=false");
    let out = typed(&mut c, &mut t, "kubectl wait --for=delete pod/gone --timeout=60s");
    assert_eq!(out.trim_end(), "pod/gone condition met");
    assert_eq!(typed(&mut c, &mut t, "kubectl wait --for=delete pod/gone --timeout=5s").trim_end(), "");
}

#[test]
fn port_forward_in_the_background_carries_localhost_to_one_pod() {
    let (mut c, mut t) = boot();
    typed(&mut c, &mut t, "kubectl create deployment echo --image=amsy810/echo-nginx:v2.0 --replicas=2");
    typed(&mut c, &mut t, "kubectl create service clusterip echo --tcp=8080:80");
    c.advance(hakoniwa_core::Duration::from_secs(30));
    // A Service's port becomes its target port in the pod; `&` gives the prompt back.
    let out = typed(&mut c, &mut t, "kubectl port-forward svc/echo 8080 &");
    assert_eq!(out, "[1] 4242\nForwarding from 127.0.0.1:8080 -> 80\nForwarding from [::1]:8080 -> 80\n");
    assert_eq!(typed(&mut c, &mut t, "jobs"), "[1]+  Running                 kubectl port-forward svc/echo 8080 &\n");
    // The connection reaches localhost inside one pod; the job says it handled it.
    let out = typed(&mut c, &mut t, "curl -s localhost:8080/pf");
    assert!(out.starts_with("Handling connection for 8080\nHost=localhost  Path=/pf  From=echo-"), "{out}");
    assert!(out.contains("ClientIP=127.0.0.1"), "{out}");
    let pod = out.split("From=").nth(1).and_then(|r| r.split_whitespace().next()).unwrap_or_default().to_string();
    let again = typed(&mut c, &mut t, "curl -s localhost:8080/");
    assert!(again.contains(&format!("From={pod} ")), "always the same pod: {again}");
    // The port is taken while the job runs.
    let out = typed(&mut c, &mut t, "kubectl port-forward deploy/echo 8080:80");
    assert_eq!(out, "Unable to listen on port 8080: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 127.0.0.1:8080: bind: address already in use unable to create listener: Error listen tcp6 [::1]:8080: bind: address already in use]\nerror: unable to listen on any of the requested ports: [{8080 80}]\n");
    // The pod goes: the next connection fails, and the job ends.
    typed(&mut c, &mut t, &format!("kubectl delete pod {pod} --wait=false"));
    c.advance(hakoniwa_core::Duration::from_secs(40));
    let out = typed(&mut c, &mut t, "curl -sS localhost:8080/");
    assert!(out.starts_with("Handling connection for 8080\nE1125 "), "{out}");
    assert!(out.contains(" portforward.go:424] \"Unhandled Error\" err=\"an error occurred forwarding 8080 -> 80: error forwarding port 80 to pod "), "{out}");
    // bash says the job ended before the next prompt.
    assert!(out.ends_with("in store: not found\"\nerror: lost connection to pod\ncurl: (52) Empty reply from server\n[1]+  Exit 1                  kubectl port-forward svc/echo 8080\n"), "{out}");
    assert_eq!(typed(&mut c, &mut t, "jobs"), "");
    let out = typed(&mut c, &mut t, "curl -sS localhost:8080/");
    assert!(out.contains("curl: (7) Failed to connect to localhost port 8080"), "{out}");
}

#[test]
fn jobs_fg_and_kill_control_what_runs_in_the_background() {
    let (mut c, mut t) = boot();
    typed(&mut c, &mut t, "kubectl run web --image=nginx:1.27 --port=80");
    c.advance(hakoniwa_core::Duration::from_secs(20));
    assert_eq!(typed(&mut c, &mut t, "kubectl port-forward pod/web :80 --address 0.0.0.0 &"), "[1] 4242\nForwarding from 0.0.0.0:32768 -> 80\n");
    assert_eq!(typed(&mut c, &mut t, "kubectl port-forward web 9090:81 &"), "[2] 4243\nForwarding from 127.0.0.1:9090 -> 81\nForwarding from [::1]:9090 -> 81\n");
    // Nothing listens on 81 in the pod: containerd's words, and the job ends.
    let out = typed(&mut c, &mut t, "curl -sS localhost:9090");
    assert!(out.contains("failed to connect to localhost:81 inside namespace"), "{out}");
    assert!(out.contains("IPv4: dial tcp4 127.0.0.1:81: connect: connection refused IPv6 dial tcp6 [::1]:81: connect: connection refused \"\nerror: lost connection to pod\n"), "{out}");
    assert_eq!(typed(&mut c, &mut t, "jobs"), "[1]+  Running                 kubectl port-forward pod/web :80 --address 0.0.0.0 &\n");
    let out = typed(&mut c, &mut t, "curl -s 127.0.0.1:32768");
    assert!(out.starts_with("Handling connection for 32768\n<!DOCTYPE html>"), "{out}");
    assert_eq!(typed(&mut c, &mut t, "kill %3"), "bash: kill: %3: no such job\n");
    let raw = visible(&t.input(&mut c, "kill %1\r"));
    assert_eq!(raw, "(⎈|kind-kind:default) $ kill %1\n[1]+  Terminated              kubectl port-forward pod/web :80 --address 0.0.0.0\n(⎈|kind-kind:default) $ ");
    assert_eq!(typed(&mut c, &mut t, "fg"), "bash: fg: current: no such job\n");
    // fg brings a job back; Ctrl+C stops it.
    typed(&mut c, &mut t, "kubectl get pods -w &");
    let out = visible(&t.input(&mut c, "fg %1\r"));
    assert!(out.ends_with("fg %1\nkubectl get pods -w\n"), "{out:?}");
    assert!(!t.is_clean());
    assert_eq!(visible(&t.input(&mut c, "\x03")), "^C\n(⎈|kind-kind:default) $ ");
    assert_eq!(typed(&mut c, &mut t, "jobs"), "");
    // Redirections with & are not background lists.
    assert_eq!(typed(&mut c, &mut t, "kubectl get pod nope 2>&1 | head -n 1"), "Error from server (NotFound): pods \"nope\" not found\n");
}

#[test]
fn port_forward_refuses_what_kubectl_refuses() {
    let (mut c, mut t) = boot();
    typed(&mut c, &mut t, "kubectl run web --image=nginx:1.27 --port=80");
    typed(&mut c, &mut t, "kubectl expose pod web --port=8080 --target-port=80 --name=web");
    assert_eq!(typed(&mut c, &mut t, "kubectl port-forward pod/web"), "error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples\n");
    assert_eq!(typed(&mut c, &mut t, "kubectl port-forward pod/web 8080:80"), "error: unable to forward port because pod is not running. Current status=Pending\n");
    assert_eq!(typed(&mut c, &mut t, "kubectl port-forward pod/nope 8080:80"), "Error from server (NotFound): pods \"nope\" not found\n");
    assert_eq!(typed(&mut c, &mut t, "kubectl port-forward svc/web 9999"), "error: Service web does not have a service port 9999\n");
    assert_eq!(typed(&mut c, &mut t, "kubectl port-forward pod/web 8080:http"), "error: Pod 'web' does not have a named port 'http'\n");
    assert_eq!(typed(&mut c, &mut t, "kubectl port-forward cm/kube-root-ca.crt 80"), "error: cannot attach to *v1.ConfigMap: selector for *v1.ConfigMap not implemented\n");
    c.advance(hakoniwa_core::Duration::from_secs(20));
    assert_eq!(typed(&mut c, &mut t, "kubectl port-forward pod/web 8080:0"), "error: remote port must be > 0\n");
    assert_eq!(typed(&mut c, &mut t, "kubectl port-forward --address nowhere pod/web 8080:80"), "error: nowhere is not a valid IP\n");
    // In the foreground it holds the prompt until Ctrl+C.
    let out = visible(&t.input(&mut c, "kubectl port-forward svc/web 8080\r"));
    assert!(out.ends_with("Forwarding from 127.0.0.1:8080 -> 80\nForwarding from [::1]:8080 -> 80\n"), "{out:?}");
    assert_eq!(visible(&t.input(&mut c, "\x03")), "^C\n(⎈|kind-kind:default) $ ");
}

#[test]
fn port_forward_to_the_ingress_controller_routes_by_host() {
    let (mut c, mut t) = boot();
    typed(&mut c, &mut t, "kubectl apply -f https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.12.1/deploy/static/provider/cloud/deploy.yaml");
    typed(&mut c, &mut t, "kubectl create deployment echo --image=amsy810/echo-nginx:v2.0");
    typed(&mut c, &mut t, "kubectl create service clusterip echo --tcp=8080:80");
    typed(&mut c, &mut t, "kubectl create ingress shop --class=nginx --rule=shop.example.com/echo*=echo:8080");
    c.advance(hakoniwa_core::Duration::from_secs(90));
    // The controller Service's targetPort is the pod's port named "http".
    let out = typed(&mut c, &mut t, "kubectl port-forward -n ingress-nginx svc/ingress-nginx-controller 8080:80 &");
    assert_eq!(out, "[1] 4242\nForwarding from 127.0.0.1:8080 -> 80\nForwarding from [::1]:8080 -> 80\n");
    let out = typed(&mut c, &mut t, "curl -s -H 'Host: shop.example.com' localhost:8080/echo/x");
    assert!(out.starts_with("Handling connection for 8080\nHost=shop.example.com  Path=/echo/x  From=echo-"), "{out}");
    assert!(out.trim_end().ends_with("XFF=127.0.0.1"), "{out}");
    let out = typed(&mut c, &mut t, "curl -s -o /dev/null -w '%{http_code}\\n' localhost:8080/echo/x");
    assert_eq!(out, "Handling connection for 8080\n404\n");
}

#[test]
fn kubectl_in_an_exec_shell_speaks_as_the_pods_service_account() {
    let (mut c, mut t) = boot();
    typed(&mut c, &mut t, "kubectl create serviceaccount viewer");
    typed(&mut c, &mut t, "kubectl create rolebinding viewer-view --clusterrole=view --serviceaccount=default:viewer");
    typed(&mut c, &mut t, r#"kubectl run client --image=bitnami/kubectl --overrides='{"spec":{"serviceAccountName":"viewer"}}' --command -- sleep infinity"#);
    typed(&mut c, &mut t, "kubectl run box --image=busybox:1.36 -- sleep 3600");
    c.advance(hakoniwa_core::Duration::from_secs(20));
    t.input(&mut c, "kubectl exec -it client -- bash\r");
    let out = visible(&t.input(&mut c, "kubectl get pods -o name\r"));
    assert!(out.contains("pod/box\npod/client\n"), "{out:?}");
    let out = visible(&t.input(&mut c, "kubectl delete pod box\r"));
    assert!(out.contains("Error from server (Forbidden): pods \"box\" is forbidden: User \"system:serviceaccount:default:viewer\" cannot delete resource \"pods\" in API group \"\" in the namespace \"default\"\n"), "{out:?}");
    t.input(&mut c, "exit\r");
    // An image without kubectl: the shell does not know it.
    t.input(&mut c, "kubectl exec -it box -- sh\r");
    let out = visible(&t.input(&mut c, "kubectl get pods\r"));
    assert!(out.contains("sh: kubectl: not found\n"), "{out:?}");
}

#[test]
fn debug_it_adds_an_ephemeral_container_and_opens_its_shell() {
    let (mut c, mut t) = boot();
    typed(&mut c, &mut t, "kubectl run web --image=nginx:1.27");
    typed(&mut c, &mut t, "kubectl wait --for=condition=Ready pod/web --timeout=60s");
    let v = visible(&t.input(&mut c, "kubectl debug -it web --image=busybox:1.36 -c dbg --target=web --profile=general\r"));
    assert!(v.contains("Targeting container \"web\". If you don't see processes from this container it may be because the container runtime doesn't support this feature.\n"), "{v:?}");
    assert!(v.ends_with("If you don't see a command prompt, try pressing enter.\n/ # "), "{v:?}");
    // The shell is the debug container's: busybox's files (not nginx's), the pod's hostname.
    let v = visible(&t.input(&mut c, "hostname; ls /usr/share/nginx\r"));
    assert!(v.ends_with("\nweb\nls: /usr/share/nginx: No such file or directory\n/ # "), "{v:?}");
    let v = visible(&t.input(&mut c, "exit\r"));
    assert!(v.ends_with("(⎈|kind-kind:default) $ "), "{v:?}");
    // The pod keeps it; it is never ready and never restarted; describe shows it.
    assert_eq!(typed(&mut c, &mut t, "kubectl get pod web -o jsonpath={.status.ephemeralContainerStatuses[0].ready}"), "false\n");
    let d = typed(&mut c, &mut t, "kubectl describe pod web");
    assert!(d.contains("Ephemeral Containers:\n  dbg:\n"), "{d}");
    // A node's debugging pod runs with the node's namespaces and its root at /host.
    let out = typed(&mut c, &mut t, "kubectl debug node/kind-worker --image=busybox:1.36 --profile=general -q");
    assert_eq!(out, "");
    let pods = typed(&mut c, &mut t, "kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name} {.spec.hostPID} {.spec.volumes[0].hostPath.path} {.spec.containers[0].volumeMounts[0].mountPath}{\"\\n\"}{end}'");
    assert!(pods.lines().any(|l| l.starts_with("node-debugger-kind-worker-") && l.ends_with(" true / /host")), "{pods}");
}

#[test]
fn cp_copies_between_the_workspace_and_containers() {
    let (mut c, mut t) = boot();
    typed(&mut c, &mut t, "kubectl run box --image=busybox:1.36 -- sleep 3600");
    typed(&mut c, &mut t, "kubectl run web --image=nginx:1.27");
    typed(&mut c, &mut t, "kubectl wait --for=condition=Ready pod/box pod/web --timeout=60s");
    // From a container: tar's notice about the leading `/` (BusyBox's words), then the file.
    assert_eq!(typed(&mut c, &mut t, "kubectl cp box:/etc/hostname hostname.txt"), "tar: removing leading '/' from member names\n");
    assert_eq!(typed(&mut c, &mut t, "cat hostname.txt"), "box\n");
    // A directory's contents go into the destination.
    assert_eq!(typed(&mut c, &mut t, "kubectl cp web:/usr/share/nginx/html site"), "tar: Removing leading `/' from member names\n");
    assert_eq!(typed(&mut c, &mut t, "ls site"), "50x.html\nindex.html\n");
    // A path that is not there: tar says so, nothing is written, and kubectl exits 0.
    let out = typed(&mut c, &mut t, "kubectl cp web:/nope nope.txt; echo $?");
    assert_eq!(out, "tar: Removing leading `/' from member names\ntar: /nope: Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors\n0\n");
    assert_eq!(typed(&mut c, &mut t, "kubectl cp box:/etc/hostname site"), "tar: removing leading '/' from member names\nerror: open site: is a directory\n");
    // Into a container: an existing directory takes the file by its name; otherwise the file
    // is the destination; its directory must exist.
    assert_eq!(typed(&mut c, &mut t, "kubectl cp hostname.txt box:/tmp"), "");
    assert_eq!(typed(&mut c, &mut t, "kubectl exec box -- cat /tmp/hostname.txt"), "box\n");
    assert_eq!(typed(&mut c, &mut t, "kubectl cp site box:/tmp/copy"), "");
    assert_eq!(typed(&mut c, &mut t, "kubectl exec box -- ls /tmp/copy"), "50x.html\nindex.html\n");
    let here = typed(&mut c, &mut t, "cat site/index.html");
    assert!(here.contains("<h1>Welcome to nginx!</h1>"), "{here}");
    assert_eq!(typed(&mut c, &mut t, "kubectl exec box -- cat /tmp/copy/index.html"), here);
    assert_eq!(typed(&mut c, &mut t, "kubectl cp hostname.txt box:/nowhere/x; echo $?"), "tar: can't change directory to '/nowhere': No such file or directory\ncommand terminated with exit code 1\n1\n");
    assert_eq!(
        typed(&mut c, &mut t, "kubectl cp hostname.txt web:/nowhere/x"),
        "tar: /nowhere: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\ncommand terminated with exit code 2\n"
    );
    assert_eq!(typed(&mut c, &mut t, "kubectl cp missing.txt box:/tmp"), "error: missing.txt doesn't exist in local filesystem\n");
    assert_eq!(typed(&mut c, &mut t, "kubectl cp a b"), "error: one of src or dest must be a remote file specification\n");
}
