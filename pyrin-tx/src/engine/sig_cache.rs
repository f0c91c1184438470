//! Remembering signature checks, so that a node verifying the same signature twice (when a
//! transaction enters the mempool, then again in a block) pays for it once.
//!
//! The engine asks a [`SignatureCache`] before it verifies a signature and tells it the
//! result after. The trait is all a `no_std` user gets; with `std`,
//! [`BoundedSignatureCache`] is a ready thread-safe implementation.

/// Which signature scheme a cached check used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SigScheme {
    /// BIP-340 Schnorr under an x-only key.
    Schnorr,
    /// ECDSA under a compressed key.
    Ecdsa,
}

/// Everything a signature check depends on: the scheme, the public key, the signed digest
/// and the signature. Two checks with equal keys have the same result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SigCacheKey {
    /// The scheme.
    pub scheme: SigScheme,
    /// The public key: 32 x-only bytes then a zero for Schnorr, 33 compressed bytes for
    /// ECDSA.
    pub public_key: [u8; 33],
    /// The signed digest (the input's signature hash for the sighash type).
    pub digest: [u8; 32],
    /// The 64-byte signature, without its sighash type byte.
    pub signature: [u8; 64],
}

/// A store of signature-check results the engine consults
/// ([`Engine::with_signature_cache`](super::Engine::with_signature_cache)).
///
/// Methods take `&self` so one cache can serve many engines, including engines on several
/// threads (make the implementation `Sync` for that). An implementation may forget any
/// entry at any time; it must never return a result that was not inserted for that key.
pub trait SignatureCache {
    /// The result recorded for `key`, if any.
    fn get(&self, key: &SigCacheKey) -> Option<bool>;
    /// Records the result of a check.
    fn insert(&self, key: SigCacheKey, valid: bool);
    /// The x-only public key with these bytes as parsed before, if the cache keeps parsed
    /// keys (the default keeps none). Parsing an x-only key takes a square root, about a
    /// tenth of a verification, and the same keys sign again and again.
    fn parsed_schnorr_key(&self, bytes: &[u8; 32]) -> Option<ParsedSchnorrKey> {
        let _ = bytes;
        None
    }
    /// Keeps a key parsed from `bytes` for [`SignatureCache::parsed_schnorr_key`] (the
    /// default forgets it).
    fn insert_parsed_schnorr_key(&self, bytes: [u8; 32], key: ParsedSchnorrKey) {
        let _ = (bytes, key);
    }
}

/// An x-only public key that parsed (its bytes are a valid x coordinate), as a
/// [`SignatureCache`] may keep it. Only the engine makes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedSchnorrKey(pub(crate) secp256k1::XOnlyPublicKey);

#[cfg(feature = "std")]
pub use bounded::BoundedSignatureCache;

#[cfg(feature = "std")]
mod bounded {
    use super::{ParsedSchnorrKey, SigCacheKey, SignatureCache};
    // The keys are partly chosen by whoever sends a transaction: a keyed hash, but a
    // fast one (hashbrown's foldhash with a per-process random seed) rather than SipHash,
    // which took as long as the rest of an insertion.
    use hashbrown::hash_map::Entry;
    use hashbrown::HashMap;
    use std::collections::hash_map::RandomState;
    use std::hash::BuildHasher;
    use std::sync::Mutex;
    use std::vec::Vec;

