//! `hakoniwa serve`: the core API handler behind HTTP on 127.0.0.1, with the simulation clock
//! following wall time (times `--speed`) and watches streamed as chunked JSON.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use hakoniwa_core::apiserver::{Method, Request as CoreRequest, Response as CoreResponse, ResponseBody};
use hakoniwa_core::cluster::Preset;
use hakoniwa_core::{Cluster, Timestamp};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::StreamExt;

use crate::args::ServeArgs;

/// The body limit, one byte over the API server's, so it can answer 413 itself.
const BODY_LIMIT: usize = hakoniwa_core::apiserver::decode::MAX_BODY_BYTES + 1;
/// How often a watch asks the cluster for new events.
const WATCH_POLL: Duration = Duration::from_millis(100);
/// How often the clock moves.
const TICK: Duration = Duration::from_millis(100);
/// A watch without `timeoutSeconds` ends after this long (kube-apiserver: 30 to 60 minutes).
const DEFAULT_WATCH_TIMEOUT: Duration = Duration::from_secs(1800);

type Body = BoxBody<Bytes, Infallible>;
/// The cluster and how fast its clock follows wall time (changed through /hakoniwa/speed).
struct State {
    cluster: Mutex<Cluster>,
    /// Speed as f64 bits.
    speed: AtomicU64,
}

type Shared = Arc<State>;

fn wall_now() -> Timestamp {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    Timestamp::from_unix_millis(ms)
}

pub fn run(args: ServeArgs) -> ExitCode {
    let preset = match Preset::builtin(&args.preset) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let context = preset.context.clone();
    let start = match &args.start {
        Some(t) => match Timestamp::parse_rfc3339(t) {
            Some(t) => t,
            None => {
                eprintln!("error: --start: not an RFC 3339 time: {t}");
                return ExitCode::from(2);
            }
        },
        None => wall_now(),
    };
    let cluster = match Cluster::boot(preset, args.seed, start) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(path) = &args.kubeconfig_out {
        if let Err(e) = std::fs::write(path, crate::kubeconfig::render(&context, args.port)) {
            eprintln!("error: writing {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let shared: Shared = Arc::new(State { cluster: Mutex::new(cluster), speed: AtomicU64::new(args.speed.to_bits()) });
    rt.block_on(async move {
        let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
        let listener = match TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: listening on {addr}: {e}");
                return ExitCode::FAILURE;
            }
        };
        eprintln!("Hakoniwa: Kubernetes v1.33 API (simulated) on http://{addr} (context {context}, speed {}x)", args.speed);
        tokio::spawn(run_clock(shared.clone()));
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(s) => s,
                Err(_) => continue,
            };
            let shared = shared.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req| handle(shared.clone(), req));
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
            });
        }
    })
}

/// Moves virtual time with wall time.
async fn run_clock(shared: Shared) {
    let mut last = Instant::now();
    loop {
        tokio::time::sleep(TICK).await;
        let now = Instant::now();
        let elapsed = now.duration_since(last);
        last = now;
        let speed = f64::from_bits(shared.speed.load(Ordering::Relaxed));
        if speed <= 0.0 {
            continue;
        }
        let ms = (elapsed.as_secs_f64() * 1000.0 * speed) as i64;
        if let Ok(mut c) = shared.cluster.lock() {
            c.advance(hakoniwa_core::Duration::from_millis(ms));
        }
    }
}

fn full(bytes: Vec<u8>) -> Body {
    Full::new(Bytes::from(bytes)).boxed()
}

