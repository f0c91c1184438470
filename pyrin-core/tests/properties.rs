//! Property tests: encodings round-trip, compact bits round-trip, hex round-trips, merkle
//! roots depend on order, decoding never panics.

use proptest::prelude::*;
use pyrin_core::Reader;
use pyrin_core::{
    merkle, Amount, Block, BlockHash, BlueWork, CompactTarget, Decode, Encode, Hash, Header, MerkleRoot,
    ScriptPublicKey, SubnetworkId, Target, Transaction, TransactionId, TransactionInput, TransactionOutpoint,
    TransactionOutput, Uint256, UtxoCommitment,
};

fn hash() -> impl Strategy<Value = Hash> {
    any::<[u8; 32]>().prop_map(Hash::from_bytes)
}

fn blue_work() -> impl Strategy<Value = BlueWork> {
    any::<[u64; 3]>().prop_map(BlueWork::from_limbs)
}

fn header() -> impl Strategy<Value = Header> {
    (
        any::<u16>(),
        prop::collection::vec(prop::collection::vec(hash(), 0..4), 0..4),
        (hash(), hash(), hash(), hash()),
        (any::<u64>(), any::<u32>(), any::<u64>(), any::<u64>(), any::<u64>()),
        blue_work(),
    )
        .prop_map(|(version, parents_by_level, roots, ints, blue_work)| Header {
            version,
            parents_by_level: parents_by_level
                .into_iter()
                .map(|level| level.into_iter().map(BlockHash::from_raw_hash).collect())
                .collect(),
            hash_merkle_root: MerkleRoot::from_raw_hash(roots.0),
            accepted_id_merkle_root: MerkleRoot::from_raw_hash(roots.1),
            utxo_commitment: UtxoCommitment::from_raw_hash(roots.2),
            pruning_point: BlockHash::from_raw_hash(roots.3),
            timestamp: ints.0,
            bits: CompactTarget::from_consensus(ints.1),
            nonce: ints.2,
            daa_score: ints.3,
            blue_score: ints.4,
            blue_work,
        })
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..max)
}

fn transaction() -> impl Strategy<Value = Transaction> {
    let input =
        (hash(), any::<u32>(), bytes(80), any::<u64>(), any::<u8>()).prop_map(|(id, index, script, sequence, ops)| {
            TransactionInput {
                previous_outpoint: TransactionOutpoint::new(TransactionId::from_raw_hash(id), index),
                signature_script: script,
                sequence,
                sig_op_count: ops,
            }
        });
    let output = (any::<u64>(), any::<u16>(), bytes(40)).prop_map(|(value, version, script)| TransactionOutput {
        value: Amount::from_leor(value),
        script_public_key: ScriptPublicKey::new(version, script),
    });
    (
        any::<u16>(),
        prop::collection::vec(input, 0..4),
        prop::collection::vec(output, 0..4),
        any::<u64>(),
        prop_oneof![
            Just(SubnetworkId::NATIVE),
            Just(SubnetworkId::COINBASE),
            any::<[u8; 20]>().prop_map(SubnetworkId::from_bytes)
        ],
        any::<u64>(),
        bytes(64),
    )
        .prop_map(|(version, inputs, outputs, lock_time, subnetwork_id, gas, payload)| Transaction {
            version,
            inputs,
            outputs,
            lock_time,
            subnetwork_id,
            gas,
            payload,
        })
}

