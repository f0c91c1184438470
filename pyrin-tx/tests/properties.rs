//! Sign-then-verify, tamper detection, address round trips and mass monotonicity.

use proptest::prelude::*;
use pyrin_core::{
    Amount, ScriptPublicKey, Transaction, TransactionId, TransactionInput, TransactionOutpoint, TransactionOutput,
};
use pyrin_tx::{
    address::{Address, Prefix, Version},
    mass::{compute_mass, signed_compute_mass, MassError, MassPrices, SignedInput},
    script::pay_to_address,
    sighash::{SigHashType, SighashCache},
    sign::{
        ecdsa_sign_digest, ecdsa_verify_digest, schnorr_sign_digest, schnorr_verify_digest, sign_ecdsa_input,
        sign_schnorr_input, sign_transaction, verify_transaction, KeyRing, PrivateKey, Randomness, SignError,
    },
    UtxoEntry,
};

/// Deterministic signing, so failures reproduce.
const FIXED: Randomness<'static> = Randomness::Fixed([0x5c; 32]);

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
                previous_outpoint: TransactionOutpoint::new(TransactionId::from_bytes([i as u8; 32]), i as u32),
                signature_script: vec![],
                sequence: i as u64,
                sig_op_count: 1,
            })
            .collect(),
        outputs: (0..outputs)
            .map(|i| TransactionOutput::new(Amount::from_leor(amounts + i as u64), pay_to_address(owner)))
            .collect(),
        ..Transaction::default()
    };
    let entries = (0..inputs)
        .map(|i| UtxoEntry {
            amount: Amount::from_leor(amounts * 2 + i as u64),
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
        sign_transaction(&mut tx, &entries, &k, ty, FIXED).unwrap();
        prop_assert!(verify_transaction(&tx, &entries).is_ok());
    }

    #[test]
    fn any_flipped_signature_bit_fails(seed in any::<u8>(), ecdsa in any::<bool>(), ty in sighash_type(), input in 0usize..3, bit in 8usize..(8 * 65)) {
        let k = key(seed);
        let (mut tx, entries) = spend(3, 2, &address_of(&k, ecdsa), 5_000);
        sign_transaction(&mut tx, &entries, &k, ty, FIXED).unwrap();
        tx.inputs[input].signature_script[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(verify_transaction(&tx, &entries).is_err());
    }

    #[test]
    fn any_flipped_message_bit_fails(seed in any::<u8>(), digest in any::<[u8; 32]>(), bit in 0usize..256) {
        let k = key(seed);
        let mut flipped = digest;
        flipped[bit / 8] ^= 1 << (bit % 8);
        let schnorr = schnorr_sign_digest(&k, &digest, FIXED).unwrap();
        prop_assert!(schnorr_verify_digest(&k.schnorr_public_key(), &digest, &schnorr).unwrap());
        prop_assert!(!schnorr_verify_digest(&k.schnorr_public_key(), &flipped, &schnorr).unwrap());
        let ecdsa = ecdsa_sign_digest(&k, &digest, FIXED).unwrap();
        prop_assert!(ecdsa_verify_digest(&k.ecdsa_public_key(), &digest, &ecdsa).unwrap());
        prop_assert!(!ecdsa_verify_digest(&k.ecdsa_public_key(), &flipped, &ecdsa).unwrap());
    }

    /// Under `ALL` every field of the transaction and of the spent entries is committed
    /// to, so one flipped bit anywhere in them must break the signatures.
    #[test]
    fn any_flipped_transaction_bit_fails(seed in any::<u8>(), ecdsa in any::<bool>(), field in 0usize..14, bit in 0usize..64) {
        let k = key(seed);
        let (mut tx, mut entries) = spend(2, 2, &address_of(&k, ecdsa), 5_000);
        // Payloads are committed to outside the native subnetwork only (as in the node).
        tx.subnetwork_id = pyrin_core::SubnetworkId::from_byte(9);
        tx.payload = vec![0x5a; 8];
        sign_transaction(&mut tx, &entries, &k, SigHashType::ALL, FIXED).unwrap();
        let (byte, b8, b16, b32) = (bit / 8, 1u8 << (bit % 8), 1u16 << (bit % 16), 1u32 << (bit % 32));
        match field {
            0 => tx.version ^= b16,
            1 => {
                let mut id = tx.inputs[0].previous_outpoint.transaction_id.to_bytes();
                id[byte] ^= b8;
                tx.inputs[0].previous_outpoint.transaction_id = TransactionId::from_bytes(id);
            }
            2 => tx.inputs[1].previous_outpoint.index ^= b32,
            3 => tx.inputs[0].sequence ^= 1 << bit,
            4 => tx.inputs[1].sig_op_count ^= b8,
            5 => tx.outputs[0].value = Amount::from_leor(tx.outputs[0].value.to_leor() ^ (1 << bit)),
            6 => tx.outputs[1].script_public_key.version ^= b16,
            7 => tx.outputs[1].script_public_key.script[byte] ^= b8,
            8 => tx.lock_time ^= 1 << bit,
            9 => tx.gas ^= 1 << bit,
            10 => {
                let mut id = *tx.subnetwork_id.as_bytes();
                id[byte % id.len()] ^= b8;
                tx.subnetwork_id = pyrin_core::SubnetworkId::from_bytes(id);
            }
            11 => tx.payload[byte] ^= b8,
            12 => entries[0].amount = Amount::from_leor(entries[0].amount.to_leor() ^ (1 << bit)),
            _ => entries[1].script_public_key.script[byte] ^= b8,
        }
        prop_assert!(verify_transaction(&tx, &entries).is_err());
    }

    /// The plain twin of the cache: a fresh cache per hash computes everything from
    /// scratch, so a shared cache must give the same hash for every input and type in any
    /// order (nothing cached for one type or input leaks into another).
    #[test]
    fn a_shared_cache_equals_a_fresh_one_per_hash(inputs in 1usize..6, outputs in 0usize..4, payload in any::<bool>(),
                                                  order in prop::collection::vec((0usize..6, 0usize..6), 1..40)) {
        let (mut tx, entries) = spend(inputs, outputs, &address_of(&key(1), false), 500);
        if payload {
            tx.subnetwork_id = pyrin_core::SubnetworkId::from_byte(7);
            tx.payload = vec![1, 2, 3];
        }
        let shared = SighashCache::new(&tx, &entries).unwrap();
        for (input, ty) in order {
            let (input, ty) = (input % inputs, SigHashType::ALL_TYPES[ty]);
            let fresh = SighashCache::new(&tx, &entries).unwrap();
            prop_assert_eq!(shared.schnorr_hash(input, ty).unwrap(), fresh.schnorr_hash(input, ty).unwrap());
            prop_assert_eq!(shared.ecdsa_hash(input, ty).unwrap(), fresh.ecdsa_hash(input, ty).unwrap());
        }
    }

    #[test]
    fn addresses_round_trip(prefix in prop::sample::select(vec![Prefix::Mainnet, Prefix::Testnet, Prefix::Simnet, Prefix::Devnet]),
                            version in prop::sample::select(vec![Version::PubKey, Version::PubKeyEcdsa, Version::ScriptHash]),
                            payload in prop::collection::vec(any::<u8>(), 33)) {
        let address = Address::new(prefix, version, payload[..version.payload_len()].to_vec()).unwrap();
        prop_assert_eq!(address.to_string().parse::<Address>().unwrap(), address);
    }

    /// The estimate before signing is the mass after it, for any mix of Schnorr and ECDSA
    /// owners, sighash types, outputs and payload.
    #[test]
    fn the_signed_mass_estimate_is_exact_for_p2pk_inputs(owners in prop::collection::vec((0u8..3, any::<bool>()), 1..6), outputs in 0usize..4,
                                                         ty in sighash_type(), payload in prop::collection::vec(any::<u8>(), 0..40)) {
        let keys: Vec<PrivateKey> = (0..3).map(|i| key(100 + i)).collect();
        let (mut tx, mut entries) = spend(owners.len(), outputs, &address_of(&keys[0], false), 700);
        for (entry, &(owner, ecdsa)) in entries.iter_mut().zip(&owners) {
            entry.script_public_key = pay_to_address(&address_of(&keys[usize::from(owner)], ecdsa));
        }
        if !payload.is_empty() {
            tx.subnetwork_id = pyrin_core::SubnetworkId::from_byte(3);
            tx.payload = payload;
        }
        let prices = MassPrices::from_params(pyrin_core::params::Network::Mainnet.params());
        let signed_inputs: Vec<SignedInput> = entries.iter().map(|e| SignedInput::for_spent(&e.script_public_key).unwrap()).collect();
        let estimate = signed_compute_mass(&tx, &signed_inputs, &prices).unwrap();
        prop_assert!(estimate > compute_mass(&tx, &prices));
        sign_transaction(&mut tx, &entries, &keys, ty, FIXED).unwrap();
        prop_assert_eq!(estimate, compute_mass(&tx, &prices));
        // Signature scripts already present are replaced, not added to.
        prop_assert_eq!(signed_compute_mass(&tx, &signed_inputs, &prices).unwrap(), estimate);
    }

    #[test]
    fn mass_grows_with_size(extra_script in 0usize..200, extra_payload in 0usize..200) {
        let prices = MassPrices { per_tx_byte: 1, per_script_pub_key_byte: 10, per_sig_op: 1000 };
        let (tx, _) = spend(2, 2, &address_of(&key(3), false), 100);
        let mut bigger = tx.clone();
        bigger.inputs[0].signature_script.extend(std::iter::repeat_n(0u8, extra_script));
        bigger.payload.extend(std::iter::repeat_n(0u8, extra_payload));
        bigger.outputs.push(TransactionOutput::new(Amount::ONE_LEOR, ScriptPublicKey::new(0, vec![0; extra_script])));
        prop_assert!(compute_mass(&bigger, &prices) > compute_mass(&tx, &prices));
    }
}

#[test]
fn the_signed_mass_needs_one_description_per_input() {
    let (tx, _) = spend(2, 1, &address_of(&key(1), false), 10);
    let prices = MassPrices::from_params(pyrin_core::params::Network::Mainnet.params());
    assert_eq!(
        signed_compute_mass(&tx, &[SignedInput::P2pk], &prices),
        Err(MassError::InputCount { inputs: 2, given: 1 })
    );
    let exact = signed_compute_mass(&tx, &[SignedInput::P2pk, SignedInput::ScriptLen(66)], &prices).unwrap();
    assert_eq!(exact, signed_compute_mass(&tx, &[SignedInput::P2pk; 2], &prices).unwrap());
}

#[cfg(feature = "rayon")]
#[test]
fn parallel_verification_agrees() {
    use pyrin_tx::sign::par_verify_transaction;
    let k = key(9);
    let (mut tx, entries) = spend(64, 3, &address_of(&k, false), 77);
    sign_transaction(&mut tx, &entries, &k, SigHashType::ALL, FIXED).unwrap();
    assert!(par_verify_transaction(&tx, &entries).is_ok());
    tx.inputs[40].signature_script[5] ^= 1;
    assert!(par_verify_transaction(&tx, &entries).is_err());
    assert!(verify_transaction(&tx, &entries).is_err());
}

#[test]
fn every_sighash_type_signs_and_verifies_with_both_schemes() {
    for ecdsa in [false, true] {
        for ty in SigHashType::ALL_TYPES {
            let k = key(42);
            let (mut tx, entries) = spend(3, 2, &address_of(&k, ecdsa), 1_234);
            sign_transaction(&mut tx, &entries, &k, ty, FIXED).unwrap();
            assert_eq!(verify_transaction(&tx, &entries), Ok(()), "{ty:?}, ecdsa: {ecdsa}");
        }
    }
}

#[test]
fn signing_refuses_an_input_without_exactly_one_sig_op() {
    let k = key(5);
    for declared in [0u8, 2, 255] {
        let (mut tx, entries) = spend(2, 1, &address_of(&k, declared % 2 == 0), 10);
        tx.inputs[1].sig_op_count = declared;
        let before = tx.clone();
        assert_eq!(
            sign_transaction(&mut tx, &entries, &k, SigHashType::ALL, FIXED),
            Err(SignError::WrongSigOpCount { input: 1, declared, expected: 1 })
        );
        assert_eq!(tx, before, "a refused signing leaves the transaction untouched");
        let cache = SighashCache::new(&tx, &entries).unwrap();
        let refused = Err(SignError::WrongSigOpCount { input: 1, declared, expected: 1 });
        assert_eq!(sign_schnorr_input(&cache, 1, &k, SigHashType::ALL, FIXED), refused);
        assert_eq!(sign_ecdsa_input(&cache, 1, &k, SigHashType::ALL, FIXED), refused);
    }
}

#[test]
fn the_default_input_is_refused_when_signing_not_only_when_verifying() {
    let k = key(6);
    let (mut tx, entries) = spend(1, 1, &address_of(&k, false), 10);
    tx.inputs[0] =
        TransactionInput { previous_outpoint: tx.inputs[0].previous_outpoint, ..TransactionInput::default() };
    assert_eq!(
        sign_transaction(&mut tx, &entries, &k, SigHashType::ALL, FIXED),
        Err(SignError::WrongSigOpCount { input: 0, declared: 0, expected: 1 })
    );
}

#[test]
fn a_sig_op_count_changed_after_signing_fails_verification() {
    let k = key(5);
    for declared in [0u8, 2, 255] {
        let (mut tx, entries) = spend(2, 1, &address_of(&k, false), 10);
        sign_transaction(&mut tx, &entries, &k, SigHashType::ALL, FIXED).unwrap();
        // Every signature commits to all the counts, so input 0's is the first to fail:
        // on the count, before its signature is even checked.
        tx.inputs[0].sig_op_count = declared;
        assert_eq!(
            verify_transaction(&tx, &entries),
            Err(SignError::WrongSigOpCount { input: 0, declared, expected: 1 })
        );
    }
}

#[test]
fn signing_refuses_outputs_the_key_does_not_own() {
    let (mine, theirs) = (key(1), key(2));
    let (mut tx, mut entries) = spend(2, 1, &address_of(&mine, false), 10);
    entries[1].script_public_key = pay_to_address(&address_of(&theirs, true));
    let before = tx.clone();
    assert_eq!(sign_transaction(&mut tx, &entries, &mine, SigHashType::ALL, FIXED), Err(SignError::MissingKey(1)));
    assert_eq!(tx, before, "a refused signing leaves the transaction untouched");
    let p2sh = Address::new(Prefix::Mainnet, Version::ScriptHash, vec![9; 32]).unwrap();
    entries[1].script_public_key = pay_to_address(&p2sh);
    assert_eq!(
        sign_transaction(&mut tx, &entries, &mine, SigHashType::ALL, FIXED),
        Err(SignError::UnsupportedScript(1))
    );
}

/// Four inputs owned by three keys, Schnorr and ECDSA mixed: each is signed by its owner.
fn multi_owner_spend() -> (Transaction, Vec<UtxoEntry>, [PrivateKey; 3]) {
    let keys = [key(10), key(11), key(12)];
    let owners = [address_of(&keys[0], false), address_of(&keys[1], true), address_of(&keys[2], false)];
    let (tx, mut entries) = spend(4, 2, &owners[0], 50);
    for (entry, owner) in entries.iter_mut().zip([&owners[0], &owners[1], &owners[2], &owners[1]]) {
        entry.script_public_key = pay_to_address(owner);
    }
    (tx, entries, keys)
}

#[test]
fn inputs_owned_by_different_keys_are_signed_by_their_owners() {
    let (tx, entries, keys) = multi_owner_spend();
    let mut from_array = tx.clone();
    sign_transaction(&mut from_array, &entries, &keys, SigHashType::ALL, FIXED).unwrap();
    assert_eq!(verify_transaction(&from_array, &entries), Ok(()));
    // Any order and any container: the owner is found by the spent script.
    let reversed: Vec<PrivateKey> = keys.iter().rev().cloned().collect();
    let mut from_vec = tx.clone();
    sign_transaction(&mut from_vec, &entries, &reversed, SigHashType::ALL, FIXED).unwrap();
    assert_eq!(from_vec, from_array);
    let mut from_slice = tx;
    sign_transaction(&mut from_slice, &entries, &reversed[..], SigHashType::ALL, FIXED).unwrap();
    assert_eq!(from_slice, from_array);
}

#[test]
fn an_input_no_key_owns_is_reported_and_nothing_is_signed() {
    let (mut tx, entries, keys) = multi_owner_spend();
    let before = tx.clone();
    let without_third = [keys[0].clone(), keys[1].clone()];
    assert_eq!(
        sign_transaction(&mut tx, &entries, &without_third, SigHashType::ALL, FIXED),
        Err(SignError::MissingKey(2))
    );
    assert_eq!(
        sign_transaction(&mut tx, &entries, &[] as &[PrivateKey], SigHashType::ALL, FIXED),
        Err(SignError::MissingKey(0))
    );
    assert_eq!(tx, before);
}

#[test]
fn a_key_ring_that_returns_the_wrong_key_is_not_trusted() {
    struct Careless(PrivateKey);
    impl KeyRing for Careless {
        fn key_for(&self, _: &ScriptPublicKey) -> Option<&PrivateKey> {
            Some(&self.0)
        }
    }
    let (mut tx, entries, keys) = multi_owner_spend();
    let ring = Careless(keys[0].clone());
    assert_eq!(sign_transaction(&mut tx, &entries, &ring, SigHashType::ALL, FIXED), Err(SignError::MissingKey(1)));
}

#[test]
fn fixed_randomness_signs_deterministically_and_other_bytes_sign_differently() {
    let k = key(20);
    let (tx, entries) = spend(2, 1, &address_of(&k, false), 10);
    let signed = |randomness: Randomness<'_>| {
        let mut tx = tx.clone();
        sign_transaction(&mut tx, &entries, &k, SigHashType::ALL, randomness).unwrap();
        assert_eq!(verify_transaction(&tx, &entries), Ok(()));
        tx
    };
    assert_eq!(signed(Randomness::Fixed([1; 32])), signed(Randomness::Fixed([1; 32])));
    assert_ne!(signed(Randomness::Fixed([1; 32])), signed(Randomness::Fixed([2; 32])));
}

