//! The library crates' fast paths on wasm32, where the x86 code is not compiled: PoW
//! (`pyrin-pow`'s AVX2 backend falls back to the portable one) and MuHash (`chacha20`'s
//! SIMD backends fall back to its software one), checked against the public vectors
//! inside a real JavaScript engine.
//!
//! Runs under Node.js through wasm-bindgen-test's runner (`.ci/run`, step "wasm32"):
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test -p pyrin-wallet --target wasm32-unknown-unknown --test wasm`.
//! On other targets this file is empty.
#![cfg(target_arch = "wasm32")]

use pyrin_core::Header;
use pyrin_pow::{Backend, PowState, Variant};
use pyrin_tx::muhash::MuHash;
use serde_json::Value;
use wasm_bindgen_test::wasm_bindgen_test;

const POW_VECTORS: &str = include_str!("../../../vectors/pow/pow.json");
const MUHASH_VECTORS: &str = include_str!("../../../vectors/tx/muhash_element.json");

fn cases(text: &str) -> Vec<Value> {
    let file: Value = serde_json::from_str(text).expect("vector file is JSON");
    file["cases"].as_array().expect("cases").clone()
}

/// A vector header (snake_case fields) in the node's JSON, which pyrin-core reads.
fn header_of(v: &Value) -> Header {
    let camel: serde_json::Map<String, Value> = v
        .as_object()
        .expect("header object")
        .iter()
        .map(|(k, v)| {
            let mut parts = k.split('_');
            let mut name = parts.next().unwrap_or_default().to_owned();
            for part in parts {
                let mut chars = part.chars();
                if let Some(first) = chars.next() {
                    name.push(first.to_ascii_uppercase());
                    name.extend(chars);
                }
            }
            (name, v.clone())
        })
        .collect();
    serde_json::from_value(Value::Object(camel)).expect("vector header")
}

#[wasm_bindgen_test]
fn pow_detects_the_portable_backend() {
    assert_eq!(Backend::detect(), Backend::Portable);
}

#[wasm_bindgen_test]
fn pow_vectors_pass_on_the_portable_fast_path() {
    let cases = cases(POW_VECTORS);
    assert!(cases.len() >= 100);
    for case in cases {
        let (input, expected) = (&case["input"], &case["expected"]);
        let name = case["name"].as_str().unwrap_or_default();
        let header = header_of(&input["header"]);
        let nonce = match &input["nonce"] {
            Value::String(s) => s.parse().expect("nonce"),
            v => v.as_u64().expect("nonce"),
        };
        let variant: Variant = input["variant"].as_str().expect("variant").parse().expect("variant");
        let state = PowState::with_variant(&header, variant).expect("pow state");
        assert_eq!(state.backend(), Backend::Portable, "{name}");
        assert_eq!(state.pow_hash(nonce).to_string(), expected["pow_hash"].as_str().unwrap(), "{name}");
        let value = state.pow_value(nonce);
        assert_eq!(value, state.pow_value_plain(nonce), "{name}");
        assert_eq!(
            pyrin_core::hex::encode(&value.to_uint256().to_le_bytes()),
            expected["pow_bytes"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(state.check(nonce).meets_target, expected["meets_target"].as_bool().unwrap(), "{name}");
        // The batch path (several nonces per call) against the plain one.
        let mut batch = [value; pyrin_pow::LANES];
        state.pow_values(nonce, &mut batch);
        for (i, v) in batch.iter().enumerate() {
            assert_eq!(*v, state.pow_value_plain(nonce.wrapping_add(i as u64)), "{name} lane {i}");
        }
    }
}

#[wasm_bindgen_test]
fn muhash_elements_match_the_vectors() {
    for case in cases(MUHASH_VECTORS) {
        let data = pyrin_core::hex::decode(case["input"]["data"].as_str().unwrap()).unwrap();
        let mut set = MuHash::new();
        set.add_element(&data);
        assert_eq!(set.finalize().to_string(), case["expected"]["finalize"].as_str().unwrap(), "{}", case["name"]);
        let mut removed = MuHash::new();
        removed.remove_element(&data);
        assert_eq!(
            removed.finalize().to_string(),
            case["expected"]["finalize_removed"].as_str().unwrap(),
            "{}",
            case["name"]
        );
    }
}
