//! The serde form (`pyrin_core::serde_form`): the node's JSON, u64 fields from decimal
//! strings, claimed hashes checked, the binary form.
#![cfg(feature = "serde")]

use pyrin_core::{
    Amount, Block, BlockHash, BlueWork, CompactTarget, Hash, Header, MerkleRoot, ScriptPublicKey, SubnetworkId,
    Transaction, TransactionId, TransactionInput, TransactionOutpoint, TransactionOutput, UtxoCommitment,
};
use serde_json::error::Category;
use serde_json::{json, Value};

const TWO_POW_53: u64 = 1 << 53;

fn hash(byte: u8) -> Hash {
    Hash::from_bytes(core::array::from_fn(|i| byte.wrapping_add(i as u8)))
}

fn header() -> Header {
    Header {
        version: 1,
        parents_by_level: vec![vec![BlockHash::from_raw_hash(hash(1)), BlockHash::from_raw_hash(hash(2))]],
        hash_merkle_root: MerkleRoot::from_raw_hash(hash(3)),
        accepted_id_merkle_root: MerkleRoot::from_raw_hash(hash(4)),
        utxo_commitment: UtxoCommitment::from_raw_hash(hash(5)),
        timestamp: 1_724_969_400_000,
        bits: CompactTarget::from_consensus(0x1e7fffff),
        nonce: TWO_POW_53 + 1,
        daa_score: 754,
        blue_score: 755,
        blue_work: BlueWork::from_u64(0x448da4),
        pruning_point: BlockHash::from_raw_hash(hash(6)),
    }
}

fn transaction() -> Transaction {
    Transaction {
        version: 0,
        inputs: vec![TransactionInput {
            previous_outpoint: TransactionOutpoint::new(TransactionId::from_raw_hash(hash(7)), 1),
            signature_script: vec![0x41, 0xab, 0xcd, 0x01],
            sequence: u64::MAX,
            sig_op_count: 1,
        }],
        outputs: vec![TransactionOutput::new(
            Amount::from_leor(150_000_000),
            ScriptPublicKey::new(0, vec![0x20, 0xaa, 0xac]),
        )],
        lock_time: TWO_POW_53,
        subnetwork_id: SubnetworkId::NATIVE,
        gas: 3,
        payload: b"pool".to_vec(),
    }
}

/// Replaces the number at `path` (object keys and array indices) with its decimal string.
fn stringify(value: &mut Value, path: &[&str]) {
    let mut at = value;
    for step in path {
        at = match step.parse::<usize>() {
            Ok(i) => &mut at[i],
            Err(_) => &mut at[*step],
        };
    }
    let n = at.as_u64().unwrap_or_else(|| panic!("{path:?} is not a u64: {at}"));
    *at = Value::String(n.to_string());
}

const HEADER_U64_FIELDS: [&str; 4] = ["timestamp", "nonce", "daaScore", "blueScore"];
const TRANSACTION_U64_FIELDS: [&[&str]; 4] =
    [&["lockTime"], &["gas"], &["inputs", "0", "sequence"], &["outputs", "0", "value"]];

#[test]
fn every_u64_field_is_written_as_a_number() {
    let h = serde_json::to_value(header()).unwrap();
    for field in HEADER_U64_FIELDS {
        assert!(h[field].is_u64(), "{field}: {}", h[field]);
    }
    let tx = serde_json::to_value(transaction()).unwrap();
    assert!(tx["lockTime"].is_u64() && tx["gas"].is_u64());
    assert!(tx["inputs"][0]["sequence"].is_u64() && tx["outputs"][0]["value"].is_u64());
}

#[test]
fn every_header_u64_field_reads_a_decimal_string() {
    for field in HEADER_U64_FIELDS {
        let mut v = serde_json::to_value(header()).unwrap();
        stringify(&mut v, &[field]);
        assert_eq!(serde_json::from_value::<Header>(v).unwrap(), header(), "{field}");
    }
}

#[test]
fn every_transaction_u64_field_reads_a_decimal_string() {
    for path in TRANSACTION_U64_FIELDS {
        let mut v = serde_json::to_value(transaction()).unwrap();
        stringify(&mut v, path);
        assert_eq!(serde_json::from_value::<Transaction>(v).unwrap(), transaction(), "{path:?}");
    }
}

#[test]
fn u64_values_above_two_pow_53_survive_both_ways() {
    for n in [TWO_POW_53 - 1, TWO_POW_53, TWO_POW_53 + 1, u64::MAX - 1, u64::MAX] {
        let h = Header { nonce: n, daa_score: n, blue_score: n, timestamp: n, ..header() };
        let text = serde_json::to_string(&h).unwrap();
        assert!(text.contains(&format!("\"nonce\":{n},")), "written as an exact number: {text}");
        assert_eq!(serde_json::from_str::<Header>(&text).unwrap(), h);
        let quoted = text.replace(&format!(":{n},"), &format!(":\"{n}\","));
        assert_ne!(quoted, text);
        assert_eq!(serde_json::from_str::<Header>(&quoted).unwrap(), h);

        let amount = Amount::from_leor(n);
        assert_eq!(serde_json::to_string(&amount).unwrap(), n.to_string());
        assert_eq!(serde_json::from_str::<Amount>(&format!("\"{n}\"")).unwrap(), amount);
    }
}

