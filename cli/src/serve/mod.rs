//! `journey serve`: one engine behind the vendors' HTTP APIs (docs/http.md).
//!
//! - [`cxone`]: the NICE CXone Agent API (agent sessions, custom events, get-next-event);
//! - [`genesys`]: the Genesys Cloud journey API (sessions, events, app events);
//! - [`orchestration`]: Genesys' journey management routes for segments, outcomes and action maps;
//! - [`estimates`]: Genesys' action map estimate jobs; [`explain`]: libjourney's own explanation of
//!   why an action map did or did not fire in a session;
//! - [`external`]: Genesys Journey Management's external events, each configuration mapped onto the
//!   catalog;
//! - [`ingest`]: libjourney's own `POST /events`;
//! - [`tokens`]: the token file and each token's grant; [`auth`]: the caller of a request, from its
//!   bearer token; [`error`]: the JSON errors and their statuses;
//! - [`pipeline`]: what every request goes through around the routes, [`cors`] among it;
//!   [`connections`]: the cap on
//!   open connections and the backoff of a failing `accept`.
//!
//! Connections are served by hyper's HTTP/1 server directly (not `axum::serve`) for its header-read
//! timeout, which runs from the moment a connection opens or finishes a response: a client that
//! sends nothing, sends its headers too slowly, or keeps an idle keep-alive connection, is closed
//! after `--header-timeout`. (hyper-util's auto builder is not used: it waits for a first byte to
//! tell HTTP/1 from HTTP/2, without a timeout, so a silent connection was never closed.)

mod auth;
mod connections;
mod cors;
mod cxone;
mod deployments;
mod erase;
mod error;
mod estimates;
mod explain;
mod external;
mod genesys;
mod ingest;
mod orchestration;
mod params;
mod pipeline;
mod specs;
mod state;
mod tls;
mod tokens;

use crate::Exit;
use crate::open::EngineArgs;
use anyhow::{Context, Result};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use connections::{Activity, Backoff, Connections};
use error::ApiError;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use pipeline::Pipeline;
use state::{Shared, State};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};

/// How long requests in flight get to finish after Ctrl-C.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Arguments of `journey serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// The token file: `{"tokens": {"<token>": {"viewer"?, "agentId"?, "sendCustomEvents"?, "ingest"?,
    /// "orchestration"?}}}`.
    #[arg(long, value_name = "FILE")]
    tokens: PathBuf,
    /// Address to listen on; port 0 picks a free one (the address is printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The largest request body accepted; larger is 413.
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    max_body_bytes: usize,
    /// A PEM certificate chain: serve HTTPS instead of HTTP (with `--tls-key`).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of `--tls-cert`.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Seconds a client may take to send a request's headers, counted from when the connection
    /// opens or its previous response was sent; a connection silent that long is closed.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    header_timeout: u64,
    /// Seconds a whole request may take (408 after); keep it above 60, the longest long poll.
    #[arg(long, value_name = "SECONDS", default_value_t = 75, value_parser = clap::value_parser!(u64).range(1..))]
    request_timeout: u64,
    /// The most connections open at once; over it, a new connection replaces the one idle longest,
    /// or waits in the listen backlog while every connection has a request in progress
    /// [default: ¾ of the open-file limit, at most 16384].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_connections: Option<u64>,
    /// An origin whose web pages may call the server (`https://agent.example.com`; repeat for
    /// more, `*` for any): its preflights are answered and its answers carry
    /// `Access-Control-Allow-Origin`. None by default: browsers then refuse cross-origin calls.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// The session type Genesys app events are filed under (the catalog must define it; an open
    /// one, `"open": true`, takes app event names it does not declare).
    #[arg(long, value_name = "TYPE", default_value = "app")]
    app_session_type: String,
    /// A Genesys deployment whose app events are taken without a token, as Genesys' public
    /// route takes them: `ID[,type=SESSION_TYPE][,origin=ORIGIN]...` (its session type, else
    /// --app-session-type; the origins whose pages may send them, else any). Repeat for more.
    #[arg(long = "app-deployment", value_name = "SPEC")]
    app_deployments: Vec<String>,
    /// A Genesys external events configuration whose events are taken, each as an event of the
    /// catalog: `ID,type=SESSION_TYPE,event=EVENT_NAME[,session=ATTRIBUTE]` (the attribute whose
    /// value is the session's external id; the customer's id when not given). Repeat for more.
    #[arg(long = "external-events", value_name = "SPEC")]
    external_events: Vec<String>,
    /// App events a second each client address may send to a deployment without a token
    /// (bursts of twice as many); past it, 429.
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    app_rate_limit: u32,
}