    /// A thread-safe [`SignatureCache`] that holds at most `capacity` results; when full, a
    /// new result replaces one picked uniformly at random (as the reference node's cache
    /// does, so an attacker cannot predict which entries survive, and an entry inserted
    /// lately is as safe as an old one).
    ///
    /// ```
    /// use pyrin_tx::engine::{BoundedSignatureCache, SignatureCache};
    ///
    /// let cache = BoundedSignatureCache::new(10_000);
    /// assert_eq!(cache.len(), 0);
    /// # let _: &dyn SignatureCache = &cache;
    /// ```
    #[derive(Debug)]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub struct BoundedSignatureCache {
        capacity: usize,
        entries: Mutex<Entries>,
        /// Parsed Schnorr keys, at most `capacity` (emptied when full: keys are few and
        /// come back).
        keys: Mutex<HashMap<[u8; 32], ParsedSchnorrKey>>,
    }

    /// The results with their keys' positions in `keys`, which a random index picks from.
    #[derive(Debug, Default)]
    struct Entries {
        map: HashMap<SigCacheKey, (bool, usize)>,
        keys: Vec<SigCacheKey>,
        /// Keyed at random per cache: hashing a counter with it picks the victims.
        picker: RandomState,
        evictions: u64,
    }

    impl BoundedSignatureCache {
        /// A cache of at most `capacity` results (0 keeps nothing).
        pub fn new(capacity: usize) -> Self {
            Self { capacity, entries: Mutex::new(Entries::default()), keys: Mutex::new(HashMap::new()) }
        }

        /// How many results it holds.
        pub fn len(&self) -> usize {
            self.lock().map.len()
        }

        /// Whether it holds no result.
        pub fn is_empty(&self) -> bool {
            self.len() == 0
        }

        /// The most results it holds.
        pub fn capacity(&self) -> usize {
            self.capacity
        }

        fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
            // A panic elsewhere while the lock was held leaves a map that is still a map of
            // true results: keep using it.
            self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
        }
    }

    impl SignatureCache for BoundedSignatureCache {
        fn parsed_schnorr_key(&self, bytes: &[u8; 32]) -> Option<ParsedSchnorrKey> {
            self.keys.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(bytes).copied()
        }

        fn insert_parsed_schnorr_key(&self, bytes: [u8; 32], key: ParsedSchnorrKey) {
            if self.capacity == 0 {
                return;
            }
            let mut keys = self.keys.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if keys.len() >= self.capacity {
                keys.clear();
            }
            keys.insert(bytes, key);
        }

        fn get(&self, key: &SigCacheKey) -> Option<bool> {
            self.lock().map.get(key).map(|&(valid, _)| valid)
        }

        fn insert(&self, key: SigCacheKey, valid: bool) {
            if self.capacity == 0 {
                return;
            }
            let mut guard = self.lock();
            let entries = &mut *guard;
            if let Some(slot) = entries.map.get_mut(&key) {
                slot.0 = valid;
                return;
            }
            if entries.keys.len() >= self.capacity {
                entries.evictions = entries.evictions.wrapping_add(1);
                let pick = entries.picker.hash_one(entries.evictions);
                let victim = (pick % entries.keys.len() as u64) as usize;
                let evicted = entries.keys.swap_remove(victim);
                entries.map.remove(&evicted);
                if let Some(moved) = entries.keys.get(victim) {
                    if let Some(slot) = entries.map.get_mut(moved) {
                        slot.1 = victim;
                    }
                }
            }
            if let Entry::Vacant(v) = entries.map.entry(key) {
                v.insert((valid, entries.keys.len()));
                entries.keys.push(key);
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::super::SigScheme;
        use super::*;

        fn key(b: u8) -> SigCacheKey {
            SigCacheKey { scheme: SigScheme::Schnorr, public_key: [b; 33], digest: [b; 32], signature: [b; 64] }
        }

        #[test]
        fn keeps_parsed_schnorr_keys_up_to_its_capacity() {
            // The x coordinate of the generator: a valid x-only key.
            let g: [u8; 32] = [
                0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0, 0x62, 0x95, 0xce, 0x87, 0x0b, 0x07, 0x02,
                0x9b, 0xfc, 0xdb, 0x2d, 0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16, 0xf8, 0x17, 0x98,
            ];
            let parsed = ParsedSchnorrKey(secp256k1::XOnlyPublicKey::from_slice(&g).expect("the generator's x"));
            let cache = BoundedSignatureCache::new(1);
            assert_eq!(cache.parsed_schnorr_key(&g), None);
            cache.insert_parsed_schnorr_key(g, parsed);
            assert_eq!(cache.parsed_schnorr_key(&g), Some(parsed));
            // Full: the next key empties the table first.
            cache.insert_parsed_schnorr_key([1; 32], parsed);
            assert_eq!(cache.parsed_schnorr_key(&g), None);
            let none = BoundedSignatureCache::new(0);
            none.insert_parsed_schnorr_key(g, parsed);
            assert_eq!(none.parsed_schnorr_key(&g), None);
        }

        #[test]
        fn holds_at_most_its_capacity() {
            let cache = BoundedSignatureCache::new(3);
            for b in 0..10 {
                cache.insert(key(b), b % 2 == 0);
                assert!(cache.len() <= 3);
                assert_eq!(cache.get(&key(b)), Some(b % 2 == 0));
            }
            let zero = BoundedSignatureCache::new(0);
            zero.insert(key(1), true);
            assert!(zero.is_empty());
            assert_eq!(zero.get(&key(1)), None);
        }

        #[test]
        fn evicts_at_random_keeping_recent_entries_as_likely_as_old_ones() {
            // A working set far below the capacity churning through a full cache: with
            // uniform eviction, an entry survives the next 100 insertions into a cache of
            // 10,000 with probability 0.99^... about 99%.
            let cache = BoundedSignatureCache::new(10_000);
            let wide = |i: u32| {
                let mut k = key(0);
                k.digest[..4].copy_from_slice(&i.to_le_bytes());
                k
            };
            let mut lost = 0;
            for i in 0..50_000u32 {
                cache.insert(wide(i), true);
                if i >= 100 && cache.get(&wide(i - 100)).is_none() {
                    lost += 1;
                }
                assert!(cache.len() <= 10_000);
            }
            assert!(lost < 50_000 / 20, "{lost} recent entries lost");
            // Every entry kept answers with its own result.
            cache.insert(wide(7), false);
            assert_eq!(cache.get(&wide(7)), Some(false));
        }
    }
}
