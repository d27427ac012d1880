//! Command-line flags of `hakoniwa serve`.

use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq)]
pub struct ServeArgs {
    pub port: u16,
    pub preset: String,
    pub seed: u64,
    /// How many simulated seconds pass per wall-clock second.
    pub speed: f64,
    pub kubeconfig_out: Option<PathBuf>,
    /// Where virtual time starts (RFC 3339); wall time when absent.
    pub start: Option<String>,
}

impl ServeArgs {
    pub fn parse(argv: &[String]) -> Result<ServeArgs, String> {
        let mut a = ServeArgs { port: 6443, preset: "kind".into(), seed: 1, speed: 1.0, kubeconfig_out: None, start: None };
        let mut i = 0;
        while i < argv.len() {
            let (flag, inline) = match argv[i].split_once('=') {
                Some((f, v)) => (f.to_string(), Some(v.to_string())),
                None => (argv[i].clone(), None),
            };
            let mut value = || -> Result<String, String> {
                if let Some(v) = inline.clone() {
                    return Ok(v);
                }
                i += 1;
                argv.get(i).cloned().ok_or_else(|| format!("flag needs an argument: {flag}"))
            };
            match flag.as_str() {
                "--port" => a.port = value()?.parse().map_err(|_| "invalid --port".to_string())?,
                "--preset" => a.preset = value()?,
                "--seed" => a.seed = value()?.parse().map_err(|_| "invalid --seed".to_string())?,
                "--speed" => {
                    a.speed = value()?.parse().map_err(|_| "invalid --speed".to_string())?;
                    if !(a.speed >= 0.0 && a.speed.is_finite()) {
                        return Err("--speed must be 0 (a frozen clock) or a positive number".into());
                    }
                }
                "--kubeconfig-out" => a.kubeconfig_out = Some(PathBuf::from(value()?)),
                "--start" => a.start = Some(value()?),
                other => return Err(format!("unknown flag: {other}")),
            }
            i += 1;
        }
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &[&str]) -> Result<ServeArgs, String> {
        ServeArgs::parse(&s.iter().map(|x| x.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn flags() {
        let a = parse(&["--port", "7000", "--seed=7", "--speed", "10", "--kubeconfig-out", "/tmp/k"]).unwrap();
        assert_eq!((a.port, a.seed, a.speed), (7000, 7, 10.0));
        assert!(parse(&["--nope"]).is_err());
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--speed", "-1"]).is_err());
        assert_eq!(parse(&["--speed", "0", "--start", "2026-11-25T11:00:00Z"]).unwrap().start.as_deref(), Some("2026-11-25T11:00:00Z"));
    }
}