fn to_hyper(resp: CoreResponse) -> Response<Body> {
    let mut b = Response::builder().status(StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    for (k, v) in &resp.headers {
        if k.starts_with("x-hakoniwa-") {
            continue;
        }
        b = b.header(k.as_str(), v.as_str());
    }
    let body = resp.body_bytes();
    b.body(full(body)).unwrap_or_else(|_| Response::new(full(Vec::new())))
}

/// The simulator's own control path (not part of the Kubernetes API): `POST
/// /hakoniwa/advance?seconds=N` moves virtual time and answers with the new time.
const ADVANCE_PATH: &str = "/hakoniwa/advance";

fn advance(shared: &Shared, query: Option<&str>) -> Response<Body> {
    let secs = query.into_iter().flat_map(|q| q.split('&')).find_map(|kv| kv.strip_prefix("seconds=")).and_then(|v| v.parse::<f64>().ok());
    let reply = |code: u16, text: String| Response::builder().status(code).header("content-type", "text/plain").body(full(text.into_bytes())).unwrap_or_else(|_| Response::new(full(Vec::new())));
    let Some(secs) = secs.filter(|s| s.is_finite() && *s >= 0.0 && *s <= 86_400.0 * 366.0) else {
        return reply(400, "seconds: a number of seconds from 0 to one year is required\n".to_string());
    };
    match shared.cluster.lock() {
        Ok(mut c) => {
            c.advance(hakoniwa_core::Duration::from_secs_f64(secs));
            reply(200, format!("{}\n", c.now().rfc3339()))
        }
        Err(_) => reply(500, "cluster lock poisoned\n".to_string()),
    }
}

/// `POST /hakoniwa/speed?x=N`: the clock follows wall time N times as fast (0 stops it).
const SPEED_PATH: &str = "/hakoniwa/speed";

fn set_speed(shared: &Shared, query: Option<&str>) -> Response<Body> {
    let x = query.into_iter().flat_map(|q| q.split('&')).find_map(|kv| kv.strip_prefix("x=")).and_then(|v| v.parse::<f64>().ok());
    let reply = |code: u16, text: String| Response::builder().status(code).header("content-type", "text/plain").body(full(text.into_bytes())).unwrap_or_else(|_| Response::new(full(Vec::new())));
    match x.filter(|x| x.is_finite() && (0.0..=10_000.0).contains(x)) {
        Some(x) => {
            shared.speed.store(x.to_bits(), Ordering::Relaxed);
            reply(200, format!("{x}\n"))
        }
        None => reply(400, "x: a speed from 0 to 10000 is required\n".to_string()),
    }
}

/// `POST /hakoniwa/nodes` adds a node shaped by the preset and answers with its name;
/// `POST /hakoniwa/nodes/NAME/stop` and `.../start` stop and start its kubelet.
const NODES_PATH: &str = "/hakoniwa/nodes";

fn nodes(shared: &Shared, path: &str) -> Response<Body> {
    let reply = |code: u16, text: String| Response::builder().status(code).header("content-type", "text/plain").body(full(text.into_bytes())).unwrap_or_else(|_| Response::new(full(Vec::new())));
    let Ok(mut c) = shared.cluster.lock() else {
        return reply(500, "cluster lock poisoned\n".to_string());
    };
    let rest = path.strip_prefix(NODES_PATH).unwrap_or_default();
    if rest.is_empty() {
        return match c.add_node() {
            Ok(name) => reply(201, format!("{name}\n")),
            Err(e) => reply(409, format!("{e}\n")),
        };
    }
    let parts: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let done = match parts.as_slice() {
        [name, "stop"] => c.stop_node(name),
        [name, "start"] => c.start_node(name),
        _ => return reply(404, "use POST /hakoniwa/nodes, /hakoniwa/nodes/NAME/stop or /hakoniwa/nodes/NAME/start\n".to_string()),
    };
    if done {
        reply(200, format!("{}\n", parts[0]))
    } else {
        reply(404, format!("node {:?} not found\n", parts[0]))
    }
}

async fn handle(shared: Shared, req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    if req.uri().path().starts_with(NODES_PATH) && req.method() == hyper::Method::POST {
        return Ok(nodes(&shared, req.uri().path()));
    }
    if req.uri().path() == ADVANCE_PATH && req.method() == hyper::Method::POST {
        return Ok(advance(&shared, req.uri().query()));
    }
    if req.uri().path() == SPEED_PATH && req.method() == hyper::Method::POST {
        return Ok(set_speed(&shared, req.uri().query()));
    }
    let method = Method::parse(req.method().as_str()).unwrap_or(Method::Options);
    let target = req.uri().path_and_query().map_or_else(|| req.uri().path().to_string(), |pq| pq.as_str().to_string());
    let mut core = CoreRequest::new(method, &target);
    for (k, v) in req.headers() {
        if let Ok(v) = v.to_str() {
            core = core.with_header(k.as_str(), v);
        }
    }
    let body = match Limited::new(req.into_body(), BODY_LIMIT).collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(_) => vec![0; BODY_LIMIT],
    };
    if !body.is_empty() {
        let ct = core.header("content-type").unwrap_or("application/json").to_string();
        core = core.with_bytes(&ct, body);
    }
    let is_watch = matches!(method, Method::Get) && core.param("watch").is_some_and(|w| w.is_empty() || w == "true" || w == "1");
    let resp = match shared.cluster.lock() {
        Ok(mut c) => c.handle(&core),
        Err(_) => return Ok(Response::builder().status(500).body(full(b"cluster lock poisoned".to_vec())).unwrap_or_else(|_| Response::new(full(Vec::new())))),
    };
    if is_watch && resp.status == 200 {
        return Ok(stream_watch(shared, core, resp));
    }
    Ok(to_hyper(resp))
}

