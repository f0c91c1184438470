//! The script engine on inputs signed by the crate itself: P2PK (Schnorr, ECDSA), P2SH
//! multisig, lock times, push-only signature scripts, unknown versions, sig-op counts.

use pyrin_core::{
    Amount, ScriptPublicKey, Transaction, TransactionId, TransactionInput, TransactionOutpoint, TransactionOutput,
};
use pyrin_tx::engine::{sig_op_count, Engine, ScriptError};
use pyrin_tx::script::{p2pk_signature_script, pay_to_script_hash};
use pyrin_tx::script_asm::{self, push_data};
use pyrin_tx::sighash::{SigHashType, SighashCache};
use pyrin_tx::sign::{schnorr_sign_digest, sign_transaction, PrivateKey, Randomness};
use pyrin_tx::UtxoEntry;

fn entry(spk: ScriptPublicKey) -> UtxoEntry {
    UtxoEntry { amount: Amount::from_leor(1_000), script_public_key: spk, block_daa_score: 7, is_coinbase: false }
}

fn spend(signature_script: Vec<u8>) -> Transaction {
    let mut input = TransactionInput::new(TransactionOutpoint::new(TransactionId::from_bytes([5; 32]), 1), 0, 1);
    input.signature_script = signature_script;
    Transaction {
        inputs: vec![input],
        outputs: vec![TransactionOutput::new(Amount::from_leor(900), ScriptPublicKey::new(0, vec![0x51]))],
        ..Transaction::default()
    }
}

fn run(tx: &Transaction, entries: &[UtxoEntry]) -> Result<(), ScriptError> {
    let cache = SighashCache::new(tx, entries).unwrap();
    Engine::new(&cache, 0)?.execute()
}

fn key(b: u8) -> PrivateKey {
    PrivateKey::from_bytes([b; 32]).unwrap()
}

#[test]
fn p2pk_schnorr_and_ecdsa() {
    for ecdsa in [false, true] {
        let k = key(0x11);
        let address = if ecdsa {
            k.ecdsa_address(pyrin_tx::address::Prefix::Mainnet)
        } else {
            k.schnorr_address(pyrin_tx::address::Prefix::Mainnet)
        };
        let entries = [entry(pyrin_tx::script::pay_to_address(&address))];
        let mut tx = spend(vec![]);
        sign_transaction(&mut tx, &entries, &k, SigHashType::ALL, Randomness::Fixed([0; 32])).unwrap();
        assert_eq!(run(&tx, &entries), Ok(()), "ecdsa {ecdsa}");
        // Another key's signature: CHECKSIG pushes false.
        let mut other = spend(vec![]);
        sign_transaction(
            &mut other,
            &[entry(pyrin_tx::script::pay_to_address(&if ecdsa {
                key(0x22).ecdsa_address(pyrin_tx::address::Prefix::Mainnet)
            } else {
                key(0x22).schnorr_address(pyrin_tx::address::Prefix::Mainnet)
            }))],
            &key(0x22),
            SigHashType::ALL,
            Randomness::Fixed([0; 32]),
        )
        .unwrap();
        assert_eq!(run(&other, &entries), Err(ScriptError::EvalFalse));
        // A bad sighash byte.
        let mut bad = tx.clone();
        let last = bad.inputs[0].signature_script.len() - 1;
        bad.inputs[0].signature_script[last] = 0x03;
        assert_eq!(run(&bad, &entries), Err(ScriptError::SigHashType(0x03)));
    }
}

/// `m`-of-`keys.len()` Schnorr multisig redeem script.
fn multisig(m: u8, keys: &[PrivateKey]) -> Vec<u8> {
    let mut s = Vec::new();
    script_asm::push_number(&mut s, i64::from(m));
    for k in keys {
        push_data(&mut s, &k.schnorr_public_key()).unwrap();
    }
    script_asm::push_number(&mut s, keys.len() as i64);
    s.push(pyrin_tx::opcodes::OP_CHECK_MULTI_SIG);
    s
}

#[test]
fn p2sh_multisig() {
    let keys = [key(1), key(2), key(3)];
    let redeem = multisig(2, &keys);
    let entries = [entry(pay_to_script_hash(&redeem))];
    let sign_with = |signers: &[&PrivateKey]| {
        let tx = spend(vec![]);
        let cache = SighashCache::new(&tx, &entries).unwrap();
        let digest = cache.schnorr_hash(0, SigHashType::ALL).unwrap();
        let mut script = Vec::new();
        for k in signers {
            let sig = schnorr_sign_digest(k, digest.as_bytes(), Randomness::Fixed([0; 32])).unwrap();
            script.extend_from_slice(&p2pk_signature_script(&sig, 1));
        }
        push_data(&mut script, &redeem).unwrap();
        spend(script)
    };
    assert_eq!(run(&sign_with(&[&keys[0], &keys[2]]), &entries), Ok(()));
    assert_eq!(run(&sign_with(&[&keys[1], &keys[2]]), &entries), Ok(()));
    // Out of order, or a stranger: the non-empty signatures fail.
    assert_eq!(run(&sign_with(&[&keys[2], &keys[0]]), &entries), Err(ScriptError::NullFail));
    assert_eq!(run(&sign_with(&[&keys[0], &key(9)]), &entries), Err(ScriptError::NullFail));
    // Another redeem script than the committed one.
    let other = multisig(1, &keys);
    let mut tx = sign_with(&[&keys[0], &keys[1]]);
    let mut script = tx.inputs[0].signature_script[..132].to_vec();
    push_data(&mut script, &other).unwrap();
    tx.inputs[0].signature_script = script;
    assert_eq!(run(&tx, &entries), Err(ScriptError::EvalFalse));
    // Counted sig ops: the redeem script's two-of-three counts three.
    let tx = sign_with(&[&keys[0], &keys[1]]);
    assert_eq!(sig_op_count(&tx.inputs[0].signature_script, &entries[0].script_public_key.script), 3);
}

