//! `hakoniwa`: native subcommands around the simulated cluster.
//!
//!   hakoniwa serve [--port 6443] [--preset kind] [--seed N] [--speed X] [--kubeconfig-out PATH]
//!   hakoniwa script FILE|-
//!   hakoniwa lessons check [--dir lessons] [ID ...]

mod args;
mod kubeconfig;
mod serve;

use std::io::Read;
use std::process::ExitCode;

use hakoniwa_cli::script;

fn usage() -> &'static str {
    "Usage:\n  hakoniwa serve [--port 6443] [--preset kind] [--seed N] [--speed X] [--start RFC3339] [--kubeconfig-out PATH]\n  hakoniwa script FILE|-   run kubectl commands (one per line, heredocs, `# advance 30s`, `# preset kind`, `# seed 7`) against an in-process cluster\n  hakoniwa lessons check [--dir lessons] [ID ...]   run lessons' solutions from their start state and say what does not hold\n"
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match argv.first().map(String::as_str) {
        Some("serve") => match args::ServeArgs::parse(&argv[1..]) {
            Ok(a) => serve::run(a),
            Err(e) => {
                eprintln!("error: {e}\n{}", usage());
                ExitCode::from(2)
            }
        },
        Some("script") => run_script(argv.get(1).map(String::as_str)),
        Some("lessons") if argv.get(1).map(String::as_str) == Some("check") => {
            let mut dir = std::path::PathBuf::from("lessons");
            let mut only = Vec::new();
            let mut rest = argv[2..].iter();
            while let Some(a) = rest.next() {
                match a.as_str() {
                    "--dir" => dir = rest.next().map(Into::into).unwrap_or(dir),
                    _ => only.push(a.clone()),
                }
            }
            if hakoniwa_cli::lessons::check(&dir, &only) { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        Some("-h" | "--help" | "help") | None => {
            print!("{}", usage());
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("error: unknown command {other:?}\n{}", usage());
            ExitCode::from(2)
        }
    }
}

/// `hakoniwa script FILE|-`: each command as `$ COMMAND`, then what the browser terminal would
/// show, then `[exit N]` when N is not 0.
fn run_script(path: Option<&str>) -> ExitCode {
    let Some(path) = path else {
        eprintln!("error: hakoniwa script needs a file (or - for standard input)\n{}", usage());
        return ExitCode::from(2);
    };
    let mut text = String::new();
    let read = if path == "-" { std::io::stdin().read_to_string(&mut text).map(|_| ()) } else { std::fs::read_to_string(path).map(|t| text = t) };
    if let Err(e) = read {
        eprintln!("error: reading {path}: {e}");
        return ExitCode::FAILURE;
    }
    let steps = script::parse(&text, true);
    let (preset, seed) = script::preset_and_seed(&steps);
    let mut session = match script::Session::boot(&preset, seed) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if path != "-" {
        if let Some(dir) = std::path::Path::new(path).parent() {
            session.load_files(if dir.as_os_str().is_empty() { std::path::Path::new(".") } else { dir });
        }
    }
    let outputs: Vec<String> = steps.iter().map(|s| session.step(s)).collect();
    let shown: Vec<(script::Step, String)> = steps.into_iter().zip(outputs).filter(|(s, o)| !s.is_directive() || !o.is_empty()).collect();
    let (steps, outputs): (Vec<_>, Vec<_>) = shown.into_iter().unzip();
    print!("{}", script::render(&steps, &outputs));
    ExitCode::SUCCESS
}
