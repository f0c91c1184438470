//! `vectors/tx/mass.json` (the repository's copy; not shipped in the crate, so the test
//! passes with a note when the file is absent): compute mass, KIP-9 storage mass in both
//! formulas, the overall masses and the estimated serialized size of every case.

use pyrin_core::{
    params::Network, Amount, ScriptPublicKey, SubnetworkId, Transaction, TransactionId, TransactionInput,
    TransactionOutpoint, TransactionOutput,
};
use pyrin_tx::mass::{compute_mass, estimated_serialized_size, overall_mass, storage_mass, Kip9Version, MassPrices};
use pyrin_tx::UtxoEntry;
use serde_json::Value;

fn hex(v: &Value) -> Vec<u8> {
    let s = v.as_str().expect("hex string");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit")).collect()
}

/// A u64 as a JSON number or, past 2^53, a decimal string.
fn u64_of(v: &Value) -> u64 {
    v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())).expect("u64")
}

fn spk(v: &Value) -> ScriptPublicKey {
    ScriptPublicKey::new(u64_of(&v["version"]) as u16, hex(&v["script"]))
}

fn transaction(v: &Value) -> Transaction {
    let inputs = v["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|i| {
            let id: [u8; 32] = hex(&i["previous_outpoint"]["transaction_id"]).try_into().expect("32 bytes");
            let outpoint = TransactionOutpoint::new(
                TransactionId::from_bytes(id),
                u64_of(&i["previous_outpoint"]["index"]) as u32,
            );
            TransactionInput {
                signature_script: hex(&i["signature_script"]),
                ..TransactionInput::new(outpoint, u64_of(&i["sequence"]), u64_of(&i["sig_op_count"]) as u8)
            }
        })
        .collect();
    let outputs = v["outputs"]
        .as_array()
        .expect("outputs")
        .iter()
        .map(|o| TransactionOutput::new(Amount::from_leor(u64_of(&o["value"])), spk(&o["script_public_key"])))
        .collect();
    Transaction {
        version: u64_of(&v["version"]) as u16,
        inputs,
        outputs,
        lock_time: u64_of(&v["lock_time"]),
        subnetwork_id: v["subnetwork_id"].as_str().expect("subnetwork").parse::<SubnetworkId>().expect("subnetwork"),
        gas: u64_of(&v["gas"]),
        payload: hex(&v["payload"]),
    }
}

fn entry(v: &Value) -> UtxoEntry {
    UtxoEntry {
        amount: Amount::from_leor(u64_of(&v["amount"])),
        script_public_key: spk(&v["script_public_key"]),
        block_daa_score: u64_of(&v["block_daa_score"]),
        is_coinbase: v["is_coinbase"].as_bool().expect("bool"),
    }
}

#[test]
fn every_mass_vector_matches() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/tx/mass.json");
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!("{path} not found (a packaged crate has no vectors): skipped");
        return;
    };
    let file: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(file["kind"], "transaction_mass");
    let params = Network::Mainnet.params();
    let prices = MassPrices::from_params(params);
    let c = params.storage_mass_parameter;
    let cases = file["cases"].as_array().expect("cases");
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let tx = transaction(&case["input"]["transaction"]);
        let entries: Vec<UtxoEntry> =
            case["input"]["utxo_entries"].as_array().expect("entries").iter().map(entry).collect();
        let expected = &case["expected"];
        let opt = |v: &Value| (!v.is_null()).then(|| u64_of(v));
        assert_eq!(compute_mass(&tx, &prices), u64_of(&expected["compute_mass"]), "{name}: compute_mass");
        assert_eq!(storage_mass(&tx, &entries, c, Kip9Version::Beta), opt(&expected["storage_mass"]), "{name}");
        assert_eq!(storage_mass(&tx, &entries, c, Kip9Version::Alpha), opt(&expected["storage_mass_alpha"]), "{name}");
        assert_eq!(storage_mass(&tx, &entries, c, Kip9Version::Beta), opt(&expected["storage_mass_beta"]), "{name}");
        let alpha = overall_mass(&tx, &entries, &prices, c, Kip9Version::Alpha);
        assert_eq!(alpha, opt(&expected["overall_mass_alpha"]), "{name}: overall alpha");
        let beta = overall_mass(&tx, &entries, &prices, c, Kip9Version::Beta);
        assert_eq!(beta, opt(&expected["overall_mass_beta"]), "{name}: overall beta");
        let size = estimated_serialized_size(&tx);
        assert_eq!(size, u64_of(&expected["estimated_serialized_size"]), "{name}: size");
        assert_eq!(tx.id().to_string(), expected["transaction_id"].as_str().expect("id"), "{name}: id");
    }
    assert_eq!(cases.len(), 41);
}
