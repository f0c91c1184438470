#![no_main]
//! Verifying an arbitrary transaction against arbitrary UTXO scripts never panics (it
//! fails with an error, or, with absurd luck, verifies).

use libfuzzer_sys::fuzz_target;
use pyrin_core::{Decode, ScriptPublicKey, Transaction};
use pyrin_tx::{sign::verify_transaction, UtxoEntry};

fuzz_target!(|input: (Vec<u8>, Vec<(u64, Vec<u8>)>)| {
    let Ok(tx) = Transaction::from_bytes(&input.0) else { return };
    let entries: Vec<UtxoEntry> = input
        .1
        .into_iter()
        .map(|(amount, script)| UtxoEntry {
            amount: pyrin_core::Amount::from_leor(amount),
            script_public_key: ScriptPublicKey::new(0, script),
            block_daa_score: 0,
            is_coinbase: false,
        })
        .collect();
    let _ = verify_transaction(&tx, &entries);
});
