//! The native side of the wallet's JavaScript tests and benchmark.
//!
//! `cases OUT.json`: every export of the binding called on the public test vectors
//! (`vectors/tx`: addresses, sighashes, masses) and on wallet transactions from fixed keys
//! and auxiliary bytes, each with the native result (or error message). The Node.js test
//! (`js/node.test.mjs`) makes the same calls on the `.wasm` and requires the same bytes;
//! the browser test takes the `page` entry. Native results are first checked against the
//! vectors' own expected values, so the file cannot carry a wrong answer.
//!
//! `bench [RUNS]`: sign and verify the 2-input transaction of `js/bench.mjs` natively,
//! through the same JSON functions JavaScript calls, and print the time per transaction
//! (the fastest of 10 batches, as `js/bench.mjs` reports it).
//!
//! ```sh
//! cargo run --release -p pyrin-wallet --example wallet_native -- cases target/wallet/cases.json
//! cargo run --release -p pyrin-wallet --example wallet_native -- bench 200
//! ```

use std::path::PathBuf;
use std::time::Instant;

use pyrin_examples::json::{array_field, field, str_field, transaction_of, u64_field, utxo_entry_of};
use pyrin_wallet::{api, WalletError};
use serde_json::{json, Value};

/// The sighash types, as bytes.
const SIGHASH_TYPES: [u8; 6] = [0x01, 0x02, 0x04, 0x81, 0x82, 0x84];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("cases") if args.len() == 2 => write_cases(&PathBuf::from(&args[1])),
        Some("bench") => bench(args.get(1).map_or(Ok(200), |n| n.parse().map_err(|e| format!("runs: {e}")))),
        _ => Err("usage: wallet_native cases OUT.json | bench [RUNS]".into()),
    };
    if let Err(e) = result {
        eprintln!("wallet_native: {e}");
        std::process::exit(1);
    }
}

/// A key argument: JavaScript builds it with `Key.fromHex(hex)`.
fn key_arg(hex: &str) -> Value {
    json!({ "$key": hex })
}

/// A byte-string argument: JavaScript passes it as a `Uint8Array`.
fn bytes_arg(bytes: &[u8]) -> Value {
    json!({ "$bytes": pyrin_core::hex::encode(bytes) })
}

fn str_arg(args: &[Value], i: usize) -> Result<&str, String> {
    args.get(i).and_then(Value::as_str).ok_or_else(|| format!("argument {i} is not a string"))
}

fn u64_arg(args: &[Value], i: usize) -> Result<u64, String> {
    args.get(i).and_then(Value::as_u64).ok_or_else(|| format!("argument {i} is not a number"))
}

fn tagged_arg<'a>(args: &'a [Value], i: usize, tag: &str) -> Result<&'a str, String> {
    args.get(i).and_then(|v| v.get(tag)).and_then(Value::as_str).ok_or_else(|| format!("argument {i} is not {tag}"))
}