proptest! {
    #[test]
    fn amounts_print_and_parse_back_in_pyi(leor in any::<u64>()) {
        let amount = Amount::from_leor(leor);
        prop_assert_eq!(amount.to_string().parse::<Amount>(), Ok(amount));
        let bare = amount.to_string().trim_end_matches(" PYI").to_string();
        prop_assert_eq!(bare.parse::<Amount>(), Ok(amount));
    }

    #[test]
    fn amount_arithmetic_is_u64_arithmetic_checked(a in any::<u64>(), b in any::<u64>()) {
        let (x, y) = (Amount::from_leor(a), Amount::from_leor(b));
        prop_assert_eq!(x.checked_add(y).map(Amount::to_leor), a.checked_add(b));
        prop_assert_eq!(x.checked_sub(y).map(Amount::to_leor), a.checked_sub(b));
        prop_assert_eq!(x.checked_mul(b).map(Amount::to_leor), a.checked_mul(b));
        prop_assert_eq!(x.checked_div(b).map(Amount::to_leor), a.checked_div(b));
    }

    #[test]
    fn role_types_keep_the_bytes_and_hex_of_the_raw_hash(bytes in any::<[u8; 32]>()) {
        let raw = Hash::from_bytes(bytes);
        let block = BlockHash::from_raw_hash(raw);
        prop_assert_eq!(block.to_raw_hash(), raw);
        prop_assert_eq!(block.to_string(), raw.to_string());
        prop_assert_eq!(block.to_string().parse::<BlockHash>(), Ok(block));
        prop_assert_eq!(TransactionId::from_bytes(bytes).to_bytes(), raw.to_bytes());
    }

    #[test]
    fn header_encoding_round_trips(h in header()) {
        let bytes = h.to_bytes();
        prop_assert_eq!(bytes.len(), h.encoded_len());
        prop_assert_eq!(Header::from_bytes(&bytes), Ok(h));
    }

    #[test]
    fn transaction_encoding_round_trips(tx in transaction()) {
        prop_assert_eq!(Transaction::from_bytes(&tx.to_bytes()), Ok(tx));
    }

    #[test]
    fn block_encoding_round_trips(h in header(), txs in prop::collection::vec(transaction(), 0..4)) {
        let block = Block::new(h, txs);
        prop_assert_eq!(Block::from_bytes(&block.to_bytes()), Ok(block));
    }

    #[test]
    fn truncated_encodings_are_rejected(h in header(), cut in any::<prop::sample::Index>()) {
        let bytes = h.to_bytes();
        let cut = cut.index(bytes.len());
        prop_assert!(Header::from_bytes(&bytes[..cut]).is_err());
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(data in bytes(600)) {
        let _ = Header::from_bytes(&data);
        let _ = Transaction::from_bytes(&data);
        let _ = Block::from_bytes(&data);
        let _ = Transaction::decode_from(&mut Reader::new(&data));
    }

    #[test]
    fn compact_bits_round_trip_through_targets(bits in any::<u32>()) {
        // Normalised bits (what bits_from_target produces) survive a round trip exactly.
        let target = Target::from_compact(CompactTarget::from_consensus(bits));
        let normal = target.to_compact_lossy();
        prop_assert_eq!(Target::from_compact(normal), target);
        prop_assert_eq!(Target::from_compact(normal).to_compact_lossy(), normal);
    }

    #[test]
    fn compact_encoding_keeps_the_top_bits(limbs in any::<[u64; 4]>()) {
        let value = Uint256::from_le_words(limbs) >> 1; // below the sign-bit trouble at 2^255
        let back = Target::from_compact(Target::from_uint256(value).to_compact_lossy()).to_uint256();
        prop_assert!(back <= value);
        // The mantissa keeps at least the top 16 significant bits.
        let tolerance = Uint256::ONE << value.bits().saturating_sub(16);
        prop_assert!(value - back < tolerance, "{value:x} -> {back:x}");
    }

    #[test]
    fn work_times_target_is_about_two_to_the_256(limbs in any::<[u64; 4]>()) {
        let target = Uint256::from_le_words(limbs);
        prop_assume!(!target.is_zero() && target != Uint256::MAX);
        let work = Target::from_uint256(target).to_work().unwrap().to_uint256();
        // work = floor(2^256 / (target + 1)), so work·(target+1) ≤ 2^256 < (work+1)·(target+1).
        let t1 = target + Uint256::ONE;
        let (q, r) = (!target).div_rem(t1).unwrap();
        prop_assert_eq!(q + Uint256::ONE, work);
        prop_assert!(r < t1);
    }

    #[test]
    fn hash_hex_round_trips(h in hash()) {
        let text = h.to_string();
        prop_assert_eq!(text.len(), 64);
        prop_assert_eq!(text.parse::<Hash>(), Ok(h));
        prop_assert_eq!(text.to_uppercase().parse::<Hash>(), Ok(h));
    }

    #[test]
    fn uint_hex_round_trips(limbs in any::<[u64; 4]>()) {
        let v = Uint256::from_le_words(limbs);
        prop_assert_eq!(Uint256::from_be_hex(&format!("{v:x}")), Ok(v));
    }

    #[test]
    fn merkle_root_of_a_permutation_differs(leaves in prop::collection::btree_set(any::<[u8; 32]>(), 2..20), rot in 1usize..19) {
        let leaves: Vec<Hash> = leaves.into_iter().map(Hash::from_bytes).collect();
        let mut permuted = leaves.clone();
        permuted.rotate_left(rot % leaves.len().max(1));
        prop_assume!(permuted != leaves);
        prop_assert_ne!(merkle::merkle_root(leaves), merkle::merkle_root(permuted));
    }

    #[test]
    fn merkle_root_of_any_shuffle_differs(leaves in prop::collection::btree_set(any::<[u8; 32]>(), 2..40), seed in any::<u64>()) {
        let leaves: Vec<Hash> = leaves.into_iter().map(Hash::from_bytes).collect();
        let mut shuffled = leaves.clone();
        // Fisher-Yates with a small LCG: any permutation, not only rotations and swaps.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (state >> 33) as usize % (i + 1));
        }
        prop_assume!(shuffled != leaves);
        prop_assert_ne!(merkle::merkle_root(leaves), merkle::merkle_root(shuffled));
    }

    #[test]
    fn blue_work_and_subnetwork_hex_round_trip(limbs in any::<[u64; 3]>(), id in any::<[u8; 20]>()) {
        let work = BlueWork::from_limbs(limbs);
        prop_assert_eq!(format!("{work:x}").parse::<BlueWork>(), Ok(work));
        let subnet = SubnetworkId::from_bytes(id);
        prop_assert_eq!(subnet.to_string().parse::<SubnetworkId>(), Ok(subnet));
    }

    #[test]
    fn division_inverts_multiplication(a in any::<[u64; 3]>(), b in 1u64..) {
        let a = Uint256::from_le_words([a[0], a[1], a[2], 0]);
        let product = a.checked_mul_u64(b).unwrap();
        prop_assert_eq!(product.div_rem(Uint256::from_u64(b)), Some((a, Uint256::ZERO)));
        prop_assert_eq!(product.div_rem(a.max(Uint256::ONE)).map(|(q, _)| q.is_zero()), Some(a.is_zero() && product.is_zero()));
    }
}