#[test]
fn push_only_version_and_clean_stack() {
    let spk = ScriptPublicKey::new(0, script_asm::parse("1").unwrap());
    assert_eq!(
        run(&spend(script_asm::parse("1 DUP DROP").unwrap()), &[entry(spk.clone())]),
        Err(ScriptError::SigPushOnly)
    );
    assert_eq!(run(&spend(script_asm::parse("1").unwrap()), &[entry(spk)]), Err(ScriptError::CleanStack(1)));
    let unknown = ScriptPublicKey::new(1, script_asm::parse("RETURN").unwrap());
    assert_eq!(run(&spend(vec![]), &[entry(unknown)]), Ok(()));
    let tx = spend(vec![]);
    let entries = [entry(ScriptPublicKey::new(0, vec![0x51]))];
    let cache = SighashCache::new(&tx, &entries).unwrap();
    assert!(matches!(Engine::new(&cache, 1), Err(ScriptError::InputIndex { index: 1, inputs: 1 })));
}

#[test]
fn lock_times() {
    // The lock-time checks pop their operand (unlike Bitcoin's, which leave it).
    let cltv = |script: &str, lock_time: u64, sequence: u64| {
        let mut tx = spend(vec![]);
        tx.lock_time = lock_time;
        tx.inputs[0].sequence = sequence;
        run(&tx, &[entry(ScriptPublicKey::new(0, script_asm::parse(script).unwrap()))])
    };
    assert_eq!(cltv("100 CHECKLOCKTIMEVERIFY 1", 100, 0), Ok(()));
    assert_eq!(cltv("101 CHECKLOCKTIMEVERIFY 1", 100, 0), Err(ScriptError::UnsatisfiedLockTime));
    assert_eq!(cltv("100 CHECKLOCKTIMEVERIFY 1", 100, u64::MAX), Err(ScriptError::UnsatisfiedLockTime));
    assert_eq!(cltv("100 CHECKLOCKTIMEVERIFY 1", 500_000_000_000, 0), Err(ScriptError::UnsatisfiedLockTime));
    assert_eq!(cltv("10 CHECKSEQUENCEVERIFY 1", 0, 10), Ok(()));
    assert_eq!(cltv("11 CHECKSEQUENCEVERIFY 1", 0, 10), Err(ScriptError::UnsatisfiedLockTime));
    assert_eq!(cltv("11 CHECKSEQUENCEVERIFY 1", 0, 1 << 63), Err(ScriptError::UnsatisfiedLockTime));
}

#[test]
fn sig_op_counts() {
    let count = |s: &str| sig_op_count(&[], &script_asm::parse(s).unwrap());
    assert_eq!(count("CHECKSIG CHECKSIGVERIFY CHECKSIGECDSA"), 3);
    assert_eq!(count("1 2 3 OP_3 CHECKMULTISIG"), 3);
    assert_eq!(count("CHECKMULTISIGECDSA"), 20);
    assert_eq!(count("0x01 0x14 CHECKMULTISIGVERIFY"), 20);
    assert_eq!(count("CHECKSIG 0x4c"), 1);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Bytes biased towards opcodes the engine executes, so scripts get past the first byte.
    fn script() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(prop_oneof![0x00u8..=0x60, 0x61u8..=0xb1, any::<u8>()], 0..64)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Formatting then parsing gives the same bytes, for any bytes.
        #[test]
        fn format_parse_round_trip(bytes in prop::collection::vec(any::<u8>(), 0..128)) {
            prop_assert_eq!(script_asm::parse(&script_asm::format(&bytes)).unwrap(), bytes);
        }

        /// Any pair of scripts runs to an answer without panicking, and a P2SH spend of any
        /// redeem script too.
        #[test]
        fn engine_never_panics(sig in script(), spk in script(), redeem in script()) {
            let _ = run(&spend(sig.clone()), &[entry(ScriptPublicKey::new(0, spk))]);
            let mut p2sh_sig = sig;
            let _ = push_data(&mut p2sh_sig, &redeem);
            let _ = run(&spend(p2sh_sig), &[entry(pay_to_script_hash(&redeem))]);
        }
    }
}

