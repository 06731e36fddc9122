//! The connection's byte stream as hyper sees it: the bytes read to tell HTTP/2 from HTTP/1.1 handed back
//! first, and every read and write recorded, so that the connection's watchdog knows when it last saw traffic.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};

/// The client preface every HTTP/2 connection without TLS starts with.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// When a connection last moved bytes, and whether it has made a request yet.
pub struct Activity {
    epoch: Instant,
    last_ms: AtomicU64,
    requested: AtomicBool,
}

impl Activity {
    pub fn new() -> Arc<Activity> {
        Arc::new(Activity { epoch: Instant::now(), last_ms: AtomicU64::new(0), requested: AtomicBool::new(false) })
    }

    fn touch(&self) {
        self.last_ms.store(self.epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
    }

    pub fn request_started(&self) {
        self.requested.store(true, Ordering::Relaxed);
        self.touch();
    }

    pub fn has_requested(&self) -> bool {
        self.requested.load(Ordering::Relaxed)
    }

    /// When the connection was opened.
    pub fn opened(&self) -> Instant {
        self.epoch
    }

    /// When the last bytes moved.
    pub fn last(&self) -> Instant {
        self.epoch + Duration::from_millis(self.last_ms.load(Ordering::Relaxed))
    }
}

/// Reads the connection's first bytes until they are, or cannot be, the HTTP/2 preface. `None` if the client
/// closed first.
pub async fn sniff<I: AsyncRead + Unpin>(io: &mut I) -> Option<(bool, Vec<u8>)> {
    let mut seen = Vec::with_capacity(H2_PREFACE.len());
    while seen.len() < H2_PREFACE.len() && H2_PREFACE.starts_with(&seen) {
        let mut chunk = [0u8; 24];
        let want = H2_PREFACE.len() - seen.len();
        match io.read(&mut chunk[..want]).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => seen.extend_from_slice(&chunk[..n]),
        }
    }
    Some((seen == H2_PREFACE, seen))
}

/// A stream with some already-read bytes put back in front, recording its traffic in an [`Activity`].
pub struct Tracked<I> {
    prefix: Vec<u8>,
    pos: usize,
    io: I,
    activity: Arc<Activity>,
}

impl<I> Tracked<I> {
    pub fn new(prefix: Vec<u8>, io: I, activity: Arc<Activity>) -> Self {
        Tracked { prefix, pos: 0, io, activity }
    }

    pub fn activity(&self) -> Arc<Activity> {
        self.activity.clone()
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Tracked<I> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.pos < this.prefix.len() {
            let n = buf.remaining().min(this.prefix.len() - this.pos);
            buf.put_slice(&this.prefix[this.pos..this.pos + n]);
            this.pos += n;
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        let res = Pin::new(&mut this.io).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.activity.touch();
        }
        res
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Tracked<I> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let res = Pin::new(&mut self.io).poll_write(cx, data);
        if matches!(res, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        res
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let res = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        if matches!(res, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        res
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_preface_is_told_apart_and_handed_back() {
        let mut h2 = H2_PREFACE;
        assert_eq!(sniff(&mut h2).await, Some((true, H2_PREFACE.to_vec())));
        assert_eq!(sniff(&mut &b"PR"[..]).await, None, "closed inside the preface");
        let request = b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n";
        let mut h1 = &request[..];
        let (is_h2, seen) = sniff(&mut h1).await.unwrap();
        assert!(!is_h2 && !seen.is_empty());
        let mut t = Tracked::new(seen, h1, Activity::new());
        let mut all = Vec::new();
        t.read_to_end(&mut all).await.unwrap();
        assert_eq!(all, request);
    }
}
