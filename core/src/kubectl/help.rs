//! `kubectl --help`, `kubectl CMD -h` and `kubectl help [CMD]`, laid out as kubectl lays its
//! help out (command groups, `Options:`, `Usage:`, the closing hint), in Hakoniwa's own words:
//! a line on what each command does, the flags the emulator accepts for it, and its usage.

use crate::sort::Order;
use super::args::{Flag, Takes};
use super::Output;

/// kubectl's command groups, in its order, with what each command does.
const GROUPS: &[(&str, &[(&str, &str)])] = &[
    ("Basic Commands (Beginner)", &[("create", "Make a resource from a file, standard input or flags"), ("expose", "Put a service in front of a pod, deployment, replica set or service"), ("run", "Start a pod running one image"), ("set", "Change images, environment, resources and more of workloads")]),
    ("Basic Commands (Intermediate)", &[("explain", "Describe the fields of a resource from the server's schema"), ("get", "List resources, or show some of them"), ("edit", "Change a live resource in the editor"), ("delete", "Remove resources by name, file, label or all of a type")]),
    ("Deploy Commands", &[("rollout", "Follow, pause, resume, restart or undo a rollout"), ("scale", "Set the replica count of a workload"), ("autoscale", "Make a horizontal pod autoscaler for a workload")]),
    (
        "Cluster Management Commands",
        &[
            ("certificate", "Approve or deny certificate signing requests"),
            ("cluster-info", "Show where the control plane and its services are"),
            ("top", "Show CPU and memory use of nodes or pods"),
            ("cordon", "Stop new pods from being scheduled on a node"),
            ("uncordon", "Let pods be scheduled on a node again"),
            ("drain", "Evict a node's pods to prepare it for maintenance"),
            ("taint", "Add or remove taints of nodes"),
        ],
    ),
    (
        "Troubleshooting and Debugging Commands",
        &[
            ("describe", "Show a resource in detail, with its events"),
            ("logs", "Print what a container wrote to its output"),
            ("attach", "Connect to the output of a running container"),
            ("exec", "Run a command in a container"),
            ("port-forward", "Reach a pod's port from this machine"),
            ("proxy", "Serve the API server on a local port"),
            ("cp", "Copy files between this machine and containers"),
            ("auth", "Check what a user may do"),
            ("debug", "Start a debugging container in a pod, a copy of a pod, or on a node"),
            ("events", "List events"),
        ],
    ),
    ("Advanced Commands", &[("diff", "Show what applying a file would change"), ("apply", "Make resources match files (create or update)"), ("patch", "Change fields of a resource with a patch"), ("replace", "Replace a resource with the one in a file"), ("wait", "Wait until resources reach a condition"), ("kustomize", "Build the resources of a kustomization")]),
    ("Settings Commands", &[("label", "Set or remove labels"), ("annotate", "Set or remove annotations"), ("completion", "Print shell completion code")]),
    ("Other Commands", &[("api-resources", "List the server's resource types"), ("api-versions", "List the server's API versions"), ("config", "Read and change kubeconfig files"), ("plugin", "Work with kubectl plugins"), ("version", "Print the client and server versions")]),
];

/// How each command is called, as kubectl's usage line writes it.
fn usage(cmd: &str) -> &'static str {
    match cmd {
        "get" => "kubectl get [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file|custom-columns|custom-columns-file|wide] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]",
        "describe" => "kubectl describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME)",
        "create" => "kubectl create -f FILENAME",
        "apply" => "kubectl apply (-f FILENAME | -k DIRECTORY)",
        "delete" => "kubectl delete ([-f FILENAME] | [-k DIRECTORY] | TYPE [(NAME | -l label | --all)])",
        "run" => "kubectl run NAME --image=image [--env=\"key=value\"] [--port=port] [--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] [args...]",
        "logs" => "kubectl logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]",
        "exec" => "kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]",
        "expose" => "kubectl expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] [--target-port=number-or-name] [--name=name] [--external-ip=external-ip-of-service] [--type=type]",
        "scale" => "kubectl scale [--resource-version=version] [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME)",
        "port-forward" => "kubectl port-forward TYPE/NAME [options] [LOCAL_PORT:]REMOTE_PORT [...[LOCAL_PORT_N:]REMOTE_PORT_N]",
        "label" => "kubectl label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]",
        "annotate" => "kubectl annotate [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]",
        "explain" => "kubectl explain TYPE [--recursive=FALSE|TRUE] [--api-version=api-version-group] [-o|--output=plaintext|plaintext-openapiv2]",
        "cp" => "kubectl cp <file-spec-src> <file-spec-dest>",
        "debug" => "kubectl debug (POD | TYPE[[.VERSION].GROUP]/NAME) [ -- COMMAND [args...] ]",
        "top" => "kubectl top [flags]",
        "drain" => "kubectl drain NODE",
        "cordon" => "kubectl cordon NODE",
        "uncordon" => "kubectl uncordon NODE",
        "taint" => "kubectl taint NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N=VAL_N:TAINT_EFFECT_N",
        "diff" => "kubectl diff -f FILENAME",
        "patch" => "kubectl patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE]",
        "replace" => "kubectl replace -f FILENAME",
        "wait" => "kubectl wait ([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)]) [--for=create|--for=delete|--for condition=available|--for=jsonpath='{}'[=value]]",
        "kustomize" => "kubectl kustomize DIR [flags]",
        "rollout" => "kubectl rollout SUBCOMMAND",
        "set" => "kubectl set SUBCOMMAND",
        "config" => "kubectl config SUBCOMMAND",
        "auth" => "kubectl auth [flags]",
        "edit" => "kubectl edit (RESOURCE/NAME | -f FILENAME)",
        "autoscale" => "kubectl autoscale (-f FILENAME | TYPE NAME | TYPE/NAME) [--min=MINPODS] --max=MAXPODS [--cpu-percent=CPU]",
        "events" => "kubectl events [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file] [--for TYPE/NAME] [--watch] [--types=Normal,Warning]",
        _ => "",
    }
}

