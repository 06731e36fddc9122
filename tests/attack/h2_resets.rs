//! HTTP/2 "rapid reset": a client opening streams and resetting them at once, in a loop, reconnecting whenever
//! the server sends it away. orgd's CPU over the attack (utime + stime from /proc) must stay under one core, and
//! `/livez` must keep answering within a second.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::net::TcpStream;

use crate::{assert_served, Server};

const ATTACK: Duration = Duration::from_secs(6);
/// Resets per second each of the two attackers keeps to. Unpaced, an attacker's speed is the speed of the core it
/// gets, and orgd spends its other core answering: on a quiet 2-core machine 37 000 resets a second took 1.01 cores
/// of the debug build (about 50 µs a reset; 0.2–0.4 cores when other work slowed the attacker). A fixed pace makes
/// the figure orgd's cost per reset, whatever else runs. What this does not bound: a faster attacker still gets a
/// core's worth of answers, as a flood of plain requests would (docs/operations.md, "Under attack").
const RESETS_PER_SEC: f64 = 4_000.0;

/// CPU seconds the process has used so far.
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    let out = std::process::Command::new("getconf").arg("CLK_TCK").output().unwrap();
    ticks / String::from_utf8_lossy(&out.stdout).trim().parse::<f64>().unwrap_or(100.0)
}

/// Opens and resets streams until `until`; returns how many it reset and how many connections it needed.
async fn reset_loop(addr: SocketAddr, until: Instant) -> (u64, u64) {
    let (mut streams, mut connections) = (0, 0);
    let started = Instant::now();
    while Instant::now() < until {
        let Ok(tcp) = TcpStream::connect(addr).await else { continue };
        let Ok((mut client, conn)) = h2::client::handshake(tcp).await else { continue };
        connections += 1;
        tokio::spawn(conn);
        while Instant::now() < until {
            client = match client.ready().await {
                Ok(c) => c,
                Err(_) => break,
            };
            let req = http::Request::get(format!("http://{addr}/api/v2/users/me")).body(()).unwrap();
            let Ok((_answer, mut stream)) = client.send_request(req, false) else { break };
            // Let the connection task put the HEADERS frame on the wire first: a stream reset before that is
            // dropped by the client and never reaches the server.
            tokio::task::yield_now().await;
            stream.send_reset(h2::Reason::CANCEL);
            streams += 1;
            if streams as f64 > started.elapsed().as_secs_f64() * RESETS_PER_SEC {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    }
    (streams, connections)
}

#[tokio::test]
async fn resetting_streams_in_a_loop_stays_under_one_core() {
    let server = Server::start("ulimit -Sn 1024", &[]);
    let pid = server.p.child.id();
    let before = cpu_secs(pid);
    let started = Instant::now();
    let attackers: Vec<_> = (0..2).map(|_| tokio::spawn(reset_loop(server.addr(), started + ATTACK))).collect();
    tokio::time::sleep(ATTACK / 2).await;
    assert_served(server.addr(), "during the reset loop").await;
    let (mut streams, mut connections) = (0, 0);
    for a in attackers {
        let (s, c) = a.await.unwrap();
        (streams, connections) = (streams + s, connections + c);
    }
    let (cpu, wall) = (cpu_secs(pid) - before, started.elapsed().as_secs_f64());
    println!(
        "HTTP/2 reset loop: {streams} streams reset on {connections} connections in {wall:.1} s; orgd used \
         {cpu:.2} s of CPU ({:.2} cores, {:.0} µs a reset)",
        cpu / wall,
        cpu * 1e6 / streams.max(1) as f64
    );
    assert!(streams as f64 > 1.5 * RESETS_PER_SEC * wall, "the attack kept its pace: {streams} resets in {wall:.1} s");
    assert!(cpu / wall < 1.0, "orgd used {:.2} cores", cpu / wall);
    assert_served(server.addr(), "after the reset loop").await;
}
