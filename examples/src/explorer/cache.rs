//! An in-memory read-through cache of the address endpoint's answers, so a popular
//! address is answered without a database round trip. It is only correct next to the one
//! writer of the index, the in-process [`crate::explorer::processor::Processor`], which
//! tells it about every write ([`AddressCache::begin_write`]).
//!
//! The rule it keeps: an entry present for an address always equals that address's
//! committed row. Two mechanisms hold it:
//! - A write takes the entries of the addresses it touches out *before* its transaction
//!   starts and marks them as being written until it has committed (or rolled back); a
//!   marked address is neither answered from nor filled into the cache, so while the
//!   commit is in flight readers get whatever the database gives them.
//! - A reader that missed takes a [`Ticket`] (the cache's epoch, bumped at the start and
//!   the end of every write) before it reads the database, and its answer is stored only if
//!   no write started or ended in between. A read that may have seen the row before a
//!   commit is therefore never stored after it.
//!
//! A write whose addresses are not known in advance (a chain block's revert) marks every
//! address. The cache holds at most `capacity` entries and is emptied when full.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use bytes::Bytes;

/// The address answers, keyed by the address key the API normalises to.
pub struct AddressCache {
    inner: Mutex<Inner>,
    capacity: usize,
    hits: AtomicU64,
    misses: AtomicU64,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Bytes>,
    /// Bumped when a write starts and when it ends.
    epoch: u64,
    /// Addresses a write in progress touches (a count: writes may overlap).
    writing: HashMap<String, u32>,
    /// Writes in progress that may touch any address.
    writing_all: u32,
}

impl Inner {
    fn being_written(&self, address: &str) -> bool {
        self.writing_all > 0 || self.writing.contains_key(address)
    }
}

/// What a reader that missed needs to store its answer: the epoch it read at.
#[derive(Clone, Copy, Debug)]
#[must_use = "a ticket is what lets the answer be stored"]
pub struct Ticket {
    epoch: u64,
    fillable: bool,
}

/// A write in progress; ends when dropped (after the commit or the rollback).
#[must_use = "the write ends when the guard drops"]
pub struct WriteGuard<'a> {
    cache: &'a AddressCache,
    addresses: Option<Vec<String>>,
}

