//! What the simulated web servers answer: nginx and Apache httpd serving files from their
//! document root (with their own error pages and headers), and the guide's echo server
//! (`amsy810/echo-nginx`), which answers every path with who served it. Each request also gives
//! the access-log line the server writes to its standard output.

use serde::Deserialize;

use crate::kubelet::fs::{normalize, Fs};
use crate::sim::clock::{civil, Timestamp};

/// Which server an image runs, from the image catalog.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HttpServer {
    /// The `Server` header (`nginx/1.27.5`).
    pub server: String,
    pub pages: Pages,
    /// Answers every request with `Host=… Path=… From=…` (echo-nginx).
    #[serde(default)]
    pub echo: bool,
    /// When the image's files were built (`Last-Modified`, `ETag`).
    pub built: String,
    /// Routes requests to Services by Ingress rules (ingress-nginx).
    #[serde(default)]
    pub ingress: bool,
}

/// Whose error pages and header order.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Pages {
    Nginx,
    Apache,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent (`/index.html?x=1`).
    pub target: String,
    /// The Host header (`web:8080`).
    pub host: String,
    pub headers: Vec<(String, String)>,
    pub client_ip: String,
}

impl Request {
    /// The Host header without its port (nginx's `$host`, before lower-casing).
    pub fn host_name(&self) -> &str {
        self.host.rsplit_once(':').filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit())).map_or(self.host.as_str(), |(h, _)| h)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body is not sent (a HEAD request), though Content-Length tells its size.
    pub head_only: bool,
}

