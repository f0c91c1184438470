//! Sign-then-verify, tamper detection, address round trips and mass monotonicity.

use proptest::prelude::*;
use pyrin_core::{Hash, ScriptPublicKey, Transaction, TransactionInput, TransactionOutpoint, TransactionOutput};
use pyrin_tx::{
    address::{Address, Prefix, Version},
    mass::{compute_mass, MassPrices},
    script::pay_to_address,
    sighash::SigHashType,
    sign::{sign_transaction, verify_transaction, PrivateKey},
    UtxoEntry,
};

fn key(seed: u8) -> PrivateKey {
    let mut bytes = [0x11; 32];
    bytes[31] = seed;
    PrivateKey::from_bytes(bytes).unwrap()
}

fn address_of(key: &PrivateKey, ecdsa: bool) -> Address {
    if ecdsa {
        Address::new(Prefix::Mainnet, Version::PubKeyEcdsa, key.ecdsa_public_key().to_vec()).unwrap()
    } else {
        Address::new(Prefix::Mainnet, Version::PubKey, key.schnorr_public_key().to_vec()).unwrap()
    }
}

fn spend(inputs: usize, outputs: usize, owner: &Address, amounts: u64) -> (Transaction, Vec<UtxoEntry>) {
    let tx = Transaction {
        inputs: (0..inputs)
            .map(|i| TransactionInput {
                previous_outpoint: TransactionOutpoint::new(Hash::from_bytes([i as u8; 32]), i as u32),
                signature_script: vec![],
                sequence: i as u64,
                sig_op_count: 1,
            })
            .collect(),
        outputs: (0..outputs)
            .map(|i| TransactionOutput { value: amounts + i as u64, script_public_key: pay_to_address(owner) })
            .collect(),
        ..Transaction::default()
    };
    let entries = (0..inputs)
        .map(|i| UtxoEntry {
            amount: amounts * 2 + i as u64,
            script_public_key: pay_to_address(owner),
            block_daa_score: 7,
            is_coinbase: false,
        })
        .collect();
    (tx, entries)
}

fn sighash_type() -> impl Strategy<Value = SigHashType> {
    prop::sample::select(SigHashType::ALL_TYPES.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn signed_transactions_verify(seed in any::<u8>(), ecdsa in any::<bool>(), ty in sighash_type(), inputs in 1usize..5, outputs in 0usize..4, amount in 1u64..1_000_000) {
        let k = key(seed);
        let (mut tx, entries) = spend(inputs, outputs, &address_of(&k, ecdsa), amount);
        sign_transaction(&mut tx, &entries, &k, ty).unwrap();
        prop_assert!(verify_transaction(&tx, &entries).is_ok());
    }

    #[test]
    fn any_flipped_signature_bit_fails(seed in any::<u8>(), ecdsa in any::<bool>(), bit in 8usize..(8 * 65)) {
        let k = key(seed);
        let (mut tx, entries) = spend(2, 2, &address_of(&k, ecdsa), 5_000);
        sign_transaction(&mut tx, &entries, &k, SigHashType::ALL).unwrap();
        tx.inputs[1].signature_script[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(verify_transaction(&tx, &entries).is_err());
    }

    #[test]
    fn changing_what_all_commits_to_fails(seed in any::<u8>(), ecdsa in any::<bool>(), which in 0usize..4) {
        let k = key(seed);
        let (mut tx, mut entries) = spend(2, 2, &address_of(&k, ecdsa), 5_000);
        sign_transaction(&mut tx, &entries, &k, SigHashType::ALL).unwrap();
        match which {
            0 => tx.outputs[0].value += 1,
            1 => tx.inputs[0].sequence ^= 1,
            2 => tx.lock_time += 1,
            _ => entries[1].amount += 1,
        }
        prop_assert!(verify_transaction(&tx, &entries).is_err());
    }

    #[test]
    fn addresses_round_trip(prefix in prop::sample::select(vec![Prefix::Mainnet, Prefix::Testnet, Prefix::Simnet, Prefix::Devnet]),
                            version in prop::sample::select(vec![Version::PubKey, Version::PubKeyEcdsa, Version::ScriptHash]),
                            payload in prop::collection::vec(any::<u8>(), 33)) {
        let address = Address::new(prefix, version, payload[..version.payload_len()].to_vec()).unwrap();
        prop_assert_eq!(address.to_string().parse::<Address>().unwrap(), address);
    }

    #[test]
    fn mass_grows_with_size(extra_script in 0usize..200, extra_payload in 0usize..200) {
        let prices = MassPrices { per_tx_byte: 1, per_script_pub_key_byte: 10, per_sig_op: 1000 };
        let (tx, _) = spend(2, 2, &address_of(&key(3), false), 100);
        let mut bigger = tx.clone();
        bigger.inputs[0].signature_script.extend(std::iter::repeat_n(0u8, extra_script));
        bigger.payload.extend(std::iter::repeat_n(0u8, extra_payload));
        bigger.outputs.push(TransactionOutput { value: 1, script_public_key: ScriptPublicKey::new(0, vec![0; extra_script]) });
        prop_assert!(compute_mass(&bigger, &prices) > compute_mass(&tx, &prices));
    }
}

#[cfg(feature = "rayon")]
#[test]
fn parallel_verification_agrees() {
    use pyrin_tx::sign::par_verify_transaction;
    let k = key(9);
    let (mut tx, entries) = spend(64, 3, &address_of(&k, false), 77);
    sign_transaction(&mut tx, &entries, &k, SigHashType::ALL).unwrap();
    assert!(par_verify_transaction(&tx, &entries).is_ok());
    tx.inputs[40].signature_script[5] ^= 1;
    assert!(par_verify_transaction(&tx, &entries).is_err());
    assert!(verify_transaction(&tx, &entries).is_err());
}