/// The line that says what `cmd` does, if kubectl has such a command.
fn description(cmd: &str) -> Option<&'static str> {
    GROUPS.iter().flat_map(|(_, cmds)| cmds.iter()).find(|(name, _)| *name == cmd).map(|(_, d)| *d)
}

/// Whether kubectl has this command (so `kubectl help CMD` has something to show).
pub fn is_command(cmd: &str) -> bool {
    description(cmd).is_some()
}

/// `kubectl`, `kubectl --help`, `kubectl help`.
pub fn top(out: &mut Output) {
    out.out(format!("kubectl controls the Kubernetes cluster manager.\n\n Find more information at: https://kubernetes.io/docs/reference/kubectl/\n\n{}", groups_and_usage()));
}

/// `kubectl help TOPIC` for a topic kubectl does not have: cobra's words, then the groups.
pub fn unknown_topic(topic: &str, out: &mut Output) {
    out.out(format!("Unknown help topic [`{topic}`]\n\n\n{}", groups_and_usage()));
}

fn groups_and_usage() -> String {
    let mut text = String::new();
    for (title, cmds) in GROUPS {
        text.push_str(&format!("{title}:\n"));
        for (name, what) in *cmds {
            text.push_str(&format!("  {name:<15} {what}\n"));
        }
        text.push('\n');
        // Plugins have their group before the last one (Hakoniwa's kubectl has none).
        if *title == "Settings Commands" {
            text.push_str("Subcommands provided by plugins:\n\n");
        }
    }
    text.push_str("Usage:\n  kubectl [flags] [options]\n\nUse \"kubectl <command> --help\" for more information about a given command.\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n");
    text
}

/// `kubectl CMD --help`: what it does, the flags it takes here, its usage. `false` when kubectl
/// has no such command.
pub fn command(cmd: &str, flags: &[Flag], out: &mut Output) -> bool {
    let Some(what) = description(cmd) else { return false };
    let mut text = format!("{what}.\n\n");
    let mut shown: Vec<&Flag> = flags.iter().filter(|f| f.name != "help").collect();
    shown.order_by_key(|f| f.name);
    shown.dedup_by_key(|f| f.name);
    if !shown.is_empty() {
        text.push_str("Options:\n");
        for f in shown {
            let short = f.short.map(|c| format!("-{c}, ")).unwrap_or_default();
            let value = match f.takes {
                Takes::Bool => "",
                Takes::Value => "=VALUE",
                Takes::Values => "=VALUE (repeatable)",
            };
            text.push_str(&format!("    {short}--{}{value}\n", f.name));
        }
        text.push('\n');
    }
    let line = match usage(cmd) {
        "" => format!("kubectl {cmd} [flags]"),
        u => u.to_string(),
    };
    text.push_str(&format!("Usage:\n  {line} [options]\n\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n"));
    out.out(text);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubectl::args::flag;

    #[test]
    fn every_group_lists_commands_in_kubectls_layout() {
        let mut out = Output::default();
        top(&mut out);
        let text = out.stdout();
        assert!(text.starts_with("kubectl controls the Kubernetes cluster manager.\n"));
        assert!(text.contains("\nDeploy Commands:\n  rollout         "));
        assert!(text.ends_with("(applies to all commands).\n"));
    }

    #[test]
    fn a_command_shows_its_flags_and_usage() {
        let mut out = Output::default();
        assert!(command("version", &[flag("client", None, Takes::Bool), flag("output", Some('o'), Takes::Value)], &mut out));
        assert_eq!(
            out.stdout(),
            "Print the client and server versions.\n\nOptions:\n    --client\n    -o, --output=VALUE\n\nUsage:\n  kubectl version [flags] [options]\n\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n"
        );
        assert!(!command("nope", &[], &mut Output::default()));
    }
}