fn event_bytes(resp: &CoreResponse) -> Vec<u8> {
    match &resp.body {
        ResponseBody::Events(_) => resp.body_bytes(),
        _ => Vec::new(),
    }
}

fn ended_with_error(resp: &CoreResponse) -> bool {
    matches!(&resp.body, ResponseBody::Events(es) if es.last().is_some_and(|e| e.kind == "ERROR"))
}

/// Streams a watch: the first response's events now, then whatever happens later, until the
/// client goes away or the watch times out.
fn stream_watch(shared: Shared, first_req: CoreRequest, first: CoreResponse) -> Response<Body> {
    let (tx, rx) = mpsc::channel::<Vec<u8>>(64);
    let timeout = first_req.param("timeoutSeconds").and_then(|t| t.parse::<u64>().ok()).map_or(DEFAULT_WATCH_TIMEOUT, Duration::from_secs);
    let mut rv = first.header("x-hakoniwa-resource-version").unwrap_or("0").to_string();
    let initial = event_bytes(&first);
    let done = ended_with_error(&first);
    tokio::spawn(async move {
        if !initial.is_empty() && tx.send(initial).await.is_err() {
            return;
        }
        if done {
            return;
        }
        let started = Instant::now();
        while started.elapsed() < timeout {
            tokio::time::sleep(WATCH_POLL).await;
            if tx.is_closed() {
                return;
            }
            // Later polls: only changes, no repeated headers or bookmarks.
            let mut next = first_req.clone();
            next.query.retain(|(k, _)| !matches!(k.as_str(), "resourceVersion" | "sendInitialEvents" | "allowWatchBookmarks" | "noHeaders" | "resourceVersionMatch"));
            next.query.push(("resourceVersion".into(), rv.clone()));
            next.query.push(("noHeaders".into(), "true".into()));
            let resp = match shared.cluster.lock() {
                Ok(mut c) => c.api().handle(&next),
                Err(_) => return,
            };
            if let Some(v) = resp.header("x-hakoniwa-resource-version") {
                rv = v.to_string();
            }
            let bytes = event_bytes(&resp);
            if !bytes.is_empty() && tx.send(bytes).await.is_err() {
                return;
            }
            if ended_with_error(&resp) {
                return;
            }
        }
    });
    let stream = ReceiverStream::new(rx).map(|b| Ok::<_, Infallible>(Frame::data(Bytes::from(b))));
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(BodyExt::boxed(StreamBody::new(stream)))
        .unwrap_or_else(|_| Response::new(full(Vec::new())))
}
