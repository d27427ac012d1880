//! `curl` as Debian bookworm ships it (7.88.1): the body on standard output; the progress meter
//! on standard error unless `-s` or the body goes to a terminal; `curl: (N) …` errors with
//! curl's exit codes; `-v`, `-i`, `-I`, `-o`, `-w`, `-f`, `-m`, `--connect-timeout`, `-H`,
//! `-X`, `-A`.

use super::{resolve, ConnError, Lookup, Net, Place, Ran, Url};
use crate::kubelet::fs::normalize;
use crate::network::http::{Request, Served};

const VERSION: &str = "7.88.1";
const TRY: &str = "curl: try 'curl --help' or 'curl --manual' for more information\n";

#[derive(Default)]
struct Opts {
    silent: bool,
    show_error: bool,
    verbose: bool,
    head: bool,
    include: bool,
    fail: bool,
    output: Option<String>,
    write_out: Option<String>,
    max_time: Option<f64>,
    connect_timeout: Option<f64>,
    headers: Vec<(String, String)>,
    method: Option<String>,
    agent: Option<String>,
    data: Option<String>,
    url: Option<String>,
}

/// Options that take a value, short and long.
fn takes_value(short: char) -> bool {
    matches!(short, 'o' | 'w' | 'm' | 'H' | 'X' | 'A' | 'd' | 'u' | 'e' | 'x')
}

fn long_to_short(long: &str) -> Option<char> {
    Some(match long {
        "silent" => 's',
        "show-error" => 'S',
        "verbose" => 'v',
        "head" => 'I',
        "include" => 'i',
        "fail" => 'f',
        "location" => 'L',
        "insecure" => 'k',
        "output" => 'o',
        "write-out" => 'w',
        "max-time" => 'm',
        "header" => 'H',
        "request" => 'X',
        "user-agent" => 'A',
        "data" | "data-raw" | "data-binary" => 'd',
        "user" => 'u',
        "referer" => 'e',
        "proxy" => 'x',
        _ => return None,
    })
}

fn set(o: &mut Opts, c: char, value: Option<String>) -> Result<(), String> {
    let v = value.unwrap_or_default();
    let secs = |v: &str| v.parse::<f64>().map_err(|_| "curl: option : expected a proper numerical parameter\n".to_string());
    match c {
        's' => o.silent = true,
        'S' => o.show_error = true,
        'v' => o.verbose = true,
        'I' => o.head = true,
        'i' => o.include = true,
        'f' => o.fail = true,
        'L' | 'k' | 'u' | 'e' | 'x' => {}
        'o' => o.output = Some(v),
        'w' => o.write_out = Some(v),
        'm' => o.max_time = Some(secs(&v)?),
        'H' => {
            if let Some((k, val)) = v.split_once(':') {
                o.headers.push((k.trim().to_string(), val.trim().to_string()));
            }
        }
        'X' => o.method = Some(v),
        'A' => o.agent = Some(v),
        'd' => o.data = Some(v),
        _ => return Err(format!("curl: option -{c}: is unknown\n{TRY}")),
    }
    Ok(())
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            if name == "connect-timeout" {
                let v = inline.or_else(|| args.get(i).cloned()).ok_or_else(|| format!("curl: option --{name}: requires parameter\n{TRY}"))?;
                i += 1;
                o.connect_timeout = Some(v.parse().map_err(|_| format!("curl: option --{name}: expected a proper numerical parameter\n{TRY}"))?);
                continue;
            }
            let Some(c) = long_to_short(name) else { return Err(format!("curl: option --{name}: is unknown\n{TRY}")) };
            let value = if takes_value(c) {
                let v = inline.or_else(|| args.get(i).cloned()).ok_or_else(|| format!("curl: option --{name}: requires parameter\n{TRY}"))?;
                i += 1;
                Some(v)
            } else {
                None
            };
            set(&mut o, c, value).map_err(|e| e.replace("option :", &format!("option --{name}:")))?;
        } else if a.len() > 1 && a.starts_with('-') {
            let chars: Vec<char> = a[1..].chars().collect();
            for (k, &c) in chars.iter().enumerate() {
                if takes_value(c) {
                    let rest: String = chars[k + 1..].iter().collect();
                    let v = if rest.is_empty() {
                        let v = args.get(i).cloned().ok_or_else(|| format!("curl: option -{c}: requires parameter\n{TRY}"))?;
                        i += 1;
                        v
                    } else {
                        rest
                    };
                    set(&mut o, c, Some(v)).map_err(|e| e.replace("option :", &format!("option -{c}:")))?;
                    break;
                }
                set(&mut o, c, None)?;
            }
        } else {
            o.url = Some(a.clone());
        }
    }
    Ok(o)
}

