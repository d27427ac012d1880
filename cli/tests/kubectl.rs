//! The real kubectl v1.33 against `hakoniwa serve`: scenario files (cli/tests/scenarios/*.txt)
//! hold commands and the output a real v1.33 cluster gives for them; each scenario runs against
//! a fresh server with a frozen clock and a fixed seed, so the output is exact.
//!
//! Format: `$ COMMAND` lines (run by sh in the scenarios folder, `kubectl` on PATH), an optional
//! heredoc after `<<EOF`, then the expected output (stdout and stderr together) and `[exit N]`
//! when N is not 0. `@ advance 30` moves the simulation clock 30 seconds forward (the control
//! loops act on the way). `HAKONIWA_SCENARIO_UPDATE=1` rewrites the expected output (review the diff!);
//! `HAKONIWA_SCENARIO_ONLY=NAME` runs only the scenarios whose file name contains NAME.
//! Without kubectl (set HAKONIWA_KUBECTL to point elsewhere) the test says so and passes.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hakoniwa_cli::script::{parse, record, render, Step, START};

const DEFAULT_KUBECTL: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";

struct Server {
    child: Child,
    kubeconfig: PathBuf,
    port: u16,
}

/// `@ advance N` moves the server's clock N seconds; `@ speed X` makes it follow wall time X
/// times as fast (for commands that wait, like drain; later output must not show ages);
/// `@ add-node`, `@ stop-node NAME` and `@ start-node NAME` change the machines. Prints
/// nothing when it worked.
fn directive(line: &str, port: u16) -> String {
    let target = if let Some(secs) = line.strip_prefix("@ advance ") {
        format!("/hakoniwa/advance?seconds={secs}")
    } else if line.starts_with("@ preset ") {
        return String::new();
    } else if let Some(x) = line.strip_prefix("@ speed ") {
        format!("/hakoniwa/speed?x={x}")
    } else if line == "@ add-node" {
        "/hakoniwa/nodes".to_string()
    } else if let Some(node) = line.strip_prefix("@ stop-node ") {
        format!("/hakoniwa/nodes/{node}/stop")
    } else if let Some(node) = line.strip_prefix("@ start-node ") {
        format!("/hakoniwa/nodes/{node}/start")
    } else {
        return format!("unknown directive: {line}\n");
    };
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "POST {target} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
    let mut reply = String::new();
    std::io::Read::read_to_string(&mut stream, &mut reply).unwrap();
    if reply.starts_with("HTTP/1.1 200") || reply.starts_with("HTTP/1.1 201") {
        String::new()
    } else {
        format!("advance failed: {reply}\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(dir: &Path, preset: &str) -> Server {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let kubeconfig = dir.join("kubeconfig");
    let child = Command::new(env!("CARGO_BIN_EXE_hakoniwa"))
        .args(["serve", "--port", &port.to_string(), "--speed", "0", "--start", START, "--seed", "1", "--preset", preset])
        .arg("--kubeconfig-out")
        .arg(&kubeconfig)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Server { child, kubeconfig, port }
}

fn run(step: &Step, cwd: &Path, bin: &Path, kubeconfig: &Path) -> String {
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("{} 2>&1", step.command))
        .current_dir(cwd)
        .env("PATH", path)
        .env("KUBECONFIG", kubeconfig)
        .env("HOME", bin)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(body) = &step.stdin {
        child.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    record(step, &String::from_utf8_lossy(&out.stdout), out.status.code().unwrap_or(-1))
}

#[test]
fn real_kubectl_scenarios() {
    let kubectl = PathBuf::from(std::env::var("HAKONIWA_KUBECTL").unwrap_or_else(|_| DEFAULT_KUBECTL.to_string()));
    if !kubectl.exists() {
        eprintln!("kubectl not found at {}: scenarios skipped", kubectl.display());
        return;
    }
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let work = std::env::temp_dir().join(format!("hakoniwa-scenarios-{}", std::process::id()));
    let bin = work.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let link = bin.join("kubectl");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&kubectl, &link).unwrap();
    let update = std::env::var("HAKONIWA_SCENARIO_UPDATE").is_ok();
    let only = std::env::var("HAKONIWA_SCENARIO_ONLY").unwrap_or_default();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&scenarios)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt") && p.file_name().is_some_and(|n| n.to_string_lossy().contains(&only)))
        .collect();
    files.sort();
    let (mut total, mut matched) = (0, 0);
    let mut failures = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let steps = parse(&text, false);
        let dir = work.join(file.file_stem().unwrap());
        std::fs::create_dir_all(&dir).unwrap();
        // `@ preset NAME` on the first line picks the cluster.
        let preset = steps.first().and_then(|s| s.command.strip_prefix("@ preset ")).unwrap_or("kind").to_string();
        let server = start_server(&dir, &preset);
        let outputs: Vec<String> = steps
            .iter()
            .map(|s| if s.is_directive() { directive(&s.command, server.port) } else { run(s, &scenarios, &bin, &server.kubeconfig) })
            .collect();
        drop(server);
        for (s, got) in steps.iter().zip(&outputs) {
            total += 1;
            if hakoniwa_cli::script::matches(s, got) {
                matched += 1;
            } else {
                failures.push(format!("{} $ {}\n--- want\n{}--- got\n{}", file.file_name().unwrap().to_string_lossy(), s.command, s.expected, got));
            }
        }
        if update {
            std::fs::write(&file, render(&steps, &outputs)).unwrap();
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    eprintln!("kubectl scenarios: {matched} of {total} commands match");
    assert!(update || failures.is_empty(), "{}", failures.join("\n"));
}
