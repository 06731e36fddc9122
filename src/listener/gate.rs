//! The connection cap: a total (a semaphore of permits) and a share per client address, so that neither one
//! client nor many exhaust the descriptors the database, mail and files need, and a client already connected
//! keeps being served. Trusted proxies carry many clients and are held only to the total.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::Networks;

/// Open connections per client address.
type Counts = Arc<Mutex<HashMap<IpAddr, usize>>>;

pub struct Gate {
    open: Arc<Semaphore>,
    max_open: usize,
    per_address: usize,
    by_address: Counts,
    trusted: Networks,
}

/// One admitted connection; dropping it frees its place.
pub struct Ticket {
    _permit: OwnedSemaphorePermit,
    address: Option<(IpAddr, Counts)>,
}

impl Gate {
    pub fn new(max_open: usize, per_address: usize, trusted: Networks) -> Gate {
        let max_open = max_open.clamp(1, u32::MAX as usize);
        let open = Arc::new(Semaphore::new(max_open));
        Gate { open, max_open, per_address, by_address: Arc::default(), trusted }
    }

    /// A place for a new connection from `ip`, or `None` when the total or the address's share is used up.
    pub fn admit(&self, ip: IpAddr) -> Option<Ticket> {
        let permit = self.open.clone().try_acquire_owned().ok()?;
        if self.trusted.contains(&ip) {
            return Some(Ticket { _permit: permit, address: None });
        }
        let mut counts = self.by_address.lock().unwrap_or_else(|e| e.into_inner());
        let n = counts.entry(ip).or_insert(0);
        if *n >= self.per_address {
            return None;
        }
        *n += 1;
        Some(Ticket { _permit: permit, address: Some((ip, self.by_address.clone())) })
    }

    /// Resolves once every admitted connection has closed.
    pub async fn all_closed(&self) {
        let _ = self.open.acquire_many(self.max_open as u32).await;
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some((ip, counts)) = self.address.take() {
            let mut counts = counts.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(n) = counts.get_mut(&ip) {
                *n -= 1;
                if *n == 0 {
                    counts.remove(&ip);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_hold_in_total_and_per_address() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let gate = Gate::new(4, 2, "10.0.0.0/8".parse().unwrap());
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let first = gate.admit(a).unwrap();
        let _second = gate.admit(a).unwrap();
        assert!(gate.admit(a).is_none(), "a third from one address");
        drop(first);
        let _third = gate.admit(a).unwrap();
        let _other = gate.admit(b).unwrap();
        assert!(gate.admit(proxy).is_some_and(|t| t.address.is_none()), "a trusted proxy has no share");
        let _p = gate.admit(proxy).unwrap();
        assert!(gate.admit(b).is_none() && gate.admit(proxy).is_none(), "the total");
    }
}
