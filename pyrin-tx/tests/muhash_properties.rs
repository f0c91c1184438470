//! Properties of `pyrin_tx::muhash`: a MuHash is a function of the final multiset alone.

use proptest::prelude::*;
use pyrin_core::{Amount, ScriptPublicKey, TransactionId, TransactionOutpoint};
use pyrin_tx::muhash::{utxo_element_bytes, MuHash, SERIALIZED_LEN};
use pyrin_tx::UtxoEntry;

fn element() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..200)
}

/// Elements to add, and for each whether it is removed again.
fn history() -> impl Strategy<Value = Vec<(Vec<u8>, bool)>> {
    proptest::collection::vec((element(), any::<bool>()), 0..12)
}

fn set_of<'a>(elements: impl IntoIterator<Item = &'a Vec<u8>>) -> MuHash {
    let mut set = MuHash::new();
    for e in elements {
        set.add_element(e);
    }
    set
}

fn utxo() -> impl Strategy<Value = (TransactionOutpoint, UtxoEntry)> {
    (
        any::<[u8; 32]>(),
        any::<u32>(),
        any::<u64>(),
        any::<u64>(),
        any::<bool>(),
        any::<u16>(),
        proptest::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(id, index, amount, daa, coinbase, version, script)| {
            (
                TransactionOutpoint::new(TransactionId::from_bytes(id), index),
                UtxoEntry {
                    amount: Amount::from_leor(amount),
                    script_public_key: ScriptPublicKey::new(version, script),
                    block_daa_score: daa,
                    is_coinbase: coinbase,
                },
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every add and remove of a history, in any order (a removal may come before its
    /// addition), gives the MuHash of the elements left, added directly.
    #[test]
    fn the_order_of_additions_and_removals_does_not_matter(
        history in history(),
        order in any::<proptest::sample::Index>().prop_map(|i| i.index(usize::MAX)),
    ) {
        // The operations, shuffled by a deterministic walk from `order`.
        let mut ops: Vec<(&Vec<u8>, bool)> = Vec::new();
        for (e, removed) in &history {
            ops.push((e, true));
            if *removed {
                ops.push((e, false));
            }
        }
        let mut seed = order as u64 | 1;
        for i in (1..ops.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            ops.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        let mut shuffled = MuHash::new();
        for (e, add) in ops {
            if add { shuffled.add_element(e) } else { shuffled.remove_element(e) }
        }
        let direct = set_of(history.iter().filter(|(_, removed)| !removed).map(|(e, _)| e));
        prop_assert_eq!(shuffled.finalize(), direct.finalize());
        prop_assert_eq!(&shuffled, &direct);
    }

    /// Adding an element and removing it again restores the value.
    #[test]
    fn adding_then_removing_an_element_restores_the_value(start in history(), x in element()) {
        let mut set = MuHash::new();
        for (e, removed) in &start {
            if *removed { set.remove_element(e) } else { set.add_element(e) }
        }
        let before = set.serialize();
        set.add_element(&x);
        set.remove_element(&x);
        prop_assert_eq!(set.serialize(), before);
    }

    /// Combining two MuHashes equals applying both histories to one.
    #[test]
    fn combining_equals_doing_everything_in_one(a in history(), b in history()) {
        let apply = |set: &mut MuHash, history: &[(Vec<u8>, bool)]| {
            for (e, removed) in history {
                if *removed { set.remove_element(e) } else { set.add_element(e) }
            }
        };
        let (mut left, mut right, mut all) = (MuHash::new(), MuHash::new(), MuHash::new());
        apply(&mut left, &a);
        apply(&mut right, &b);
        apply(&mut all, &a);
        apply(&mut all, &b);
        left.combine(&right);
        prop_assert_eq!(left.finalize(), all.finalize());
    }

    /// A serialized value reads back as the same value, and serializes to the same bytes.
    #[test]
    fn serialize_and_deserialize_round_trip(history in history()) {
        let mut set = MuHash::new();
        for (e, removed) in &history {
            if *removed { set.remove_element(e) } else { set.add_element(e) }
        }
        let bytes = set.serialize();
        let back = MuHash::deserialize(&bytes).expect("serialize writes a number below the prime");
        prop_assert_eq!(back.serialize(), bytes);
        prop_assert_eq!(back.finalize(), set.finalize());
        prop_assert_eq!(&back, &set);
    }

    /// Any 384 bytes either refuse to deserialize or serialize back to themselves.
    #[test]
    fn deserialized_bytes_serialize_unchanged(
        head in any::<[u8; 32]>(),
        fill in prop_oneof![Just(0xffu8), any::<u8>()],
    ) {
        let mut bytes = [fill; SERIALIZED_LEN];
        bytes[..32].copy_from_slice(&head);
        if let Ok(set) = MuHash::deserialize(&bytes) {
            prop_assert_eq!(set.serialize(), bytes);
        }
    }

    /// A UTXO enters as its element bytes.
    #[test]
    fn a_utxo_is_its_element_bytes((outpoint, entry) in utxo()) {
        let mut by_utxo = MuHash::new();
        by_utxo.add_utxo(&outpoint, &entry);
        let mut by_bytes = MuHash::new();
        by_bytes.add_element(&utxo_element_bytes(&outpoint, &entry));
        prop_assert_eq!(by_utxo.serialize(), by_bytes.serialize());
        by_utxo.remove_utxo(&outpoint, &entry);
        prop_assert_eq!(by_utxo, MuHash::new());
    }

    /// Collecting UTXOs (and, with rayon, hashing them on every core) adds each one.
    #[test]
    fn a_collected_set_adds_every_utxo(utxos in proptest::collection::vec(utxo(), 0..20)) {
        let mut one_by_one = MuHash::new();
        for (outpoint, entry) in &utxos {
            one_by_one.add_utxo(outpoint, entry);
        }
        let collected: MuHash = utxos.iter().map(|(o, e)| (o, e)).collect();
        prop_assert_eq!(collected.serialize(), one_by_one.serialize());
        #[cfg(feature = "rayon")]
        {
            use rayon::prelude::*;
            let parallel = MuHash::par_from_utxos(utxos.par_iter().map(|(o, e)| (o, e)));
            prop_assert_eq!(parallel.serialize(), one_by_one.serialize());
        }
    }
}

#[test]
fn the_element_bytes_of_a_utxo_are_laid_out_as_the_reference_writes_them() {
    let outpoint = TransactionOutpoint::new(TransactionId::from_bytes([0xab; 32]), 0x0102_0304);
    let entry = UtxoEntry {
        amount: Amount::from_leor(0x1112_1314_1516_1718),
        script_public_key: ScriptPublicKey::new(0x2122, vec![0x51, 0x52]),
        block_daa_score: 0x3132_3334_3536_3738,
        is_coinbase: true,
    };
    let mut want = vec![0xab; 32];
    want.extend([0x04, 0x03, 0x02, 0x01]);
    want.extend([0x38, 0x37, 0x36, 0x35, 0x34, 0x33, 0x32, 0x31]);
    want.extend([0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11]);
    want.push(1);
    want.extend([0x22, 0x21]);
    want.extend([2, 0, 0, 0, 0, 0, 0, 0]);
    want.extend([0x51, 0x52]);
    assert_eq!(utxo_element_bytes(&outpoint, &entry), want);
}