impl Response {
    pub fn reason(&self, pages: Pages) -> &'static str {
        match self.status {
            200 => "OK",
            301 => "Moved Permanently",
            400 => "Bad Request",
            403 => "Forbidden",
            404 => "Not Found",
            405 if pages == Pages::Nginx => "Not Allowed",
            405 => "Method Not Allowed",
            502 => "Bad Gateway",
            503 => "Service Temporarily Unavailable",
            _ => "Internal Server Error",
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The status line and headers as sent, each line ending in CRLF, with the empty line.
    pub fn head(&self, pages: Pages) -> String {
        let mut s = format!("HTTP/1.1 {} {}\r\n", self.status, self.reason(pages));
        for (k, v) in &self.headers {
            s.push_str(&format!("{k}: {v}\r\n"));
        }
        s.push_str("\r\n");
        s
    }

    /// The bytes of the body that are sent.
    pub fn sent_body(&self) -> &str {
        if self.head_only {
            ""
        } else {
            &self.body
        }
    }
}

/// What came back on a connection to a server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Served {
    Http { pages: Pages, response: Response, log: String },
    /// The program is not a web server: it closes the connection without an HTTP answer.
    Closed,
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn parts(t: Timestamp) -> (i64, usize, i64, String, &'static str) {
    let rfc = t.rfc3339();
    let days = t.unix_millis().div_euclid(86_400_000);
    let (y, m, d) = civil(days);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    (y, (m as usize).saturating_sub(1).min(11), d, rfc[11..19].to_string(), weekday)
}

/// `Wed, 25 Nov 2026 11:00:00 GMT`
pub fn http_date(t: Timestamp) -> String {
    let (y, m, d, time, wd) = parts(t);
    format!("{wd}, {d:02} {} {y} {time} GMT", MONTHS[m])
}

/// `25/Nov/2026:11:00:00 +0000` (the access log's time)
pub fn log_time(t: Timestamp) -> String {
    let (y, m, d, time, _) = parts(t);
    format!("{d:02}/{}/{y}:{time} +0000", MONTHS[m])
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "txt" => "text/plain",
        "js" => "application/javascript",
        "json" => "application/json",
        "xml" => "text/xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

fn nginx_page(status: u16, reason: &str, server: &str) -> String {
    format!("<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>{server}</center>\r\n</body>\r\n</html>\r\n")
}

fn apache_page(status: u16, reason: &str, text: &str) -> String {
    format!("<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>{status} {reason}</title>\n</head><body>\n<h1>{reason}</h1>\n<p>{text}</p>\n</body></html>\n")
}

/// A server's answer to a request, over the files its container sees (`fs`), and its access log
/// line. `hostname` is the pod's host name (what echo-nginx reports as `From`).
pub fn serve(http: &HttpServer, docroot: Option<&str>, fs: &Fs, hostname: &str, req: &Request, now: Timestamp) -> Served {
    let connection = if req.header("Connection").is_some_and(|c| c.eq_ignore_ascii_case("close")) { "close" } else { "keep-alive" };
    let date = http_date(now);
    let path = req.target.split('?').next().unwrap_or("/").to_string();
    let mut response = if http.echo {
        let host = req.host_name().to_lowercase();
        let body = format!("Host={host}  Path={}  From={hostname}  ClientIP={}  XFF={}\n", req.target, req.client_ip, req.header("X-Forwarded-For").unwrap_or_default());
        Response {
            status: 200,
            headers: vec![
                ("Server".into(), http.server.clone()),
                ("Date".into(), date.clone()),
                ("Content-Type".into(), "application/octet-stream".into()),
                ("Content-Length".into(), body.len().to_string()),
                ("Connection".into(), connection.into()),
                ("Content-Type".into(), "text/plain".into()),
            ],
            body,
            head_only: false,
        }
    } else {
        static_file(http, docroot, fs, req, &path, &date, connection)
    };
    response.head_only = req.method == "HEAD";
    let agent = req.header("User-Agent").unwrap_or("-");
    let request_line = format!("{} {} HTTP/1.1", req.method, req.target);
    let size = response.sent_body().len();
    let log = match http.pages {
        Pages::Nginx => format!("{} - - [{}] \"{request_line}\" {} {size} \"-\" \"{agent}\" \"-\"", req.client_ip, log_time(now), response.status),
        Pages::Apache => format!("{} - - [{}] \"{request_line}\" {} {}", req.client_ip, log_time(now), response.status, if size == 0 { "-".to_string() } else { size.to_string() }),
    };
    Served::Http { pages: http.pages, response, log }
}

/// An nginx error page (`503 Service Temporarily Unavailable`, ...) with nginx's headers.
pub fn nginx_error(server: &str, status: u16, now: Timestamp, connection: &str) -> Response {
    let mut r = Response { status, headers: Vec::new(), body: String::new(), head_only: false };
    let reason = r.reason(Pages::Nginx);
    r.body = nginx_page(status, reason, server);
    r.headers = vec![
        ("Server".into(), server.to_string()),
        ("Date".into(), http_date(now)),
        ("Content-Type".into(), "text/html".into()),
        ("Content-Length".into(), r.body.len().to_string()),
        ("Connection".into(), connection.to_string()),
    ];
    r
}

fn static_file(http: &HttpServer, docroot: Option<&str>, fs: &Fs, req: &Request, path: &str, date: &str, connection: &str) -> Response {
    let nginx = http.pages == Pages::Nginx;
    let error = |status: u16, reason: &str, text: &str, extra: Vec<(String, String)>| {
        let body = if nginx { nginx_page(status, reason, &http.server) } else { apache_page(status, reason, text) };
        let mut headers: Vec<(String, String)> = if nginx {
            vec![("Server".into(), http.server.clone()), ("Date".into(), date.to_string()), ("Content-Type".into(), "text/html".into()), ("Content-Length".into(), body.len().to_string())]
        } else {
            vec![("Date".into(), date.to_string()), ("Server".into(), http.server.clone()), ("Content-Length".into(), body.len().to_string())]
        };
        headers.extend(extra);
        if nginx {
            headers.push(("Connection".into(), connection.to_string()));
        } else {
            headers.push(("Content-Type".into(), "text/html; charset=iso-8859-1".into()));
        }
        Response { status, headers, body, head_only: false }
    };
    if !matches!(req.method.as_str(), "GET" | "HEAD") {
        return error(405, if nginx { "Not Allowed" } else { "Method Not Allowed" }, &format!("The requested method {} is not allowed for this URL.", req.method), vec![]);
    }
    let Some(root) = docroot else { return error(404, "Not Found", "The requested URL was not found on this server.", vec![]) };
    let mut file = normalize(&format!("{root}/{path}"), "/");
    if fs.is_dir(&file) {
        if !path.ends_with('/') {
            // nginx names itself by the Host header without its port, plus its own port.
            let location = format!("http://{}{path}/", req.host_name());
            return error(301, "Moved Permanently", &format!("The document has moved <a href=\"{location}\">here</a>."), vec![("Location".into(), location)]);
        }
        file = format!("{}/index.html", file.trim_end_matches('/'));
        if !fs.is_file(&file) {
            return error(403, "Forbidden", "You don't have permission to access this resource.", vec![]);
        }
    }
    let Ok(body) = fs.read(&file) else { return error(404, "Not Found", "The requested URL was not found on this server.", vec![]) };
    let built = Timestamp::parse_rfc3339(&http.built).unwrap_or_default();
    let modified = http_date(built);
    let etag = format!("\"{:x}-{:x}\"", built.unix_millis() / 1000, body.len());
    let length = body.len().to_string();
    let ctype = content_type(&file).to_string();
    let headers: Vec<(String, String)> = if nginx {
        vec![
            ("Server".into(), http.server.clone()),
            ("Date".into(), date.to_string()),
            ("Content-Type".into(), ctype),
            ("Content-Length".into(), length),
            ("Last-Modified".into(), modified),
            ("Connection".into(), connection.to_string()),
            ("ETag".into(), etag),
            ("Accept-Ranges".into(), "bytes".into()),
        ]
    } else {
        vec![
            ("Date".into(), date.to_string()),
            ("Server".into(), http.server.clone()),
            ("Last-Modified".into(), modified),
            ("ETag".into(), etag),
            ("Accept-Ranges".into(), "bytes".into()),
            ("Content-Length".into(), length),
            ("Content-Type".into(), ctype),
        ]
    };
    Response { status: 200, headers, body: body.to_string(), head_only: false }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nginx() -> HttpServer {
        HttpServer { server: "nginx/1.27.5".into(), pages: Pages::Nginx, echo: false, built: "2025-04-16T12:01:11Z".into(), ingress: false }
    }

    fn get(target: &str) -> Request {
        Request { method: "GET".into(), target: target.into(), host: "web:8080".into(), headers: vec![("User-Agent".into(), "curl/7.88.1".into())], client_ip: "10.244.1.9".into() }
    }

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").unwrap()
    }

    #[test]
    fn nginx_files_errors_and_log() {
        let fs = Fs::with(&[("/usr/share/nginx/html/index.html".into(), "hello\n".into())], &[]);
        let Served::Http { response, log, .. } = serve(&nginx(), Some("/usr/share/nginx/html"), &fs, "web-0", &get("/"), now()) else { panic!() };
        assert_eq!(response.status, 200);
        assert_eq!(response.body, "hello\n");
        assert_eq!(response.header("ETag"), Some("\"67ff9c07-6\""));
        assert_eq!(response.header("Last-Modified"), Some("Wed, 16 Apr 2025 12:01:11 GMT"));
        assert_eq!(response.header("Date"), Some("Wed, 25 Nov 2026 11:00:00 GMT"));
        assert_eq!(log, "10.244.1.9 - - [25/Nov/2026:11:00:00 +0000] \"GET / HTTP/1.1\" 200 6 \"-\" \"curl/7.88.1\" \"-\"");
        let Served::Http { response, .. } = serve(&nginx(), Some("/usr/share/nginx/html"), &fs, "web-0", &get("/nope"), now()) else { panic!() };
        assert_eq!((response.status, response.body.len()), (404, 153));
        assert!(response.head(Pages::Nginx).starts_with("HTTP/1.1 404 Not Found\r\nServer: nginx/1.27.5\r\n"));
        // A directory without its slash: nginx redirects, naming the host without the client's port.
        let fs = Fs::with(&[("/usr/share/nginx/html/docs/index.html".into(), "docs\n".into())], &[]);
        let Served::Http { response, .. } = serve(&nginx(), Some("/usr/share/nginx/html"), &fs, "web-0", &get("/docs"), now()) else { panic!() };
        assert_eq!((response.status, response.header("Location")), (301, Some("http://web/docs/")));
    }

    #[test]
    fn echo_answers_who_served() {
        let echo = HttpServer { echo: true, ..nginx() };
        let Served::Http { response, .. } = serve(&echo, None, &Fs::default(), "sample-deployment-abc", &get("/x?y=1"), now()) else { panic!() };
        assert_eq!(response.body, "Host=web  Path=/x?y=1  From=sample-deployment-abc  ClientIP=10.244.1.9  XFF=\n");
    }
}
