//! Who may connect: a cap on connections in all and per remote address, and the 2-byte
//! extranonce each connection gets so no two live miners search the same nonces.

use std::collections::HashMap;
use std::net::IpAddr;

/// Why a connection was refused; the text is sent to the client before closing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The pool serves as many connections as it may.
    #[error("the pool is full")]
    Full,
    /// This address holds as many connections as one address may.
    #[error("too many connections from your address")]
    PerAddress,
}

/// The connections being served.
#[derive(Debug)]
pub struct Admission {
    max_clients: usize,
    max_per_address: usize,
    per_address: HashMap<IpAddr, usize>,
    /// Extranonces in use.
    in_use: Vec<bool>,
    next_extranonce: u16,
    clients: usize,
}

impl Admission {
    /// At most `max_clients` connections (and never more than 65536, one per extranonce),
    /// at most `max_per_address` from one address.
    pub fn new(max_clients: usize, max_per_address: usize) -> Self {
        Self {
            max_clients: max_clients.min(1 << 16),
            max_per_address,
            per_address: HashMap::new(),
            in_use: vec![false; 1 << 16],
            next_extranonce: 0,
            clients: 0,
        }
    }

    /// Admits a connection from `address`: its extranonce, the least recently used free
    /// one (so a reconnecting miner rarely gets its old range back).
    ///
    /// # Errors
    /// The [`Refusal`] to send it.
    pub fn admit(&mut self, address: IpAddr) -> Result<u16, Refusal> {
        if self.clients >= self.max_clients {
            return Err(Refusal::Full);
        }
        let held = self.per_address.entry(address).or_default();
        if *held >= self.max_per_address {
            return Err(Refusal::PerAddress);
        }
        *held += 1;
        self.clients += 1;
        let mut extranonce = self.next_extranonce;
        // Fewer than 65536 are in use, so a free one exists.
        while self.in_use[usize::from(extranonce)] {
            extranonce = extranonce.wrapping_add(1);
        }
        self.in_use[usize::from(extranonce)] = true;
        self.next_extranonce = extranonce.wrapping_add(1);
        Ok(extranonce)
    }

    /// A connection admitted with `extranonce` from `address` ended.
    pub fn release(&mut self, address: IpAddr, extranonce: u16) {
        if let Some(held) = self.per_address.get_mut(&address) {
            *held -= 1;
            if *held == 0 {
                self.per_address.remove(&address);
            }
        }
        if std::mem::replace(&mut self.in_use[usize::from(extranonce)], false) {
            self.clients -= 1;
        }
    }

    /// Connections served now.
    pub fn clients(&self) -> usize {
        self.clients
    }
}

/// The connection cap that fits in `descriptors` open files: one descriptor per client
/// plus `reserve` for the pool itself (listener, Redis, logs), so a client past the cap is
/// refused with a message rather than left waiting in the listen backlog.
pub fn client_cap(configured: usize, descriptors: u64, reserve: u64) -> usize {
    let room = descriptors.saturating_sub(reserve);
    configured.min(usize::try_from(room).unwrap_or(usize::MAX)).min(1 << 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_hold_in_all_and_per_address() {
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let mut admission = Admission::new(3, 2);
        let x = admission.admit(a).unwrap();
        let y = admission.admit(a).unwrap();
        assert_ne!(x, y);
        assert_eq!(admission.admit(a), Err(Refusal::PerAddress));
        let z = admission.admit(b).unwrap();
        assert_eq!(admission.admit(b), Err(Refusal::Full));
        admission.release(a, x);
        assert_eq!(admission.clients(), 2);
        let w = admission.admit(a).unwrap();
        // The freed extranonce is not handed out again at once.
        assert!(![y, z].contains(&w) && w != x);
    }

    #[test]
    fn the_cap_fits_the_descriptor_limit() {
        assert_eq!(client_cap(1024, 1024, 64), 960);
        assert_eq!(client_cap(10_000, 1_048_576, 64), 10_000);
        assert_eq!(client_cap(100_000, 1_048_576, 64), 65_536);
        assert_eq!(client_cap(10, 20, 64), 0);
    }
}
