//! One connection from accept to close: the TLS handshake within its limit, the first byte within the header
//! deadline (hyper's own header timer starts only once it reads, and telling HTTP/2 from HTTP/1.1 comes before),
//! the request headers within the header deadline from there (hyper's `header_read_timeout`, which also bounds
//! the wait for the next request on a kept-alive HTTP/1.1 connection), and a watchdog that closes a connection
//! gracefully when it made no request within the header deadline or stayed quiet past the keep-alive limit.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use super::gate::Ticket;
use super::io::{sniff, Activity, Tracked};
use super::Limits;
use crate::app::Peer;

/// What every connection task shares.
pub struct Shared {
    pub app: Router,
    pub limits: Limits,
    pub tls: Option<TlsAcceptor>,
    /// Turns true on shutdown: finish the request in flight, then close.
    pub stopped: watch::Receiver<bool>,
}

/// HTTP/2 bounds besides the concurrent streams: h2 already refuses a peer that resets more than 20 streams it
/// has not yet accepted (`max_pending_accept_reset_streams`, the "rapid reset" guard) and hyper closes one that
/// provokes 1 024 resets (`max_local_error_reset_streams`); both are set here so that an upgrade cannot change
/// them silently.
const H2_PENDING_ACCEPT_RESETS: usize = 20;
const H2_LOCAL_ERROR_RESETS: usize = 1024;
/// HTTP/1.1 read buffer: a request line and header section past this get 431 from hyper.
const H1_READ_BUFFER: usize = 64 * 1024;

/// Serves one connection; the ticket holds its place under the caps until it closes.
pub async fn run(shared: Arc<Shared>, stream: TcpStream, peer: SocketAddr, _ticket: Ticket) {
    let _ = stream.set_nodelay(true);
    // Each stage is boxed only once it is reached, so that a connection still waiting for its first bytes (what
    // an idle attacker holds) costs a small task rather than one sized for a TLS session or an HTTP connection.
    match &shared.tls {
        None => plain(&shared, stream, peer).await,
        Some(acceptor) => Box::pin(tls(&shared, acceptor, stream, peer)).await,
    }
}

async fn plain(shared: &Shared, mut stream: TcpStream, peer: SocketAddr) {
    // The header deadline counts from here: reading the first bytes is part of it.
    let activity = Activity::new();
    match tokio::time::timeout(shared.limits.header, sniff(&mut stream)).await {
        Ok(Some((h2, seen))) => Box::pin(serve(shared, Tracked::new(seen, stream, activity), h2, peer)).await,
        Ok(None) => {}
        Err(_) => tracing::debug!(%peer, "closed: nothing sent within the header deadline"),
    }
}

async fn tls(shared: &Shared, acceptor: &TlsAcceptor, stream: TcpStream, peer: SocketAddr) {
    match tokio::time::timeout(shared.limits.handshake, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => {
            let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
            // The header deadline counts from the end of the handshake, which had its own limit.
            Box::pin(serve(shared, Tracked::new(Vec::new(), tls, Activity::new()), h2, peer)).await
        }
        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
    }
}

async fn serve<I>(shared: &Shared, io: Tracked<I>, h2: bool, peer: SocketAddr)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = io.activity();
    let app = shared.app.clone();
    let seen = activity.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        seen.request_started();
        req.extensions_mut().insert(ConnectInfo(Peer(peer)));
        app.clone().oneshot(req.map(axum::body::Body::new))
    });
    let io = TokioIo::new(io);
    let limits = &shared.limits;
    if h2 {
        let mut builder = http2::Builder::new(TokioExecutor::new());
        builder
            .timer(TokioTimer::new())
            .max_concurrent_streams(limits.h2_streams)
            .max_pending_accept_reset_streams(H2_PENDING_ACCEPT_RESETS)
            .max_local_error_reset_streams(H2_LOCAL_ERROR_RESETS)
            .max_header_list_size(crate::router::MAX_HEADER_BYTES as u32);
        watch(builder.serve_connection(io, service), shared, &activity).await;
    } else {
        let mut builder = http1::Builder::new();
        // The read buffer bounds what a connection may make orgd hold while its headers arrive (hyper's default is
        // ~400 KiB; the router refuses more than 32 KiB of headers and 8 KiB of target anyway).
        builder.timer(TokioTimer::new()).header_read_timeout(limits.header).max_buf_size(H1_READ_BUFFER);
        watch(builder.serve_connection(io, service), shared, &activity).await;
    }
}

/// A hyper connection that can be asked to finish its request in flight and close.
trait Graceful: std::future::Future {
    fn close_gracefully(self: Pin<&mut Self>);
}

/// What hyper asks of a response body.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<I, S, B> Graceful for http1::Connection<I, S>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin,
    S: hyper::service::HttpService<Incoming, ResBody = B>,
    S::Error: Into<BoxError>,
    B: hyper::body::Body + 'static,
    B::Error: Into<BoxError>,
{
    fn close_gracefully(self: Pin<&mut Self>) {
        self.graceful_shutdown();
    }
}

impl<I, S, B, E> Graceful for http2::Connection<I, S, E>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin,
    S: hyper::service::HttpService<Incoming, ResBody = B>,
    S::Error: Into<BoxError>,
    B: hyper::body::Body + 'static,
    B::Error: Into<BoxError>,
    E: hyper::rt::bounds::Http2ServerConnExec<S::Future, B>,
{
    fn close_gracefully(self: Pin<&mut Self>) {
        self.graceful_shutdown();
    }
}

/// Drives `conn` to its end. A connection that has made no request yet is dropped on shutdown or at the header
/// deadline (hyper's graceful close would wait for a request that is not coming); one that has is closed
/// gracefully, its request in flight answered first, on shutdown or after the keep-alive limit of quiet.
async fn watch<C: Graceful>(conn: C, shared: &Shared, activity: &Activity) {
    tokio::pin!(conn);
    let mut stopped = shared.stopped.clone();
    let (header, idle) = (shared.limits.header, shared.limits.keep_alive);
    let mut closing = false;
    loop {
        let due = if activity.has_requested() { activity.last() + idle } else { activity.opened() + header };
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = stopped.wait_for(|s| *s), if !closing => {
                if !activity.has_requested() {
                    return;
                }
                conn.as_mut().close_gracefully();
                closing = true;
            }
            _ = tokio::time::sleep_until(Instant::from_std(due)), if !closing => {
                if !activity.has_requested() {
                    tracing::debug!("closed: no complete request within the header deadline");
                    return;
                }
                if activity.last() + idle <= std::time::Instant::now() {
                    conn.as_mut().close_gracefully();
                    closing = true;
                }
            }
        }
    }
}