/// `verify_transaction` runs the engine on every input: a P2SH multisig spend verifies once
/// it declares the three signature operations its redeem script counts.
#[test]
fn verify_transaction_runs_any_script() {
    use pyrin_tx::sign::{verify_transaction, SignError};
    let keys = [key(1), key(2), key(3)];
    let redeem = multisig(2, &keys);
    let entries = [entry(pay_to_script_hash(&redeem))];
    let signed = |declared: u8| {
        let mut tx = spend(vec![]);
        tx.inputs[0].sig_op_count = declared;
        let cache = SighashCache::new(&tx, &entries).unwrap();
        let digest = cache.schnorr_hash(0, SigHashType::ALL).unwrap();
        let mut script = Vec::new();
        for k in &keys[..2] {
            let sig = schnorr_sign_digest(k, digest.as_bytes(), Randomness::Fixed([0; 32])).unwrap();
            script.extend_from_slice(&p2pk_signature_script(&sig, 1));
        }
        push_data(&mut script, &redeem).unwrap();
        tx.inputs[0].signature_script = script;
        tx
    };
    assert_eq!(verify_transaction(&signed(3), &entries), Ok(()));
    assert_eq!(
        verify_transaction(&signed(1), &entries),
        Err(SignError::WrongSigOpCount { input: 0, declared: 1, expected: 3 })
    );
    let mut corrupted = signed(3);
    corrupted.inputs[0].signature_script[5] ^= 1;
    assert_eq!(
        verify_transaction(&corrupted, &entries),
        Err(SignError::Script { input: 0, source: ScriptError::NullFail })
    );
}

/// A signature cache is consulted before a check and filled after it; with or without it
/// the verdicts are the same.
#[test]
#[cfg(feature = "std")]
fn signature_cache() {
    use pyrin_tx::engine::{BoundedSignatureCache, SigCacheKey, SignatureCache};
    use pyrin_tx::sign::{verify_transaction, verify_transaction_with_cache, SignError};
    use std::cell::Cell;

    let k = key(0x31);
    let entries = [entry(pyrin_tx::script::pay_to_address(&k.schnorr_address(pyrin_tx::address::Prefix::Mainnet)))];
    let mut tx = spend(vec![]);
    sign_transaction(&mut tx, &entries, &k, SigHashType::ALL, Randomness::Fixed([0; 32])).unwrap();
    let mut bad = tx.clone();
    bad.inputs[0].signature_script[10] ^= 0x40;

    let cache = BoundedSignatureCache::new(16);
    for _ in 0..2 {
        assert_eq!(verify_transaction_with_cache(&tx, &entries, &cache), Ok(()));
        assert_eq!(verify_transaction_with_cache(&bad, &entries, &cache), verify_transaction(&bad, &entries));
    }
    assert_eq!(cache.len(), 2);

    // A cache that claims every signature valid shows the engine trusts a hit: the bad
    // signature passes through it (so only ever fill a cache from real checks).
    struct Liar(Cell<usize>);
    impl SignatureCache for Liar {
        fn get(&self, _: &SigCacheKey) -> Option<bool> {
            self.0.set(self.0.get() + 1);
            Some(true)
        }
        fn insert(&self, _: SigCacheKey, _: bool) {
            unreachable!("a hit is not re-inserted")
        }
    }
    let liar = Liar(Cell::new(0));
    assert_eq!(verify_transaction_with_cache(&bad, &entries, &liar), Ok(()));
    assert_eq!(liar.0.get(), 1);
    assert!(matches!(verify_transaction(&bad, &entries), Err(SignError::Script { input: 0, .. })));
}

/// An ECDSA signature whose r or s is not below the group order does not parse: the
/// reference's engine fails the script (`TxScriptError::InvalidSignature`) rather than
/// counting the signature false, so `OP_CHECKSIGECDSA OP_NOT` cannot turn it into a pass.
#[test]
fn an_unparseable_ecdsa_signature_fails_the_script() {
    let key = key(0x31).ecdsa_public_key();
    for (r, s) in [([0xff; 32], [0x01; 32]), ([0x01; 32], [0xff; 32])] {
        let mut signature = vec![0x41];
        signature.extend_from_slice(&r);
        signature.extend_from_slice(&s);
        signature.push(SigHashType::ALL.to_u8());
        let mut spk = vec![0x21];
        spk.extend_from_slice(&key);
        spk.extend_from_slice(&[pyrin_tx::opcodes::OP_CHECK_SIG_ECDSA, pyrin_tx::opcodes::OP_NOT]);
        let entries = [entry(ScriptPublicKey::new(0, spk))];
        assert_eq!(run(&spend(signature), &entries), Err(ScriptError::InvalidSignature));
    }
    // In range but wrong: false, and OP_NOT makes it true (no NULLFAIL for single checks).
    let mut signature = vec![0x41];
    signature.extend_from_slice(&[0x01; 64]);
    signature.push(SigHashType::ALL.to_u8());
    let mut spk = vec![0x21];
    spk.extend_from_slice(&key);
    spk.extend_from_slice(&[pyrin_tx::opcodes::OP_CHECK_SIG_ECDSA, pyrin_tx::opcodes::OP_NOT]);
    assert_eq!(run(&spend(signature), &[entry(ScriptPublicKey::new(0, spk))]), Ok(()));
}