/// curl's five-character sizes and speeds (`  615`, `600k`, `12.3M`).
fn size5(n: u64) -> String {
    const K: u64 = 1024;
    if n < 100_000 {
        format!("{n:>5}")
    } else if n < 10_000 * K {
        format!("{:>4}k", n / K)
    } else if n < 100 * K * K {
        format!("{:>2}.{}M", n / (K * K), (n % (K * K)) / (K * K / 10))
    } else {
        format!("{:>4}M", n / (K * K))
    }
}

/// A progress meter line (`\r` first).
fn meter_line(total: u64, got: u64) -> String {
    let pct = (got * 100).checked_div(total).unwrap_or(0);
    // The transfer took a millisecond.
    let speed = size5(got * 1000);
    let none = "--:--:--";
    format!("\r{pct:>3} {}  {pct:>3} {}  {:>3} {}  {speed}  {} {none} {none} {none} {speed}", size5(total), size5(got), 0, size5(0), size5(0))
}

const METER_HEAD: &str = "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed\n";

#[allow(clippy::too_many_arguments)]
fn write_out(fmt: &str, code: u16, ip: &str, port: i64, size: usize, ctype: &str, url: &str, ran: &mut Ran) -> String {
    let mut s = String::new();
    let mut rest = fmt;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("%{") {
            let Some(end) = r.find('}') else {
                s.push_str(rest);
                break;
            };
            match &r[..end] {
                "http_code" | "response_code" => s.push_str(&format!("{code:03}")),
                "remote_ip" => s.push_str(ip),
                "remote_port" => s.push_str(&port.to_string()),
                "size_download" => s.push_str(&size.to_string()),
                "content_type" => s.push_str(ctype),
                "url_effective" | "url" => s.push_str(url),
                "time_total" | "time_connect" | "time_starttransfer" => s.push_str("0.001000"),
                other => ran.err(format!("curl: unknown --write-out variable: '{other}'\n")),
            }
            rest = &r[end + 1..];
        } else if let Some(r) = rest.strip_prefix("\\n") {
            s.push('\n');
            rest = r;
        } else if let Some(r) = rest.strip_prefix("\\t") {
            s.push('\t');
            rest = r;
        } else {
            let c = rest.chars().next().unwrap_or_default();
            s.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    s
}

pub fn run(net: &mut dyn Net, place: &mut Place, args: &[String]) -> Ran {
    let mut ran = Ran::default();
    let o = match parse(args) {
        Ok(o) => o,
        Err(e) => {
            ran.err(e);
            return ran.exit(2);
        }
    };
    let Some(raw) = o.url.clone() else {
        ran.err(format!("curl: no URL specified!\n{TRY}"));
        return ran.exit(2);
    };
    let show_error = !o.silent || o.show_error;
    // The write-out comes after the error too (`%{http_code}` is 000 without a response).
    let write_fmt = o.write_out.clone();
    let fail = |mut ran: Ran, code: i64, text: String| {
        if show_error {
            ran.err(format!("curl: ({code}) {text}\n"));
        }
        if let Some(fmt) = &write_fmt {
            let text = write_out(fmt, 0, "", 0, 0, "", &raw, &mut ran);
            ran.out(text);
        }
        ran.exit(code)
    };
    let scheme = raw.split_once("://").map(|(s, _)| s.to_string());
    let Some(url) = Url::parse(&raw) else {
        return match scheme.filter(|s| !matches!(s.to_ascii_lowercase().as_str(), "http" | "https")) {
            Some(s) => fail(ran, 1, format!("Protocol \"{s}\" not supported or disabled in libcurl")),
            None => fail(ran, 3, "URL using bad/illegal format or missing URL".into()),
        };
    };
    let to_file = o.output.as_deref().is_some_and(|f| f != "-");
    let meter = !o.silent && (to_file || !place.tty);
    if meter {
        ran.err(METER_HEAD);
        ran.err(meter_line(0, 0));
    }
    let end_meter = |ran: &mut Ran| {
        if meter {
            ran.err("\n");
        }
    };
    let ip = match resolve(net, place, &url.host) {
        Lookup::Found(ips) => ips[0].to_string(),
        other => {
            if other == Lookup::NoServer {
                ran.took += 10.0;
            }
            end_meter(&mut ran);
            if o.verbose {
                ran.err(format!("* Could not resolve host: {}\n* Closing connection 0\n", url.host));
            }
            return fail(ran, 6, format!("Could not resolve host: {}", url.host));
        }
    };
    if o.verbose {
        ran.err(format!("*   Trying {ip}:{}...\n", url.port));
    }
    let method = o.method.clone().unwrap_or_else(|| if o.head { "HEAD".into() } else if o.data.is_some() { "POST".into() } else { "GET".into() });
    let mut headers = vec![("Host".to_string(), url.host_header()), ("User-Agent".to_string(), o.agent.clone().unwrap_or_else(|| format!("curl/{VERSION}"))), ("Accept".to_string(), "*/*".to_string())];
    for (k, v) in &o.headers {
        super::set_header(&mut headers, k, v);
    }
    if let Some(d) = &o.data {
        headers.push(("Content-Length".into(), d.len().to_string()));
        headers.push(("Content-Type".into(), "application/x-www-form-urlencoded".into()));
    }
    let host = headers[0].1.clone();
    let req = Request { method: method.clone(), target: url.target.clone(), host, headers: headers.clone(), client_ip: String::new() };
    let served = net.http(&ip, url.port, &req);
    let served = match served {
        Err(ConnError::Refused) => {
            if o.verbose {
                ran.err(format!("* connect to {ip} port {} failed: Connection refused\n* Failed to connect to {} port {} after 2 ms: Couldn't connect to server\n* Closing connection 0\n", url.port, url.host, url.port));
            }
            end_meter(&mut ran);
            ran.took += 0.002;
            return fail(ran, 7, format!("Failed to connect to {} port {} after 2 ms: Couldn't connect to server", url.host, url.port));
        }
        Err(ConnError::Timeout) => {
            let limit = [o.connect_timeout, o.max_time].into_iter().flatten().reduce(f64::min);
            end_meter(&mut ran);
            return match limit {
                Some(secs) => {
                    ran.took += secs;
                    let ms = (secs * 1000.0) as i64 + 1;
                    fail(ran, 28, format!("Failed to connect to {} port {} after {ms} ms: Timeout was reached", url.host, url.port))
                }
                None => {
                    // The kernel gives up on an unanswered connection after about 130 s.
                    ran.took += 130.0;
                    fail(ran, 28, format!("Failed to connect to {} port {} after 130001 ms: Couldn't connect to server", url.host, url.port))
                }
            };
        }
        Ok(s) => s,
    };
    if o.verbose {
        ran.err(format!("* Connected to {} ({ip}) port {} (#0)\n", url.host, url.port));
        ran.err(format!("> {method} {} HTTP/1.1\r\n", url.target));
        for (k, v) in &headers {
            ran.err(format!("> {k}: {v}\r\n"));
        }
        ran.err("> \r\n");
    }
    if url.scheme == "https" {
        end_meter(&mut ran);
        return fail(ran, 35, "error:0A00010B:SSL routines::wrong version number".into());
    }
    let Served::Http { pages, response, .. } = served else {
        end_meter(&mut ran);
        if o.verbose {
            ran.err("* Empty reply from server\n* Closing connection 0\n");
        }
        return fail(ran, 52, "Empty reply from server".into());
    };
    let head = response.head(pages);
    if o.verbose {
        for line in head.split_inclusive("\r\n") {
            ran.err(format!("< {line}"));
        }
    }
    let failed = o.fail && response.status >= 400;
    let body = if failed { "" } else { response.sent_body() };
    let mut stdout = String::new();
    if (o.include || o.head) && !failed {
        stdout.push_str(&head);
    }
    stdout.push_str(body);
    if o.verbose && !place.tty && !body.is_empty() {
        ran.err(format!("{{ [{} bytes data]\n", body.len()));
    }
    match o.output.as_deref() {
        Some("/dev/null") => {}
        Some(f) if f != "-" => {
            let path = normalize(f, place.cwd);
            if place.fs.write(&path, &stdout, false).is_err() {
                end_meter(&mut ran);
                return fail(ran, 23, "Failure writing output to destination".to_string());
            }
        }
        _ => ran.out(stdout),
    }
    if meter {
        let size = response.body.len() as u64;
        ran.err(meter_line(size, if o.head { 0 } else { size }));
        ran.err("\n");
    }
    if o.verbose {
        ran.err(format!("* Connection #0 to host {} left intact\n", url.host));
    }
    ran.took += 0.001;
    if failed {
        if show_error {
            ran.err(format!("curl: (22) The requested URL returned error: {}\n", response.status));
        }
        if let Some(fmt) = &o.write_out {
            let text = write_out(fmt, response.status, &ip, url.port, 0, "", &raw, &mut ran);
            ran.out(text);
        }
        return ran.exit(22);
    }
    if let Some(fmt) = &o.write_out {
        let ctype = response.header("Content-Type").unwrap_or_default().to_string();
        let text = write_out(fmt, response.status, &ip, url.port, body.len(), &ctype, &raw, &mut ran);
        ran.out(text);
    }
    ran
}

#[cfg(test)]
mod tests {
    use super::super::testing::run_line;
    use super::*;

    #[test]
    fn bodies_meters_and_errors() {
        let (out, code) = run_line("curl -s web:8080", true, false);
        assert_eq!(code, 0);
        assert!(out.starts_with("hello from 10.244."), "{out}");
        let (out, _) = run_line("curl http://web.default.svc.cluster.local:8080/", false, false);
        assert!(out.starts_with(METER_HEAD), "{out}");
        assert!(out.ends_with("\r100    22  100    22    0     0  22000      0 --:--:-- --:--:-- --:--:-- 22000\n"), "{out:?}");
        assert_eq!(run_line("curl -s -o /dev/null -w %{http_code} web:8080/x", false, false), ("404".into(), 0));
        assert_eq!(run_line("curl -sf web:8080/x", false, false), ("".into(), 22));
        assert_eq!(run_line("curl -s -o /dev/null -w %{http_code} empty", false, false), ("000".into(), 7));
        assert_eq!(run_line("curl -sf -o /dev/null -w %{http_code} web:8080/x", false, false), ("404".into(), 22));
        assert_eq!(run_line("curl -sSf web:8080/x", false, false), ("curl: (22) The requested URL returned error: 404\n".into(), 22));
        assert_eq!(run_line("curl -s nosuch", false, false), ("".into(), 6));
        assert_eq!(run_line("curl -sS nosuch", false, false).0, "curl: (6) Could not resolve host: nosuch\n");
        assert_eq!(run_line("curl -sS empty", true, false), ("curl: (7) Failed to connect to empty port 80 after 2 ms: Couldn't connect to server\n".into(), 7));
        assert_eq!(run_line("curl -sS -m 3 web", true, false), ("curl: (28) Failed to connect to web port 80 after 3001 ms: Timeout was reached\n".into(), 28));
        assert_eq!(run_line("curl -Z web", true, false), (format!("curl: option -Z: is unknown\n{TRY}"), 2));
        let (head, _) = run_line("curl -sI web:8080", true, false);
        assert!(head.starts_with("HTTP/1.1 200 OK\r\nServer: nginx/1.27.5\r\n") && head.ends_with("\r\n\r\n"), "{head:?}");
    }

    #[test]
    fn sizes() {
        assert_eq!(size5(615), "  615");
        assert_eq!(size5(615_000), " 600k");
        assert_eq!(size5(12_900_000), "12.3M");
    }
}
