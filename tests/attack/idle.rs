//! The defaults against 3 000 connections that never send a byte, with the soft descriptor limit at 1 024.

use std::time::Duration;

use crate::{assert_served, closed_after, open_idle, Server};

#[tokio::test]
async fn three_thousand_idle_connections_on_defaults() {
    let server = Server::start("ulimit -Sn 1024", &[]);
    let raised = server.lines("file descriptor limit");
    assert!(raised.iter().any(|l| l.contains("soft_before=1024")), "the limit is logged: {raised:?}");
    assert!(!raised.iter().any(|l| l.contains("soft_now=1024 ")), "and raised: {raised:?}");
    let idle = open_idle(server.addr(), "127.0.0.1", 3000).await;
    assert_served(server.addr(), "3 000 idle connections open").await;
    // The default header deadline is 10 s: every silent connection is closed then, none much earlier.
    let waits = idle.into_iter().map(|(s, at)| tokio::spawn(closed_after(s, at, Duration::from_secs(13))));
    let mut times = Vec::new();
    for w in waits {
        times.push(w.await.unwrap().expect("an idle connection still open 13 s after it was opened"));
    }
    let (min, max) = (times.iter().min().unwrap(), times.iter().max().unwrap());
    println!("3 000 idle connections closed between {min:?} and {max:?} after opening");
    assert!(*min >= Duration::from_secs(9), "closed before the 10 s default: {min:?}");
    assert_served(server.addr(), "after the idle connections").await;
}