impl AddressCache {
    /// A cache of at most `capacity` answers (0: a cache that never stores, for
    /// measurements of the database path).
    pub fn new(capacity: usize) -> Self {
        Self { inner: Mutex::new(Inner::default()), capacity, hits: AtomicU64::new(0), misses: AtomicU64::new(0) }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The critical sections leave `Inner` consistent at every step: a panic elsewhere
        // while it was held does not make it wrong.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The stored answer for `address`, or the ticket to store one read now.
    ///
    /// # Errors
    /// A miss, with its [`Ticket`].
    pub fn get(&self, address: &str) -> Result<Bytes, Ticket> {
        let inner = self.lock();
        if !inner.being_written(address) {
            if let Some(answer) = inner.entries.get(address) {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Ok(answer.clone());
            }
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        Err(Ticket { epoch: inner.epoch, fillable: self.capacity > 0 && !inner.being_written(address) })
    }

    /// Stores `answer`, read from the database after `ticket` was taken, unless a write
    /// started or ended since.
    pub fn fill(&self, address: &str, ticket: Ticket, answer: Bytes) {
        if !ticket.fillable {
            return;
        }
        let mut inner = self.lock();
        if inner.epoch != ticket.epoch || inner.being_written(address) {
            return;
        }
        if inner.entries.len() >= self.capacity {
            inner.entries.clear();
        }
        inner.entries.insert(address.to_string(), answer);
    }

    /// Starts a write touching `addresses` (`None`: any address); call before the write's
    /// transaction begins and keep the guard until it has committed or rolled back.
    pub fn begin_write(&self, addresses: Option<Vec<String>>) -> WriteGuard<'_> {
        let mut inner = self.lock();
        inner.epoch += 1;
        match &addresses {
            Some(list) => {
                for address in list {
                    inner.entries.remove(address);
                    *inner.writing.entry(address.clone()).or_insert(0) += 1;
                }
            }
            None => {
                inner.entries.clear();
                inner.writing_all += 1;
            }
        }
        WriteGuard { cache: self, addresses }
    }

    /// Answers served from the cache and answers that missed, so far.
    pub fn hits_and_misses(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }

    /// The number of stored answers.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no answer is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for AddressCache {
    /// A cache of 100,000 answers (a few tens of megabytes at most).
    fn default() -> Self {
        Self::new(100_000)
    }
}

impl Drop for WriteGuard<'_> {
    fn drop(&mut self) {
        let mut inner = self.cache.lock();
        inner.epoch += 1;
        match self.addresses.take() {
            Some(list) => {
                for address in list {
                    // Taken out again: nothing may have been stored meanwhile, but the
                    // write is over only once no stale entry can remain.
                    inner.entries.remove(&address);
                    if let Some(count) = inner.writing.get_mut(&address) {
                        *count -= 1;
                        if *count == 0 {
                            inner.writing.remove(&address);
                        }
                    }
                }
            }
            None => {
                inner.entries.clear();
                inner.writing_all = inner.writing_all.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(text: &str) -> Bytes {
        Bytes::copy_from_slice(text.as_bytes())
    }

    #[test]
    fn a_miss_filled_is_then_a_hit() {
        let cache = AddressCache::new(10);
        let ticket = cache.get("a").unwrap_err();
        cache.fill("a", ticket, answer("1"));
        assert_eq!(cache.get("a").unwrap(), answer("1"));
        assert_eq!(cache.hits_and_misses(), (1, 1));
    }

    #[test]
    fn a_read_that_straddles_a_write_is_not_stored() {
        let cache = AddressCache::new(10);
        let ticket = cache.get("a").unwrap_err();
        drop(cache.begin_write(Some(vec!["b".into()])));
        // The read may have seen the database before or after that commit: not stored.
        cache.fill("a", ticket, answer("old"));
        assert!(cache.get("a").is_err());
    }

    #[test]
    fn an_address_being_written_is_neither_served_nor_filled() {
        let cache = AddressCache::new(10);
        let ticket = cache.get("a").unwrap_err();
        cache.fill("a", ticket, answer("old"));
        let write = cache.begin_write(Some(vec!["a".into()]));
        let ticket = cache.get("a").unwrap_err();
        cache.fill("a", ticket, answer("during"));
        assert!(cache.get("a").is_err());
        // Another address is still served and filled meanwhile.
        let ticket = cache.get("b").unwrap_err();
        cache.fill("b", ticket, answer("b"));
        assert_eq!(cache.get("b").unwrap(), answer("b"));
        drop(write);
        assert!(cache.get("a").is_err());
        assert_eq!(cache.get("b").unwrap(), answer("b"));
    }

    #[test]
    fn a_write_of_unknown_addresses_empties_the_cache_until_it_ends() {
        let cache = AddressCache::new(10);
        let ticket = cache.get("a").unwrap_err();
        cache.fill("a", ticket, answer("a"));
        let write = cache.begin_write(None);
        assert!(cache.is_empty());
        let ticket = cache.get("a").unwrap_err();
        cache.fill("a", ticket, answer("a"));
        assert!(cache.is_empty());
        drop(write);
        let ticket = cache.get("a").unwrap_err();
        cache.fill("a", ticket, answer("a"));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn capacity_bounds_the_entries_and_zero_stores_nothing() {
        let cache = AddressCache::new(2);
        for key in ["a", "b", "c"] {
            let ticket = cache.get(key).unwrap_err();
            cache.fill(key, ticket, answer(key));
        }
        assert!(cache.len() <= 2);
        let off = AddressCache::new(0);
        let ticket = off.get("a").unwrap_err();
        off.fill("a", ticket, answer("a"));
        assert!(off.is_empty());
    }
}