#[cfg(feature = "borsh")]
mod borsh_form {
    use super::*;

    proptest! {
        #[test]
        fn borsh_round_trips(h in header(), tx in transaction()) {
            let block = Block::new(h, vec![tx]);
            let bytes = borsh::to_vec(&block).unwrap();
            prop_assert_eq!(borsh::from_slice::<Block>(&bytes).unwrap(), block);
        }

        #[test]
        fn uint256_borsh_round_trips(limbs in any::<[u64; 4]>()) {
            let v = Uint256::from_le_words(limbs);
            let bytes = borsh::to_vec(&v).unwrap();
            prop_assert_eq!(borsh::from_slice::<Uint256>(&bytes).unwrap(), v);
        }
    }
}

#[cfg(feature = "serde")]
mod serde_json_shape {
    use super::*;

    proptest! {
        #[test]
        fn header_json_round_trips(h in header()) {
            let json = serde_json::to_string(&h).unwrap();
            prop_assert_eq!(serde_json::from_str::<Header>(&json).unwrap(), h);
        }

        #[test]
        fn transaction_json_round_trips(tx in transaction()) {
            let json = serde_json::to_string(&tx).unwrap();
            prop_assert_eq!(serde_json::from_str::<Transaction>(&json).unwrap(), tx);
        }

        #[test]
        fn block_json_round_trips(h in header(), txs in prop::collection::vec(transaction(), 0..3)) {
            let block = Block::new(h, txs);
            let json = serde_json::to_string(&block).unwrap();
            prop_assert_eq!(serde_json::from_str::<Block>(&json).unwrap(), block);
        }

        #[test]
        fn block_binary_serde_round_trips(h in header(), txs in prop::collection::vec(transaction(), 0..3)) {
            let block = Block::new(h, txs);
            let bytes = postcard::to_allocvec(&block).unwrap();
            prop_assert_eq!(postcard::from_bytes::<Block>(&bytes).unwrap(), block);
        }

        #[test]
        fn header_json_with_a_flipped_hash_is_refused(h in header(), bit in 0usize..256) {
            let mut v = serde_json::to_value(&h).unwrap();
            let mut bytes = h.hash().to_bytes();
            bytes[bit / 8] ^= 1 << (bit % 8);
            v["hash"] = serde_json::Value::String(BlockHash::from_bytes(bytes).to_string());
            let err = serde_json::from_value::<Header>(v).unwrap_err();
            prop_assert!(err.to_string().contains("`hash`"), "{}", err);
        }

        #[test]
        fn transaction_json_with_a_flipped_id_is_refused(tx in transaction(), bit in 0usize..256) {
            let mut v = serde_json::to_value(&tx).unwrap();
            let mut bytes = tx.id().to_bytes();
            bytes[bit / 8] ^= 1 << (bit % 8);
            v["id"] = serde_json::Value::String(TransactionId::from_bytes(bytes).to_string());
            prop_assert!(serde_json::from_value::<Transaction>(v).is_err());
        }

        #[test]
        fn u64_fields_as_decimal_strings_read_the_same(h in header(), tx in transaction()) {
            let mut v = serde_json::to_value(&h).unwrap();
            for field in ["timestamp", "nonce", "daaScore", "blueScore"] {
                v[field] = serde_json::Value::String(v[field].as_u64().unwrap().to_string());
            }
            prop_assert_eq!(serde_json::from_value::<Header>(v).unwrap(), h);
            let mut v = serde_json::to_value(&tx).unwrap();
            for field in ["lockTime", "gas"] {
                v[field] = serde_json::Value::String(v[field].as_u64().unwrap().to_string());
            }
            for input in v["inputs"].as_array_mut().unwrap() {
                input["sequence"] = serde_json::Value::String(input["sequence"].as_u64().unwrap().to_string());
            }
            for output in v["outputs"].as_array_mut().unwrap() {
                output["value"] = serde_json::Value::String(output["value"].as_u64().unwrap().to_string());
            }
            prop_assert_eq!(serde_json::from_value::<Transaction>(v).unwrap(), tx);
        }

        #[test]
        fn a_u64_string_is_read_exactly_when_it_is_a_canonical_decimal(text in "[-+0-9a-f. ]{0,24}", n in any::<u64>()) {
            let read = |s: &str| serde_json::from_value::<Amount>(serde_json::Value::String(s.into()));
            prop_assert_eq!(read(&n.to_string()).unwrap(), Amount::from_leor(n));
            match read(&text) {
                Ok(amount) => prop_assert_eq!(amount.to_leor().to_string(), text),
                Err(err) => prop_assert!(text.parse::<u64>().map_or(true, |v| v.to_string() != text), "{:?}: {}", text, err),
            }
        }

        #[test]
        fn scalar_json_round_trips(h in hash(), limbs in any::<[u64; 4]>(), work in blue_work(), id in any::<[u8; 20]>()) {
            let (v, subnet) = (Uint256::from_le_words(limbs), SubnetworkId::from_bytes(id));
            prop_assert_eq!(serde_json::from_str::<Hash>(&serde_json::to_string(&h).unwrap()).unwrap(), h);
            prop_assert_eq!(serde_json::from_str::<Uint256>(&serde_json::to_string(&v).unwrap()).unwrap(), v);
            prop_assert_eq!(serde_json::from_str::<BlueWork>(&serde_json::to_string(&work).unwrap()).unwrap(), work);
            prop_assert_eq!(serde_json::from_str::<SubnetworkId>(&serde_json::to_string(&subnet).unwrap()).unwrap(), subnet);
        }
    }

    #[test]
    fn header_json_uses_the_node_field_names() {
        let h = pyrin_core::params::Network::Mainnet.params().genesis.header();
        let v: serde_json::Value = serde_json::to_value(&h).unwrap();
        assert_eq!(v["hash"], "db28f93655e579b3bbc276433711cd214b397ac8467401cb82b28f655d25f762");
        assert_eq!(v["blueWork"], "0");
        assert_eq!(v["daaScore"], 25_883_292);
        assert!(v.get("parentsByLevel").is_some());
    }

    #[test]
    fn script_public_key_json_is_version_then_script() {
        let spk = ScriptPublicKey::new(0, vec![0xab, 0xcd]);
        assert_eq!(serde_json::to_string(&spk).unwrap(), "\"0000abcd\"");
        assert_eq!(serde_json::from_str::<ScriptPublicKey>("\"0000abcd\"").unwrap(), spk);
        assert!(serde_json::from_str::<ScriptPublicKey>("\"00\"").is_err());
    }
}