/// Runs `journey serve` until Ctrl-C or SIGTERM.
pub fn run(args: ServeArgs) -> Result<Exit> {
    let deployments = deployments::Deployments::parse(&args.app_deployments, cors::parse_origin)?;
    let external_events = external::Configurations::parse(&args.external_events)?;
    let cors = cors::Cors::new(&args.cors_origins, deployments.clone())?;
    let tokens = tokens::Tokens::load(&args.tokens)?;
    let engine = Arc::new(args.engine.open()?);
    deployments.check(engine.catalog())?;
    external_events.check(engine.catalog())?;
    let state = Arc::new(State {
        engine: engine.clone(),
        tokens,
        app_session_type: args.app_session_type,
        deployments,
        app_rate: deployments::RateLimit::new(args.app_rate_limit),
        external_events,
        definition_writes: Default::default(),
        estimate_jobs: Default::default(),
    });
    let pipeline = Pipeline {
        router: router(state, args.max_body_bytes),
        request_timeout: Duration::from_secs(args.request_timeout),
        max_body_bytes: args.max_body_bytes,
        cors,
    };
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(tls::acceptor(cert, key)?),
        _ => None,
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let listen = Listen {
        addr: args.listen,
        tls,
        header_timeout: Duration::from_secs(args.header_timeout.max(1)),
        max_connections: args
            .max_connections
            .map_or_else(connections::default_cap, |n| usize::try_from(n).unwrap_or(usize::MAX)),
    };
    runtime.block_on(serve(pipeline, listen))?;
    drop(runtime);
    engine.close()?;
    Ok(Exit::Done)
}

/// Every route, with JSON answers for unknown paths and methods (the pipeline gives every other
/// error the JSON form).
fn router(state: Shared, max_body_bytes: usize) -> Router {
    Router::new()
        .merge(cxone::routes())
        .merge(genesys::routes())
        .merge(ingest::routes())
        .merge(orchestration::routes())
        .merge(estimates::routes())
        .merge(explain::routes())
        .merge(external::routes())
        .merge(erase::routes())
        .fallback(|| async { ApiError::not_found("no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "INVALID_ARGUMENT", "this route does not take that method")
        })
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(state)
}

/// Ctrl-C (SIGINT), or SIGTERM as a service manager or `kill` sends it.
async fn stop_signal() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let terminated = async {
        match terminate.as_mut() {
            Some(signal) => {
                signal.recv().await;
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminated => {}
    }
}

/// Where and how to accept connections.
struct Listen {
    addr: SocketAddr,
    /// HTTPS when set.
    tls: Option<tokio_rustls::TlsAcceptor>,
    /// How long a client may take to send a request's headers (and, for HTTPS, the handshake),
    /// from when the connection opens or its previous response was sent.
    header_timeout: Duration,
    /// The most connections open at once.
    max_connections: usize,
}

/// Accepts connections until Ctrl-C or SIGTERM, then gives requests in flight [`SHUTDOWN_GRACE`] to finish.
async fn serve(pipeline: Pipeline, listen: Listen) -> Result<()> {
    let Listen { addr, tls, header_timeout, max_connections } = listen;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("listening on {scheme}://{}", listener.local_addr()?);
    let connections = Connections::new(max_connections);
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop_signal());
    let mut backoff = Backoff::default();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    backoff.succeeded();
                    (stream, peer)
                }
                // Out of file descriptors (or a reset): retrying at once would fail again at once.
                Err(error) => {
                    let pause = backoff.failed(&error);
                    tokio::select! {
                        () = tokio::time::sleep(pause) => continue,
                        () = &mut stop => break,
                    }
                }
            },
            () = &mut stop => break,
        };
        let place = tokio::select! {
            place = connections.admit() => place,
            () = &mut stop => break,
        };
        let connection = Connection { pipeline: pipeline.clone(), header_timeout, watcher: graceful.watcher(), peer };
        let tls = tls.clone();
        tokio::spawn(async move {
            let activity = place.activity();
            match tls {
                None => connection.serve(stream, activity).await,
                // The handshake happens in the connection's own task, bounded like the headers, so
                // a client that stalls it holds up nobody else.
                Some(acceptor) => {
                    let handshake = tokio::time::timeout(header_timeout, acceptor.accept(stream));
                    tokio::select! {
                        shaken = handshake => if let Ok(Ok(stream)) = shaken {
                            connection.serve(stream, activity).await;
                        },
                        () = activity.evicted() => {}
                    }
                }
            }
            drop(place);
        });
    }
    eprintln!("journey serve: stopping");
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
    Ok(())
}

/// What serves one accepted connection.
struct Connection {
    pipeline: Pipeline,
    header_timeout: Duration,
    watcher: Watcher,
    /// The client's address, for the routes that limit a rate per client.
    peer: SocketAddr,
}

/// The address a request came from, in its extensions.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub SocketAddr);

impl Connection {
    /// Serves HTTP/1.1 on `io` until the client closes, the header timeout closes it, Ctrl-C
    /// ends it, or it is closed to make room for a new connection while idle.
    async fn serve<I: AsyncRead + AsyncWrite + Unpin + Send + 'static>(self, io: I, activity: Arc<Activity>) {
        let Connection { pipeline, header_timeout, watcher, peer } = self;
        let requests = activity.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ClientAddr(peer));
            let in_progress = requests.request();
            let pipeline = pipeline.clone();
            async move {
                let response = pipeline.answer(request).await;
                drop(in_progress);
                Ok::<_, Infallible>(response)
            }
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.timer(TokioTimer::new()).header_read_timeout(header_timeout);
        let connection = watcher.watch(builder.serve_connection(TokioIo::new(io), service));
        tokio::select! {
            _ = connection => {}
            () = activity.evicted() => {}
        }
    }
}
