//! BusyBox `wget` (1.36): `-q`, `-O FILE` (`-O-` for standard output), `-T SECONDS`, `-U`,
//! `--spider`. Status and the progress bar go to standard error; without `-O` the body is saved
//! under the URL's last path part (`index.html`), never over an existing file.

use super::{resolve, ConnError, Lookup, Net, Place, Ran, Url};
use crate::kubelet::fs::normalize;
use crate::network::http::{Request, Served};

#[derive(Default)]
struct Opts {
    quiet: bool,
    output: Option<String>,
    timeout: Option<f64>,
    agent: Option<String>,
    spider: bool,
    headers: Vec<(String, String)>,
    url: Option<String>,
}

const USAGE: &str = "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n\nRetrieve files via HTTP or FTP\n";

fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        let value = |inline: &str, i: &mut usize| -> Result<String, String> {
            if !inline.is_empty() {
                return Ok(inline.to_string());
            }
            let v = args.get(*i).cloned().ok_or_else(|| USAGE.to_string())?;
            *i += 1;
            Ok(v)
        };
        match a.as_str() {
            "--spider" => o.spider = true,
            "--quiet" => o.quiet = true,
            s if s.starts_with("--output-document") => o.output = Some(value(s.split_once('=').map_or("", |(_, v)| v), &mut i)?),
            s if s.starts_with("--timeout") => o.timeout = value(s.split_once('=').map_or("", |(_, v)| v), &mut i)?.parse().ok(),
            s if s.starts_with("--user-agent") => o.agent = Some(value(s.split_once('=').map_or("", |(_, v)| v), &mut i)?),
            s if s.starts_with("--header") => {
                let h = value(s.split_once('=').map_or("", |(_, v)| v), &mut i)?;
                if let Some((k, v)) = h.split_once(':') {
                    o.headers.push((k.trim().to_string(), v.trim().to_string()));
                }
            }
            s if s.starts_with("--") => return Err(format!("wget: unrecognized option '{s}'\n{USAGE}")),
            s if s.len() > 1 && s.starts_with('-') => {
                let chars: Vec<char> = s[1..].chars().collect();
                for (k, &c) in chars.iter().enumerate() {
                    let rest: String = chars[k + 1..].iter().collect();
                    match c {
                        'q' => o.quiet = true,
                        'c' | 'S' => {}
                        'O' => {
                            o.output = Some(value(&rest, &mut i)?);
                            break;
                        }
                        'T' => {
                            o.timeout = value(&rest, &mut i)?.parse().ok();
                            break;
                        }
                        'U' => {
                            o.agent = Some(value(&rest, &mut i)?);
                            break;
                        }
                        _ => return Err(format!("wget: invalid option -- '{c}'\n{USAGE}")),
                    }
                }
            }
            _ => o.url = Some(a.clone()),
        }
    }
    Ok(o)
}

/// BusyBox's five-character sizes.
fn size5(n: usize) -> String {
    if n < 100_000 {
        format!("{n:>5}")
    } else if n < 10_000 * 1024 {
        format!("{:>4}k", n / 1024)
    } else {
        format!("{:>4}M", n / (1024 * 1024))
    }
}

fn bar(name: &str, size: usize, tty: bool) -> String {
    let line = format!("{:<20.20} 100% |{}| {}  0:00:00 ETA\n", name, "*".repeat(32), size5(size));
    if tty {
        format!("\r{line}")
    } else {
        line
    }
}

