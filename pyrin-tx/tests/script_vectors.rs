//! Every case of the upstream script test suite (`vectors/tx/script_tests.json`, kind
//! `script`, described in the project's `shared/spec/vectors-script.md`) through the
//! engine. Skipped when the file is absent (the packaged crate carries no vector data).

use pyrin_core::{
    Amount, ScriptPublicKey, Transaction, TransactionId, TransactionInput, TransactionOutpoint, TransactionOutput,
};
use pyrin_tx::engine::Engine;
use pyrin_tx::sighash::SighashCache;
use pyrin_tx::{script_asm, UtxoEntry};
use serde_json::Value;

/// Cases the engine does not pass yet, by name.
const KNOWN_FAILURES: &[&str] = &[];

/// The case's outcome: `OK` or the error's names.
fn run(sig: &str, spk: &str) -> Result<(), Vec<&'static str>> {
    let sig = match script_asm::parse(sig) {
        Ok(s) => s,
        Err(script_asm::AsmError::PushSize(_)) => return Err(vec!["PUSH_SIZE"]),
        Err(e) => panic!("signature script does not parse: {e}"),
    };
    let spk = match script_asm::parse(spk) {
        Ok(s) => ScriptPublicKey::new(0, s),
        Err(script_asm::AsmError::PushSize(_)) => return Err(vec!["PUSH_SIZE"]),
        Err(e) => panic!("script public key does not parse: {e}"),
    };
    let mut coinbase_in =
        TransactionInput::new(TransactionOutpoint::new(TransactionId::from_bytes([0; 32]), u32::MAX), u64::MAX, 0);
    coinbase_in.signature_script = vec![0, 0];
    let crediting = Transaction {
        version: 1,
        inputs: vec![coinbase_in],
        outputs: vec![TransactionOutput::new(Amount::from_leor(0), spk.clone())],
        ..Transaction::default()
    };
    let mut spend_in = TransactionInput::new(TransactionOutpoint::new(crediting.id(), 0), u64::MAX, 0);
    spend_in.signature_script = sig;
    let spending = Transaction {
        version: 1,
        inputs: vec![spend_in],
        outputs: vec![TransactionOutput::new(Amount::from_leor(0), ScriptPublicKey::new(0, vec![]))],
        ..Transaction::default()
    };
    let entries =
        [UtxoEntry { amount: Amount::from_leor(0), script_public_key: spk, block_daa_score: 0, is_coinbase: true }];
    let cache = SighashCache::new(&spending, &entries).expect("one entry per input");
    Engine::new(&cache, 0).and_then(Engine::execute).map_err(|e| e.suite_names().to_vec())
}

#[test]
fn script_suite() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/tx/script_tests.json");
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!("{path} absent: skipped");
        return;
    };
    let doc: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(doc["kind"], "script");
    let cases = doc["cases"].as_array().expect("cases");
    let (mut passed, mut unexpected) = (0, Vec::new());
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let input = &case["input"];
        let want = case["expected"]["result"].as_str().expect("result");
        let got =
            run(input["signature_script"].as_str().expect("sig"), input["script_public_key"].as_str().expect("spk"));
        let ok = match &got {
            Ok(()) => want == "OK",
            Err(n) => n.contains(&want),
        };
        if ok {
            passed += 1;
            assert!(!KNOWN_FAILURES.contains(&name), "{name} passes now: take it off KNOWN_FAILURES");
        } else if !KNOWN_FAILURES.contains(&name) {
            unexpected.push(format!("{name:?}: want {want}, got {got:?}"));
        }
    }
    eprintln!("script suite: {passed} of {} cases pass ({} known failures)", cases.len(), KNOWN_FAILURES.len());
    assert!(unexpected.is_empty(), "{} unexpected failures:\n{}", unexpected.len(), unexpected.join("\n"));
}