#[test]
fn a_generator_is_asked_once_for_the_blinding_and_once_per_schnorr_signature() {
    let (tx, entries, keys) = multi_owner_spend();
    let mut calls = Vec::new();
    let mut next = || {
        calls.push(());
        [calls.len() as u8; 32]
    };
    let mut signed = tx.clone();
    sign_transaction(&mut signed, &entries, &keys, SigHashType::ALL, Randomness::Generator(&mut next)).unwrap();
    assert_eq!(verify_transaction(&signed, &entries), Ok(()));
    // One blinding seed, then inputs 0 and 2 (Schnorr); inputs 1 and 3 are ECDSA.
    assert_eq!(calls.len(), 3);
    // The Schnorr signatures used the generator's bytes 2 and 3 as auxiliary randomness.
    let cache = SighashCache::new(&tx, &entries).unwrap();
    for (input, aux) in [(0, 2u8), (2, 3)] {
        let digest = cache.schnorr_hash(input, SigHashType::ALL).unwrap().to_bytes();
        let expected = schnorr_sign_digest(&keys[input], &digest, Randomness::Fixed([aux; 32])).unwrap();
        assert_eq!(signed.inputs[input].signature_script[1..65], expected);
    }
}

#[test]
fn ecdsa_signatures_do_not_depend_on_the_randomness() {
    let k = key(21);
    let digest = [0x33; 32];
    let fixed = ecdsa_sign_digest(&k, &digest, Randomness::Fixed([0; 32])).unwrap();
    let mut next = || [0xee; 32];
    assert_eq!(ecdsa_sign_digest(&k, &digest, Randomness::Generator(&mut next)).unwrap(), fixed);
}

#[cfg(feature = "rand")]
#[test]
fn system_randomness_gives_fresh_valid_schnorr_signatures() {
    let k = key(22);
    let (tx, entries) = spend(1, 1, &address_of(&k, false), 10);
    let mut a = tx.clone();
    let mut b = tx;
    sign_transaction(&mut a, &entries, &k, SigHashType::ALL, Randomness::System).unwrap();
    sign_transaction(&mut b, &entries, &k, SigHashType::ALL, Randomness::System).unwrap();
    assert_ne!(a, b, "fresh auxiliary randomness for each signature");
    assert_eq!(verify_transaction(&a, &entries), Ok(()));
    assert_eq!(verify_transaction(&b, &entries), Ok(()));
}