pub fn run(net: &mut dyn Net, place: &mut Place, args: &[String]) -> Ran {
    let mut ran = Ran::default();
    let o = match parse(args) {
        Ok(o) => o,
        Err(e) => {
            ran.err(e);
            return ran.exit(1);
        }
    };
    let Some(raw) = o.url.clone() else {
        ran.err(USAGE);
        return ran.exit(1);
    };
    let Some(url) = Url::parse(&raw) else {
        ran.err(format!("wget: not an http or ftp url: {raw}\n"));
        return ran.exit(1);
    };
    let ip = match resolve(net, place, &url.host) {
        Lookup::Found(ips) => ips[0].to_string(),
        other => {
            if other == Lookup::NoServer {
                ran.took += 10.0;
            }
            ran.err(format!("wget: bad address '{}'\n", url.host));
            return ran.exit(1);
        }
    };
    if !o.quiet {
        ran.err(format!("Connecting to {} ({ip}:{})\n", url.host_header(), url.port));
    }
    let mut headers = vec![
        ("Host".to_string(), url.host_header()),
        ("User-Agent".to_string(), o.agent.clone().unwrap_or_else(|| "Wget".into())),
        ("Connection".to_string(), "close".to_string()),
    ];
    // `--header 'Host: x'` replaces the Host header, as it does any other.
    for (k, v) in &o.headers {
        super::set_header(&mut headers, k, v);
    }
    let host = headers[0].1.clone();
    let req = Request { method: "GET".into(), target: url.target.clone(), host, headers, client_ip: String::new() };
    let served = match net.http(&ip, url.port, &req) {
        Ok(s) => s,
        Err(ConnError::Refused) => {
            ran.err(format!("wget: can't connect to remote host ({ip}): Connection refused\n"));
            return ran.exit(1);
        }
        Err(ConnError::Timeout) => {
            match o.timeout {
                Some(t) => {
                    ran.took += t;
                    ran.err("wget: download timed out\n");
                }
                None => {
                    ran.took += 130.0;
                    ran.err(format!("wget: can't connect to remote host ({ip}): Connection timed out\n"));
                }
            }
            return ran.exit(1);
        }
    };
    let Served::Http { pages, response, .. } = served else {
        ran.err("wget: error getting response: Connection reset by peer\n");
        return ran.exit(1);
    };
    ran.took += 0.001;
    if response.status >= 400 {
        ran.err(format!("wget: server returned error: HTTP/1.1 {} {}\n", response.status, response.reason(pages)));
        return ran.exit(1);
    }
    if o.spider {
        if !o.quiet {
            ran.err("remote file exists\n");
        }
        return ran;
    }
    let body = response.body.clone();
    match o.output.as_deref() {
        Some("-") => {
            if !o.quiet {
                ran.err("writing to stdout\n");
            }
            ran.out(body.clone());
            if !o.quiet {
                ran.err(bar("-", body.len(), place.tty));
                ran.err("written to stdout\n");
            }
        }
        named => {
            let file = named.map(str::to_string).unwrap_or_else(|| {
                let path = url.target.split('?').next().unwrap_or("/");
                Some(path.rsplit('/').next().unwrap_or_default()).filter(|n| !n.is_empty()).unwrap_or("index.html").to_string()
            });
            let path = normalize(&file, place.cwd);
            if named.is_none() && place.fs.exists(&path) {
                ran.err(format!("wget: can't open '{file}': File exists\n"));
                return ran.exit(1);
            }
            if let Err(e) = place.fs.write(&path, &body, false) {
                ran.err(format!("wget: can't open '{file}': {}\n", e.text()));
                return ran.exit(1);
            }
            if !o.quiet {
                ran.err(format!("saving to '{file}'\n"));
                ran.err(bar(&file, body.len(), place.tty));
                ran.err(format!("'{file}' saved\n"));
            }
        }
    }
    ran
}

#[cfg(test)]
mod tests {
    use super::super::testing::run_line;

    #[test]
    fn stdout_files_and_errors() {
        let (out, code) = run_line("wget -qO- http://web:8080", false, false);
        assert_eq!(code, 0);
        assert!(out.starts_with("hello from 10.244."));
        let (out, _) = run_line("wget -O- web:8080", false, false);
        assert!(out.starts_with("Connecting to web:8080 (10.96.23.49:8080)\nwriting to stdout\nhello from "), "{out}");
        assert!(out.ends_with("-                    100% |********************************|    22  0:00:00 ETA\nwritten to stdout\n"), "{out}");
        let (out, code) = run_line("wget web:8080/", true, false);
        assert_eq!(code, 0);
        assert!(out.ends_with("saving to 'index.html'\n\rindex.html           100% |********************************|    22  0:00:00 ETA\n'index.html' saved\n"), "{out:?}");
        assert_eq!(run_line("wget -q nosuch", false, false), ("wget: bad address 'nosuch'\n".into(), 1));
        assert_eq!(run_line("wget -q empty", false, false), ("wget: can't connect to remote host (10.96.5.5): Connection refused\n".into(), 1));
        assert_eq!(run_line("wget -qO- web:8080/x", false, false), ("wget: server returned error: HTTP/1.1 404 Not Found\n".into(), 1));
        assert_eq!(run_line("wget -q -T 2 web", false, false), ("wget: download timed out\n".into(), 1));
        // BusyBox's --spider asks with GET, and says the file is there.
        let mut net = super::super::testing::FakeNet::new();
        assert_eq!(super::super::testing::run_on(&mut net, "wget --spider web:8080", false, false).1, 0);
        assert_eq!(net.methods, ["GET"]);
    }
}