/// Inputs a u64 field must refuse, and a word the error must contain.
const MALFORMED_U64: [(&str, &str); 19] = [
    (r#""""#, "empty"),
    (r#""-1""#, "without a sign"),
    (r#""+1""#, "without a sign"),
    (r#""01""#, "leading zeros"),
    (r#""00""#, "leading zeros"),
    (r#""0x10""#, "digits only"),
    (r#""1.0""#, "digits only"),
    (r#""1e3""#, "digits only"),
    (r#"" 1""#, "digits only"),
    (r#""1 ""#, "digits only"),
    (r#""١٢""#, "digits only"),
    (r#""18446744073709551616""#, "no larger than"),
    (r#""99999999999999999999999999""#, "no larger than"),
    ("-1", "non-negative"),
    ("1.5", "floating point"),
    ("1e3", "floating point"),
    ("18446744073709551616", "floating point"),
    ("null", "invalid type"),
    ("true", "invalid type"),
];

#[test]
fn malformed_u64_inputs_are_refused_with_data_errors() {
    for (bad, reason) in MALFORMED_U64 {
        let err = serde_json::from_str::<Amount>(bad).expect_err(bad);
        assert_eq!(err.classify(), Category::Data, "{bad}: {err}");
        assert!(err.to_string().contains(reason), "{bad}: {err}");

        let mut v = serde_json::to_value(header()).unwrap();
        v["nonce"] = serde_json::from_str(bad).unwrap();
        let err = serde_json::from_value::<Header>(v).expect_err(bad);
        assert!(err.to_string().contains(reason), "{bad}: {err}");
    }
}

#[test]
fn narrower_integer_fields_take_numbers_only() {
    let mut v = serde_json::to_value(header()).unwrap();
    v["bits"] = json!("511705087");
    assert!(serde_json::from_value::<Header>(v).is_err());
}

#[test]
fn a_header_with_a_wrong_hash_is_refused() {
    let mut v = serde_json::to_value(header()).unwrap();
    let wrong = BlockHash::from_raw_hash(hash(9));
    v["hash"] = json!(wrong.to_string());
    let err = serde_json::from_value::<Header>(v).unwrap_err().to_string();
    assert!(err.contains("`hash`") && err.contains(&wrong.to_string()) && err.contains(&header().hash().to_string()));
}

#[test]
fn a_header_with_changed_fields_is_refused_under_its_old_hash() {
    let mut v = serde_json::to_value(header()).unwrap();
    v["timestamp"] = json!(header().timestamp + 1);
    assert!(serde_json::from_value::<Header>(v).is_err());
}

#[test]
fn a_header_without_a_hash_or_with_a_null_hash_is_read() {
    let mut v = serde_json::to_value(header()).unwrap();
    v["hash"] = Value::Null;
    assert_eq!(serde_json::from_value::<Header>(v.clone()).unwrap(), header());
    v.as_object_mut().unwrap().remove("hash");
    assert_eq!(serde_json::from_value::<Header>(v).unwrap(), header());
}

#[test]
fn a_mined_testnet_header_in_node_json_is_read_under_its_recorded_hash() {
    // Testnet block 52e80693, as the node writes it (the vector file holds the same
    // header in its own snake_case form).
    let parent = "e26cf9987fb61ca72a162d130df426f063839677c36ad26228e45bfbbe26007b";
    let node_json = json!({
        "hash": "52e80693ea920cbadcb5182553e9b14b48b88f1343b2d30450ac7e22d9c19a65",
        "version": 1,
        "parentsByLevel": vec![vec![parent]; 16],
        "hashMerkleRoot": "cde754c10fba252344e7b2e6c947173a4e4616ce0c88cac241ff0ca4d5959802",
        "acceptedIdMerkleRoot": "286bbbc0521458443e2f4e7df27b89c3abeba91f5cd9383472a67000e2e6240c",
        "utxoCommitment": "16b2278f35fa501675cc9f1c6aa20a7cc1d95580ffb850bd0bbfb7b55f34b847",
        "timestamp": 1724358111435u64,
        "bits": 511705087,
        "nonce": 8659802564027893322u64,
        "daaScore": 9,
        "blueWork": "140000",
        "blueScore": 10,
        "pruningPoint": "50e28b47b23b7074d41a3bbba0726fe7e0ec9a16ecb0992c97c050114303fff5"
    });
    let header: Header = serde_json::from_value(node_json.clone()).unwrap();
    assert_eq!(header.nonce, 8_659_802_564_027_893_322);
    assert_eq!(serde_json::to_value(&header).unwrap(), node_json);
}

#[test]
fn the_snake_case_vector_form_is_not_the_serde_form() {
    let mut snake = serde_json::Map::new();
    for (key, value) in serde_json::to_value(header()).unwrap().as_object().unwrap() {
        let snake_key: String = key
            .chars()
            .flat_map(|c| if c.is_ascii_uppercase() { vec!['_', c.to_ascii_lowercase()] } else { vec![c] })
            .collect();
        snake.insert(snake_key, value.clone());
    }
    let err = serde_json::from_value::<Header>(Value::Object(snake)).unwrap_err();
    assert!(err.to_string().contains("missing field `parentsByLevel`"), "{err}");
}

#[test]
fn a_transaction_with_a_wrong_id_is_refused() {
    let wrong = TransactionId::from_raw_hash(hash(9)).to_string();
    let mut v = serde_json::to_value(transaction()).unwrap();
    v["id"] = json!(wrong);
    let err = serde_json::from_value::<Transaction>(v).unwrap_err().to_string();
    assert!(err.contains("`id`") && err.contains(&wrong), "{err}");

    // The transaction hash is not its id.
    let mut v = serde_json::to_value(transaction()).unwrap();
    v["id"] = json!(transaction().hash().to_string());
    assert!(serde_json::from_value::<Transaction>(v).is_err());
}

/// The transaction as the node's RPC writes it: no `id`, a `mass`, and verbose data.
fn node_rpc_transaction() -> Value {
    let tx = transaction();
    let mut v = serde_json::to_value(&tx).unwrap();
    let object = v.as_object_mut().unwrap();
    object.remove("id");
    object.insert("mass".into(), json!(2036));
    object.insert(
        "verboseData".into(),
        json!({
            "transactionId": tx.id().to_string(),
            "hash": tx.hash().to_string(),
            "mass": 2036,
            "blockHash": hash(8).to_string(),
            "blockTime": 1724969400000u64,
        }),
    );
    v["inputs"][0]["verboseData"] = json!({});
    v["outputs"][0]["verboseData"] = json!({
        "scriptPublicKeyType": "pubkey",
        "scriptPublicKeyAddress": "pyrin:qqexample",
    });
    v
}

#[test]
fn a_node_rpc_transaction_with_mass_and_verbose_data_is_read() {
    assert_eq!(serde_json::from_value::<Transaction>(node_rpc_transaction()).unwrap(), transaction());
    let mut v = node_rpc_transaction();
    v["verboseData"] = Value::Null;
    assert_eq!(serde_json::from_value::<Transaction>(v).unwrap(), transaction());
}

#[test]
fn a_node_rpc_transaction_with_wrong_verbose_ids_is_refused() {
    let mut v = node_rpc_transaction();
    v["verboseData"]["transactionId"] = json!(hash(9).to_string());
    let err = serde_json::from_value::<Transaction>(v).unwrap_err().to_string();
    assert!(err.contains("`verboseData.transactionId`"), "{err}");

    let mut v = node_rpc_transaction();
    v["verboseData"]["hash"] = json!(transaction().id().to_string());
    let err = serde_json::from_value::<Transaction>(v).unwrap_err().to_string();
    assert!(err.contains("`verboseData.hash`"), "{err}");
}

#[test]
fn a_node_rpc_block_is_read() {
    let block = Block::new(header(), vec![transaction()]);
    let v = json!({
        "header": serde_json::to_value(header()).unwrap(),
        "transactions": [node_rpc_transaction()],
        "verboseData": { "hash": header().hash().to_string(), "isChainBlock": true },
    });
    assert_eq!(serde_json::from_value::<Block>(v).unwrap(), block);
}

#[test]
fn the_binary_form_round_trips_without_derived_hashes() {
    let block = Block::new(header(), vec![transaction(), Transaction::default()]);
    let bytes = postcard::to_allocvec(&block).unwrap();
    assert_eq!(postcard::from_bytes::<Block>(&bytes).unwrap(), block);
    for derived in [block.hash().to_bytes(), transaction().id().to_bytes()] {
        assert!(!bytes.windows(32).any(|w| w == derived), "derived hash written");
    }
    let tx_bytes = postcard::to_allocvec(&transaction()).unwrap();
    assert_eq!(postcard::from_bytes::<Transaction>(&tx_bytes).unwrap(), transaction());
    // u64s are plain integers there: postcard writes u64::MAX as a 10-byte varint.
    let amount = postcard::to_allocvec(&Amount::from_leor(u64::MAX)).unwrap();
    assert_eq!(amount.len(), 10);
    assert_eq!(postcard::from_bytes::<Amount>(&amount).unwrap(), Amount::from_leor(u64::MAX));
}

#[test]
fn the_binary_form_refuses_wrong_lengths() {
    let short = postcard::to_allocvec(&serde_bytes_of(&[1u8; 31])).unwrap();
    assert!(postcard::from_bytes::<Hash>(&short).is_err());
    let long = postcard::to_allocvec(&serde_bytes_of(&[1u8; 21])).unwrap();
    assert!(postcard::from_bytes::<SubnetworkId>(&long).is_err());
}

/// Bytes serialised as a serde byte string.
fn serde_bytes_of(bytes: &[u8]) -> impl pyrin_core::serde::Serialize + '_ {
    struct Bytes<'a>(&'a [u8]);
    impl pyrin_core::serde::Serialize for Bytes<'_> {
        fn serialize<S: pyrin_core::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }
    Bytes(bytes)
}