/// Runs the export `name` natively, as `js/cases.mjs` runs it on the `.wasm`: the same
/// arguments, the result normalised the same way (bytes as hex, integers as decimal
/// text, nothing as `null`).
fn call(name: &str, args: &[Value]) -> Result<Result<Value, WalletError>, String> {
    let key = |i| -> Result<Result<_, WalletError>, String> { Ok(api::key_from_hex(tagged_arg(args, i, "$key")?)) };
    let out = match name {
        "Key.fromHex" => api::key_from_hex(str_arg(args, 0)?).map(|k| Value::from(api::public_key(&k))),
        "Key.new" => {
            let bytes = pyrin_core::hex::decode(tagged_arg(args, 0, "$bytes")?).map_err(|e| e.to_string())?;
            pyrin_wallet::address::key_from_bytes(&bytes).map(|k| Value::from(api::public_key(&k)))
        }
        "Key.address" => {
            let network = str_arg(args, 1)?;
            key(0)?.and_then(|k| api::key_address(&k, network)).map(Value::from)
        }
        "parseAddress" => {
            api::parse_address(str_arg(args, 0)?, args.get(1).and_then(Value::as_str).unwrap_or("")).map(Value::from)
        }
        "encodeAddress" => {
            let version = u8::try_from(u64_arg(args, 1)?).map_err(|e| e.to_string())?;
            api::encode_address(str_arg(args, 0)?, version, str_arg(args, 2)?).map(Value::from)
        }
        "buildTransaction" => api::build(str_arg(args, 0)?).map(Value::from),
        "signTransaction" => {
            let ty = u8::try_from(u64_arg(args, 2)?).map_err(|e| e.to_string())?;
            let aux = args.get(3).and_then(Value::as_str).unwrap_or("");
            let draft = str_arg(args, 0)?;
            key(1)?.and_then(|k| api::sign(draft, &k, ty, aux)).map(Value::from)
        }
        "verifyTransaction" => api::verify(str_arg(args, 0)?).map(|()| Value::Null),
        "transactionBytes" => {
            api::transaction_bytes(str_arg(args, 0)?).map(|b| Value::from(pyrin_core::hex::encode(&b)))
        }
        "transactionFromBytes" => {
            let bytes = pyrin_core::hex::decode(tagged_arg(args, 0, "$bytes")?).map_err(|e| e.to_string())?;
            api::transaction_from_bytes(&bytes).map(Value::from)
        }
        "transactionId" => api::transaction_id(str_arg(args, 0)?).map(Value::from),
        "transactionMass" => api::mass(str_arg(args, 0)?, str_arg(args, 1)?).map(|m| Value::from(m.to_string())),
        "sighashes" => {
            let input = usize::try_from(u64_arg(args, 2)?).map_err(|e| e.to_string())?;
            let ty = u8::try_from(u64_arg(args, 3)?).map_err(|e| e.to_string())?;
            api::sighashes(str_arg(args, 0)?, str_arg(args, 1)?, input, ty).map(Value::from)
        }
        "signDigest" => {
            let (digest, aux) = (str_arg(args, 1)?, str_arg(args, 2)?);
            key(0)?.and_then(|k| api::sign_digest(&k, digest, aux)).map(Value::from)
        }
        other => return Err(format!("no export named {other}")),
    };
    Ok(out)
}

/// The cases being written.
#[derive(Default)]
struct Cases(Vec<Value>);

impl Cases {
    /// Adds a call with its native result, which must be `Ok` unless `fails`.
    fn add(&mut self, name: String, export: &str, args: Vec<Value>, fails: bool) -> Result<Value, String> {
        let outcome = call(export, &args)?;
        let (record, value) = match outcome {
            Ok(value) if !fails => (json!({ "name": name, "call": export, "args": args, "expected": value }), value),
            Err(e) if fails => {
                (json!({ "name": name, "call": export, "args": args, "error": e.to_string() }), Value::Null)
            }
            Ok(value) => return Err(format!("{name}: expected an error, got {value}")),
            Err(e) => return Err(format!("{name}: {e}")),
        };
        self.0.push(record);
        Ok(value)
    }
}

fn read_vectors(name: &str) -> Result<Vec<Value>, String> {
    let path = pyrin_examples::vectors::vectors_dir().join("tx").join(name);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(array_field(&file, "cases")?.clone())
}

/// A vector case's transaction and entries in the node's JSON.
fn node_json(input: &Value) -> Result<(String, String), String> {
    let tx = transaction_of(field(input, "transaction")?)?;
    let entries = array_field(input, "utxo_entries")?.iter().map(utxo_entry_of).collect::<Result<Vec<_>, _>>()?;
    Ok((
        serde_json::to_string(&tx).map_err(|e| e.to_string())?,
        serde_json::to_string(&entries).map_err(|e| e.to_string())?,
    ))
}

fn check(what: &str, got: &str, expected: &str) -> Result<(), String> {
    if got == expected {
        Ok(())
    } else {
        Err(format!("{what}: native gives {got}, the vector says {expected}"))
    }
}

