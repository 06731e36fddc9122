//! Each deadline, set short: silent connections, headers that trickle in, an HTTP/2 preface with no request, a
//! kept-alive HTTP/1.1 connection between requests, an idle HTTP/2 connection, a TLS handshake that never starts.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{closed_after, livez_on, open_idle, Server};

const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

fn assert_within(what: &str, took: Option<Duration>, low: f64, high: f64) {
    let took = took.unwrap_or_else(|| panic!("{what}: still open"));
    println!("{what}: closed after {} ms", took.as_millis());
    assert!(took.as_secs_f64() >= low && took.as_secs_f64() <= high, "{what}: closed after {took:?}");
}

#[tokio::test]
async fn every_connection_is_held_to_its_deadline() {
    let env = [("ORGD_HEADER_TIMEOUT_SECS", "2"), ("ORGD_KEEP_ALIVE_TIMEOUT_SECS", "3")];
    let server = Server::start("ulimit -Sn 1024", &env);
    let addr = server.addr();
    let wait = Duration::from_secs(6);
    let (silent, at) = open_idle(addr, "127.0.0.1", 1).await.pop().unwrap();
    let silent = tokio::spawn(closed_after(silent, at, wait));
    let trickle = tokio::spawn(trickle(addr, wait));
    let mut h2 = TcpStream::connect(addr).await.unwrap();
    h2.write_all(H2_PREFACE).await.unwrap();
    let h2 = tokio::spawn(closed_after(h2, Instant::now(), wait));
    let mut kept = TcpStream::connect(addr).await.unwrap();
    assert!(livez_on(&mut kept).await.contains("200"));
    let kept = tokio::spawn(closed_after(kept, Instant::now(), wait));
    assert_within("silent", silent.await.unwrap(), 1.8, 3.0);
    assert_within("trickling headers", trickle.await.unwrap(), 1.8, 3.0);
    assert_within("HTTP/2 preface without a request", h2.await.unwrap(), 1.8, 3.0);
    assert_within("HTTP/1.1 kept alive after a request", kept.await.unwrap(), 1.8, 3.0);
    assert_within("HTTP/2 quiet after a request", h2_quiet(addr, wait).await, 2.8, 4.5);
}

/// Sends a request's headers one line every 300 ms, forever; how long until the server closed.
async fn trickle(addr: std::net::SocketAddr, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    let (mut read, mut write) = TcpStream::connect(addr).await.unwrap().into_split();
    let writer = tokio::spawn(async move {
        let _ = write.write_all(b"GET /livez HTTP/1.1\r\nHost: orgd\r\n").await;
        while write.write_all(b"X-Slow: 1\r\n").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });
    let mut buf = [0u8; 1024];
    let read_all = async {
        loop {
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => return started.elapsed(),
                Ok(_) => {}
            }
        }
    };
    let closed = tokio::time::timeout(within, read_all).await.ok();
    writer.abort();
    closed
}

/// An HTTP/2 connection that makes one request and then stays quiet: how long after the answer it is closed.
async fn h2_quiet(addr: std::net::SocketAddr, within: Duration) -> Option<Duration> {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let (mut client, conn) = h2::client::handshake(tcp).await.unwrap();
    let conn = tokio::spawn(conn);
    let req = http::Request::get(format!("http://{addr}/livez")).body(()).unwrap();
    let (answer, _) = client.send_request(req, true).unwrap();
    let answer = answer.await.unwrap();
    assert_eq!(answer.status(), 200);
    let mut body = answer.into_body();
    while body.data().await.is_some() {}
    let at = Instant::now();
    let closed = tokio::time::timeout(within, conn).await.ok().map(|_| at.elapsed());
    drop(client);
    closed
}

#[tokio::test]
async fn a_tls_handshake_that_never_starts_is_cut_off() {
    let env = [("ORGD_TLS", "self-signed"), ("ORGD_TLS_HANDSHAKE_TIMEOUT_SECS", "2")];
    let server = Server::start("ulimit -Sn 1024", &env);
    let (silent, at) = open_idle(server.addr(), "127.0.0.1", 1).await.pop().unwrap();
    assert_within("TLS, nothing sent", closed_after(silent, at, Duration::from_secs(6)).await, 1.8, 3.0);
}
