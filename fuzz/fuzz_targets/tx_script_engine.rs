#![no_main]
//! Running arbitrary signature-script and script-public-key bytes (any script version,
//! sig-op count, sequence and lock time) through the script engine never panics and
//! always ends with a verdict; a second run of the same input gives the same verdict, and so
//! do runs through a signature cache (the first filling it, the second answered from it).

use libfuzzer_sys::fuzz_target;
use pyrin_core::{Amount, ScriptPublicKey, Transaction, TransactionId, TransactionInput, TransactionOutpoint};
use pyrin_tx::engine::{BoundedSignatureCache, Engine};
use pyrin_tx::sighash::SighashCache;
use pyrin_tx::UtxoEntry;

fuzz_target!(|input: (Vec<u8>, Vec<u8>, u16, u8, u64, u64)| {
    let (signature_script, script, version, sig_op_count, sequence, lock_time) = input;
    let tx = Transaction {
        inputs: vec![TransactionInput {
            signature_script,
            sig_op_count,
            ..TransactionInput::new(TransactionOutpoint::new(TransactionId::ZERO, 0), sequence, 0)
        }],
        lock_time,
        ..Transaction::default()
    };
    let entries = [UtxoEntry {
        amount: Amount::from_leor(1),
        script_public_key: ScriptPublicKey::new(version % 4, script),
        block_daa_score: 0,
        is_coinbase: false,
    }];
    let Ok(cache) = SighashCache::new(&tx, &entries) else { return };
    let verdict = Engine::new(&cache, 0).and_then(Engine::execute);
    let again = Engine::new(&cache, 0).and_then(Engine::execute);
    assert_eq!(verdict, again, "the engine is deterministic");
    let sig_cache = BoundedSignatureCache::new(64);
    for _ in 0..2 {
        let cached = Engine::new(&cache, 0).map(|e| e.with_signature_cache(&sig_cache)).and_then(Engine::execute);
        assert_eq!(verdict, cached, "a signature cache never changes a verdict");
    }
});