fn address_cases(cases: &mut Cases) -> Result<(), String> {
    for case in read_vectors("address.json")? {
        let name = str_field(&case, "name")?.to_owned();
        let (input, expected) = (field(&case, "input")?, field(&case, "expected")?);
        let fails = expected.get("error").is_some();
        if let Some(text) = input.get("decode").and_then(Value::as_str) {
            let got = cases.add(name.clone(), "parseAddress", vec![text.into()], fails)?;
            if !fails {
                let info: Value = serde_json::from_str(got.as_str().unwrap_or_default()).map_err(|e| e.to_string())?;
                check(&name, str_field(&info, "payload")?, str_field(field(expected, "decodes_to")?, "payload")?)?;
            }
        } else {
            let args = vec![
                field(input, "prefix")?.clone(),
                field(input, "version")?.clone(),
                field(input, "payload")?.clone(),
            ];
            let got = cases.add(name.clone(), "encodeAddress", args, fails)?;
            if !fails {
                check(&name, got.as_str().unwrap_or_default(), str_field(expected, "address")?)?;
            }
        }
    }
    Ok(())
}

fn sighash_cases(cases: &mut Cases) -> Result<(), String> {
    for (n, case) in read_vectors("sighash.json")?.iter().enumerate() {
        let name = str_field(case, "name")?;
        let (tx_json, entries_json) = node_json(field(case, "input")?)?;
        for expected in array_field(field(case, "expected")?, "sighashes")? {
            let input = u64_field(expected, "input_index")?;
            let ty = u64_field(expected, "sighash_type")?;
            let args = vec![tx_json.clone().into(), entries_json.clone().into(), input.into(), ty.into()];
            let got = cases.add(format!("{name} input {input} type {ty:#04x}"), "sighashes", args, false)?;
            let got: Value = serde_json::from_str(got.as_str().unwrap_or_default()).map_err(|e| e.to_string())?;
            for kind in ["schnorr", "ecdsa"] {
                check(&format!("{name} {kind}"), str_field(&got, kind)?, str_field(expected, kind)?)?;
            }
            // A signature of the Schnorr sighash from a fixed key and fixed aux bytes.
            let key = pyrin_core::hex::encode(&[(n % 200) as u8 + 1; 32]);
            let aux = pyrin_core::hex::encode(&[(input as u8).wrapping_mul(31) ^ ty as u8; 32]);
            let args = vec![key_arg(&key), str_field(&got, "schnorr")?.into(), aux.into()];
            cases.add(format!("{name} input {input} type {ty:#04x} signature"), "signDigest", args, false)?;
        }
        cases.add(format!("{name} bytes"), "transactionBytes", vec![tx_json.clone().into()], false)?;
        cases.add(format!("{name} id"), "transactionId", vec![tx_json.clone().into()], false)?;
        let bytes = api::transaction_bytes(&tx_json).map_err(|e| e.to_string())?;
        cases.add(format!("{name} from bytes"), "transactionFromBytes", vec![bytes_arg(&bytes)], false)?;
        // A sighash type that is none of the six, and an input that does not exist.
        let args = vec![tx_json.clone().into(), entries_json.clone().into(), 0.into(), 3.into()];
        cases.add(format!("{name} type 0x03"), "sighashes", args, true)?;
        let args = vec![tx_json.into(), entries_json.into(), 99.into(), 1.into()];
        cases.add(format!("{name} input 99"), "sighashes", args, true)?;
    }
    Ok(())
}

fn mass_cases(cases: &mut Cases) -> Result<(), String> {
    for case in read_vectors("mass.json")? {
        let name = str_field(&case, "name")?;
        let (tx_json, _) = node_json(field(&case, "input")?)?;
        let got =
            cases.add(format!("{name} mass"), "transactionMass", vec![tx_json.into(), "mainnet".into()], false)?;
        let expected = u64_field(field(&case, "expected")?, "compute_mass")?;
        check(name, got.as_str().unwrap_or_default(), &expected.to_string())?;
    }
    Ok(())
}

/// The wallet's fixed keys: a sender and a payee.
const SENDER: [u8; 32] = [0x11; 32];
const PAYEE: [u8; 32] = [0x22; 32];

