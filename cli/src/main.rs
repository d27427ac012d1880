//! `hakoniwa`: native subcommands around the simulated cluster.
//!
//!   hakoniwa serve [--port 6443] [--preset kind] [--seed N] [--speed X] [--kubeconfig-out PATH]

mod args;
mod kubeconfig;
mod serve;

use std::process::ExitCode;

fn usage() -> &'static str {
    "Usage:\n  hakoniwa serve [--port 6443] [--preset kind] [--seed N] [--speed X] [--start RFC3339] [--kubeconfig-out PATH]\n"
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
