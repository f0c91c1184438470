//! The wallet's operations natively, through the same JSON functions JavaScript calls.

use pyrin_core::params::Network;
use pyrin_core::{Amount, Decode, Transaction};
use pyrin_tx::mass::{compute_mass, MassPrices};
use pyrin_tx::policy::RelayPolicy;
use pyrin_wallet::api;
use pyrin_wallet::draft::{build_transaction, BuildRequest, Draft, Payment, Utxo};
use pyrin_wallet::WalletError;
use serde_json::json;

const SENDER: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const PAYEE: &str = "2222222222222222222222222222222222222222222222222222222222222222";

fn request(amounts: &[u64], pay: u64) -> BuildRequest {
    let sender = api::key_from_hex(SENDER).unwrap();
    let mine = api::key_address(&sender, "mainnet").unwrap();
    let info: serde_json::Value = serde_json::from_str(&api::parse_address(&mine, "mainnet").unwrap()).unwrap();
    let utxos = amounts
        .iter()
        .enumerate()
        .map(|(i, &amount)| {
            serde_json::from_value::<Utxo>(json!({
                "outpoint": { "transactionId": "a0".repeat(32), "index": i },
                "utxoEntry": { "amount": amount, "scriptPublicKey": info["scriptPublicKey"], "blockDaaScore": 7, "isCoinbase": false },
            }))
            .unwrap()
        })
        .collect();
    let to = api::key_address(&api::key_from_hex(PAYEE).unwrap(), "mainnet").unwrap();
    BuildRequest {
        network: "mainnet".into(),
        utxos,
        outputs: vec![Payment { address: to, amount: Amount::from_leor(pay) }],
        change_address: mine,
        fee_per_kilogram: None,
    }
}

fn signed_mass(draft: &Draft) -> u64 {
    compute_mass(&draft.transaction, &MassPrices::from_params(Network::Mainnet.params()))
}

#[test]
fn the_fee_is_the_minimum_relay_fee_of_the_signed_mass() {
    let draft = build_transaction(&request(&[50_000_000, 70_000_000], 100_000_000)).unwrap();
    assert_eq!(draft.transaction.outputs.len(), 2, "payment and change");
    assert_eq!(draft.fee, RelayPolicy::DEFAULT.minimum_fee(draft.mass));
    let key = api::key_from_hex(SENDER).unwrap();
    let signed: Draft =
        serde_json::from_str(&api::sign(&serde_json::to_string(&draft).unwrap(), &key, 1, &"00".repeat(32)).unwrap())
            .unwrap();
    assert_eq!(signed_mass(&signed), draft.mass, "the estimate is the signed transaction's mass");
    let total_out: u64 = signed.transaction.outputs.iter().map(|o| o.value.to_leor()).sum();
    assert_eq!(total_out + signed.fee.to_leor(), 120_000_000);
}

#[test]
fn change_below_dust_goes_to_the_fee() {
    let with_change = build_transaction(&request(&[10_000_000], 1_000_000)).unwrap();
    let fee = with_change.fee.to_leor();
    // 1 leor of change would be dust: no change output, the rest is the fee.
    let draft = build_transaction(&request(&[10_000_000], 10_000_000 - fee - 1)).unwrap();
    assert_eq!(draft.transaction.outputs.len(), 1);
    assert_eq!(draft.fee.to_leor(), fee + 1);
    let minimum = RelayPolicy::DEFAULT.minimum_fee(draft.mass).to_leor();
    assert!(minimum < fee, "one output less is lighter");
    // Without change the transaction still needs its own minimum fee.
    let err = build_transaction(&request(&[10_000_000], 10_000_000 - minimum + 1)).unwrap_err();
    assert!(matches!(err, WalletError::InsufficientFunds { .. }), "{err}");
    let exact = build_transaction(&request(&[10_000_000], 10_000_000 - minimum)).unwrap();
    assert_eq!(exact.fee.to_leor(), minimum);
}

#[test]
fn every_sighash_type_signs_and_verifies_and_is_deterministic_with_aux_bytes() {
    let draft = api::build(&serde_json::to_string(&request(&[50_000_000, 70_000_000], 100_000_000)).unwrap()).unwrap();
    let key = api::key_from_hex(SENDER).unwrap();
    for ty in [0x01, 0x02, 0x04, 0x81, 0x82, 0x84] {
        let a = api::sign(&draft, &key, ty, &"07".repeat(32)).unwrap();
        api::verify(&a).unwrap();
        assert_eq!(a, api::sign(&draft, &key, ty, &"07".repeat(32)).unwrap());
        let fresh = api::sign(&draft, &key, ty, "").unwrap();
        api::verify(&fresh).unwrap();
        assert_ne!(a, fresh, "fresh randomness gives another valid signature");
    }
}

#[test]
fn bytes_and_json_round_trip() {
    let draft = api::build(&serde_json::to_string(&request(&[50_000_000], 1_000_000)).unwrap()).unwrap();
    let key = api::key_from_hex(SENDER).unwrap();
    let signed: serde_json::Value =
        serde_json::from_str(&api::sign(&draft, &key, 1, &"00".repeat(32)).unwrap()).unwrap();
    let tx_json = signed["transaction"].to_string();
    let bytes = api::transaction_bytes(&tx_json).unwrap();
    let back = api::transaction_from_bytes(&bytes).unwrap();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&back).unwrap(), signed["transaction"]);
    assert_eq!(api::transaction_id(&tx_json).unwrap(), Transaction::from_bytes(&bytes).unwrap().id().to_string());
}

#[test]
fn refusals_say_why() {
    let err = |r: Result<String, WalletError>| r.unwrap_err().to_string();
    let key = api::key_from_hex(SENDER).unwrap();
    let draft = api::build(&serde_json::to_string(&request(&[50_000_000], 1_000_000)).unwrap()).unwrap();
    assert!(err(api::sign(&draft, &key, 3, "")).starts_with("unknown sighash type 0x03"));
    assert_eq!(err(api::sign(&draft, &key, 1, "00")), "aux bytes must be 32 bytes, not 1");
    let stranger = api::key_from_hex(PAYEE).unwrap();
    assert_eq!(err(api::sign(&draft, &stranger, 1, "")), "input 0: no key given owns the output it spends");
    assert!(err(api::build("{}")).starts_with("invalid build request JSON: missing field"));
    let dust = request(&[50_000_000], 5);
    assert!(err(api::build(&serde_json::to_string(&dust).unwrap())).contains("below the dust threshold"));
    assert!(err(api::parse_address("pyrin:qq", "")).contains("too short"));
    assert!(api::verify(&draft).unwrap_err().to_string().starts_with("input 0:"), "an unsigned draft does not verify");
}