/// A build request spending `amounts` (one UTXO each, owned by `SENDER`) to `PAYEE`.
fn request(network: &str, amounts: &[u64], pay: u64) -> Result<String, String> {
    let sender = api::key_from_hex(&pyrin_core::hex::encode(&SENDER)).map_err(|e| e.to_string())?;
    let payee = api::key_from_hex(&pyrin_core::hex::encode(&PAYEE)).map_err(|e| e.to_string())?;
    let mine = api::key_address(&sender, network).map_err(|e| e.to_string())?;
    let info: Value =
        serde_json::from_str(&api::parse_address(&mine, "").map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    let utxos: Vec<Value> = amounts
        .iter()
        .enumerate()
        .map(|(i, &amount)| {
            json!({
                "address": mine,
                "outpoint": { "transactionId": pyrin_core::hex::encode(&[0xa0 + i as u8; 32]), "index": i },
                "utxoEntry": { "amount": amount.to_string(), "scriptPublicKey": info["scriptPublicKey"], "blockDaaScore": 1000 + i as u64, "isCoinbase": false },
            })
        })
        .collect();
    let to = api::key_address(&payee, network).map_err(|e| e.to_string())?;
    let request = json!({ "network": network, "utxos": utxos, "outputs": [{ "address": to, "amount": pay }], "changeAddress": mine });
    Ok(request.to_string())
}

fn wallet_cases(cases: &mut Cases) -> Result<Value, String> {
    let sender = pyrin_core::hex::encode(&SENDER);
    for network in ["mainnet", "testnet-10", "testnet-11", "simnet", "devnet"] {
        cases.add(format!("address on {network}"), "Key.address", vec![key_arg(&sender), network.into()], false)?;
    }
    cases.add("public key".into(), "Key.fromHex", vec![sender.clone().into()], false)?;
    cases.add("key from bytes".into(), "Key.new", vec![bytes_arg(&SENDER)], false)?;
    cases.add("key of 31 bytes".into(), "Key.new", vec![bytes_arg(&[1; 31])], true)?;
    cases.add("zero key".into(), "Key.fromHex", vec!["00".repeat(32).into()], true)?;
    cases.add("key not hex".into(), "Key.fromHex", vec!["zz".into()], true)?;
    cases.add("unknown network".into(), "Key.address", vec![key_arg(&sender), "mainet".into()], true)?;

    let mut page = Value::Null;
    for (network, amounts, pay) in [
        ("mainnet", &[50_000_000u64, 70_000_000][..], 100_000_000u64),
        ("testnet-11", &[3_000_000_000, 1][..], 2_999_000_000),
        ("devnet", &[123_456_789][..], 23_456_789),
    ] {
        let req = request(network, amounts, pay)?;
        let draft = cases.add(format!("build on {network}"), "buildTransaction", vec![req.clone().into()], false)?;
        let draft = draft.as_str().unwrap_or_default().to_owned();
        for ty in SIGHASH_TYPES {
            let aux = pyrin_core::hex::encode(&[ty ^ 0x5a; 32]);
            let args = vec![draft.clone().into(), key_arg(&sender), ty.into(), aux.clone().into()];
            let signed = cases.add(format!("sign on {network} type {ty:#04x}"), "signTransaction", args, false)?;
            let signed = signed.as_str().unwrap_or_default().to_owned();
            cases.add(
                format!("verify on {network} type {ty:#04x}"),
                "verifyTransaction",
                vec![signed.clone().into()],
                false,
            )?;
            let tx: Value = serde_json::from_str(&signed).map_err(|e| e.to_string())?;
            let tx_json = tx["transaction"].to_string();
            cases.add(
                format!("signed bytes on {network} type {ty:#04x}"),
                "transactionBytes",
                vec![tx_json.into()],
                false,
            )?;
            if network == "mainnet" && ty == 0x01 {
                page = json!({ "key": sender, "network": network, "request": serde_json::from_str::<Value>(&req).map_err(|e| e.to_string())?, "aux": aux, "sighashType": ty, "signed": signed });
                // A tampered signature: verification names the input.
                let mut doc: Value = serde_json::from_str(&signed).map_err(|e| e.to_string())?;
                let script = doc["transaction"]["inputs"][1]["signatureScript"].as_str().unwrap_or_default().to_owned();
                let flipped =
                    format!("{}{}", &script[..10], if &script[10..11] == "0" { "1" } else { "0" }) + &script[11..];
                doc["transaction"]["inputs"][1]["signatureScript"] = flipped.into();
                cases.add(
                    "verify a tampered signature".into(),
                    "verifyTransaction",
                    vec![doc.to_string().into()],
                    true,
                )?;
            }
        }
        // Signing with a key that owns none of the inputs.
        let args =
            vec![draft.clone().into(), key_arg(&pyrin_core::hex::encode(&PAYEE)), 1.into(), "00".repeat(32).into()];
        cases.add(format!("sign on {network} with a stranger's key"), "signTransaction", args, true)?;
        let args = vec![draft.into(), key_arg(&sender), 3.into(), "00".repeat(32).into()];
        cases.add(format!("sign on {network} with sighash type 3"), "signTransaction", args, true)?;
    }
    // Requests the wallet refuses.
    let refused = [
        ("more than the UTXOs hold", request("mainnet", &[1_000, 2_000], 2_500)?),
        ("dust payment", request("mainnet", &[1_000_000], 10)?),
        (
            "payee on another network",
            request("testnet-11", &[1_000_000], 500_000)?.replace("\"testnet-11\"", "\"mainnet\""),
        ),
        ("not JSON", "{\"network\": ".into()),
        ("no UTXOs", json!({"network": "mainnet", "utxos": [], "outputs": [], "changeAddress": ""}).to_string()),
    ];
    for (what, req) in refused {
        cases.add(format!("build refuses: {what}"), "buildTransaction", vec![req.into()], true)?;
    }
    cases.add("bytes that are no transaction".into(), "transactionFromBytes", vec![bytes_arg(&[0, 0, 5])], true)?;
    Ok(page)
}

fn write_cases(out: &PathBuf) -> Result<(), String> {
    let mut cases = Cases::default();
    address_cases(&mut cases)?;
    sighash_cases(&mut cases)?;
    mass_cases(&mut cases)?;
    let page = wallet_cases(&mut cases)?;
    let count = cases.0.len();
    let doc = json!({ "cases": cases.0, "page": page, "bench": bench_inputs()? });
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(out, doc.to_string()).map_err(|e| format!("{}: {e}", out.display()))?;
    println!("{count} cases written to {}", out.display());
    Ok(())
}

/// The benchmark's inputs: the 2-input mainnet draft, the key and the aux bytes.
fn bench_inputs() -> Result<Value, String> {
    let draft = api::build(&request("mainnet", &[50_000_000, 70_000_000], 100_000_000)?).map_err(|e| e.to_string())?;
    Ok(json!({ "draft": draft, "key": pyrin_core::hex::encode(&SENDER), "aux": "00".repeat(32) }))
}

fn bench(runs: Result<u32, String>) -> Result<(), String> {
    let runs = runs?.max(BATCHES);
    let inputs = bench_inputs()?;
    let draft = inputs["draft"].as_str().unwrap_or_default();
    let key = api::key_from_hex(inputs["key"].as_str().unwrap_or_default()).map_err(|e| e.to_string())?;
    let aux = inputs["aux"].as_str().unwrap_or_default();
    let once = || -> Result<(), WalletError> { api::verify(&api::sign(draft, &key, 1, aux)?) };
    for _ in 0..runs.div_ceil(10) {
        once().map_err(|e| e.to_string())?;
    }
    // The fastest of several batches: other processes on the machine slow some batches
    // down, never speed one up. `js/bench.mjs` measures the same way.
    let per_batch = runs / BATCHES;
    let mut best = f64::INFINITY;
    for _ in 0..BATCHES {
        let start = Instant::now();
        for _ in 0..per_batch {
            once().map_err(|e| e.to_string())?;
        }
        best = best.min(start.elapsed().as_secs_f64() * 1e6 / f64::from(per_batch));
    }
    println!("native sign+verify of a 2-input transaction: {best:.1} us (best of {BATCHES} batches of {per_batch})");
    println!("{}", json!({ "native_sign_verify_us": best, "runs": per_batch * BATCHES }));
    Ok(())
}

/// How many batches the benchmark times.
const BATCHES: u32 = 10;
