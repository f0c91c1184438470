//! The stratum dialect Kaspa-family miners and bridges speak: newline-delimited JSON-RPC.
//!
//! - `mining.subscribe` → `[true, "EthereumStratum/1.0.0"]`, then the server sends
//!   `mining.set_extranonce [extranonce, size]`: the hex prefix (here 2 bytes) that fixes the
//!   high bytes of every nonce this miner tries, so no two miners search the same nonces,
//!   and the number of bytes left to the miner.
//! - `mining.authorize [worker, password]` → `true`, then the server sends
//!   `mining.set_difficulty [difficulty]` and `mining.notify`. A difficulty applies to the
//!   jobs notified after it; a new difficulty comes with a fresh job.
//! - `mining.notify [job_id, [w0, w1, w2, w3], timestamp]`: the pre-PoW hash as four
//!   little-endian 64-bit words (the layout of the Kaspa stratum bridge) and the header
//!   timestamp in milliseconds.
//! - BzMiner-style clients (a user agent naming `BzMiner` in `mining.subscribe`, as the
//!   Pyrin stratum bridge matches it) get `mining.notify [job_id, big_job]` instead: the
//!   80-hex-character job string of [`big_job`].
//! - `mining.submit [worker, job_id, nonce]` with the nonce as hex (`0x` optional) →
//!   `true` or an error `[code, message, null]`. `worker` must be a name this connection
//!   authorized; the share counts for it. A nonce of 16 hex digits is the whole nonce; a
//!   shorter one is the miner's part (it must fit in the 12 digits the extranonce leaves)
//!   and the extranonce is put in front of it.
//!
//! Share difficulty is in the bridge's units: difficulty 1 is the target `0xffff · 2^208`
//! (see `pyrin_pow::share`).

use pyrin_core::PrePowHash;
use serde_json::{json, Value};

/// Stratum error codes (the classic set the bridges reuse).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StratumError {
    /// Malformed request or parameters.
    Other = 20,
    /// The job is unknown or no longer current.
    StaleJob = 21,
    /// The same nonce was already submitted for this job.
    Duplicate = 22,
    /// The PoW value is above the share target.
    LowDifficulty = 23,
    /// Submitting before `mining.authorize`.
    Unauthorized = 24,
    /// Requests before `mining.subscribe`.
    NotSubscribed = 25,
}

impl StratumError {
    /// The JSON error value `[code, message, null]`.
    pub fn to_json(self, message: &str) -> Value {
        json!([self as i32, message, Value::Null])
    }
}

/// A parsed request line.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// The request id (echoed in the response).
    pub id: Value,
    /// The method name.
    pub method: String,
    /// The parameters (an empty array when absent).
    pub params: Vec<Value>,
}

/// Parses one line into a request; the error says what was wrong.
pub fn parse_request(line: &str) -> Result<Request, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    let object = value.as_object().ok_or("a request must be a JSON object")?;
    let method = object.get("method").and_then(Value::as_str).ok_or("missing method")?.to_string();
    let params = match object.get("params") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(_) => return Err("params must be an array".into()),
    };
    Ok(Request { id: object.get("id").cloned().unwrap_or(Value::Null), method, params })
}

/// A response line.
pub fn response(id: &Value, result: Result<Value, (StratumError, &str)>) -> String {
    let value = match result {
        Ok(result) => json!({ "id": id, "result": result, "error": Value::Null }),
        Err((code, message)) => json!({ "id": id, "result": Value::Null, "error": code.to_json(message) }),
    };
    value.to_string()
}

/// A notification line (no id).
pub fn notification(method: &str, params: Value) -> String {
    json!({ "id": Value::Null, "method": method, "params": params }).to_string()
}

/// The pre-PoW hash as the four little-endian words of `mining.notify`.
pub fn hash_to_words(hash: &PrePowHash) -> [u64; 4] {
    let bytes = hash.to_bytes();
    core::array::from_fn(|i| u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().unwrap_or([0; 8])))
}

/// The job string the bridge sends BzMiner-style clients (its "big job"): the pre-PoW hash
/// as four big-endian words in hex, then the timestamp with its eight bytes reversed, 80 hex
/// characters in all (Pyrinpyi/pyipad-stratum-bridge, `GenerateLargeJobParams`).
pub fn big_job(hash: &PrePowHash, timestamp: u64) -> String {
    let mut job: String = hash_to_words(hash).iter().map(|w| format!("{:016x}", w.swap_bytes())).collect();
    job.push_str(&format!("{:016x}", timestamp.swap_bytes()));
    job
}

/// The pre-PoW hash from the four words of `mining.notify`.
pub fn words_to_hash(words: &[u64; 4]) -> PrePowHash {
    let mut bytes = [0u8; 32];
    for (chunk, word) in bytes.chunks_mut(8).zip(words) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    PrePowHash::from_bytes(bytes)
}

/// How a client wants its jobs, chosen from its user agent as the Pyrin stratum bridge does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    /// Four little-endian words and the timestamp (lolMiner, SRBMiner, our miner).
    #[default]
    Words,
    /// The 80-hex-character "big job" string (BzMiner).
    BigJob,
}

impl Dialect {
    /// The dialect for the user agent a client sent with `mining.subscribe`: the bridge
    /// sends big jobs to any agent containing `BzMiner`.
    pub fn for_user_agent(agent: &str) -> Self {
        if agent.contains("BzMiner") {
            Dialect::BigJob
        } else {
            Dialect::Words
        }
    }

    /// A `mining.notify` line in this dialect.
    pub fn notify(self, job_id: &str, pre_pow_hash: &PrePowHash, timestamp: u64) -> String {
        match self {
            Dialect::Words => notify(job_id, pre_pow_hash, timestamp),
            Dialect::BigJob => notification("mining.notify", json!([job_id, big_job(pre_pow_hash, timestamp)])),
        }
    }
}

/// A `mining.notify` message.
pub fn notify(job_id: &str, pre_pow_hash: &PrePowHash, timestamp: u64) -> String {
    notification("mining.notify", json!([job_id, hash_to_words(pre_pow_hash), timestamp]))
}

/// Parses the parameters of a `mining.notify`.
pub fn parse_notify(params: &[Value]) -> Option<(String, PrePowHash, u64)> {
    let job = params.first()?.as_str()?.to_string();
    let words = params.get(1)?.as_array()?;
    if words.len() != 4 {
        return None;
    }
    let mut w = [0u64; 4];
    for (slot, word) in w.iter_mut().zip(words) {
        *slot = word.as_u64()?;
    }
    Some((job, words_to_hash(&w), params.get(2)?.as_u64()?))
}

/// Parses a hex nonce (`0x` optional, at most 16 digits).
pub fn parse_nonce(text: &str) -> Option<u64> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    u64::from_str_radix(digits, 16).ok()
}

/// Bytes of the nonce the pool fixes per miner (the extranonce).
pub const EXTRANONCE_BYTES: usize = 2;

/// A `mining.set_extranonce` message for a 2-byte extranonce.
pub fn set_extranonce(extranonce: u16) -> String {
    notification("mining.set_extranonce", json!([format!("{extranonce:04x}"), 8 - EXTRANONCE_BYTES]))
}

/// The nonce range an extranonce leaves to the miner: `(prefix, mask)` where every nonce
/// the miner may try is `prefix | (n & mask)`. Parses the first parameter of
/// `mining.set_extranonce` (1 to 15 hex digits).
pub fn parse_extranonce(params: &[Value]) -> Option<(u64, u64)> {
    let digits = params.first()?.as_str()?;
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    let value = u64::from_str_radix(digits, 16).ok()?;
    let free_bits = 64 - 4 * digits.len() as u32;
    Some((value << free_bits, (1u64 << free_bits) - 1))
}

/// The full nonce of a `mining.submit` from a miner holding `extranonce`: a 16-digit nonce
/// is taken as it is, a shorter one is the miner's part and gets the extranonce in front.
/// `None` when the text is not hex, a miner's part does not fit in the bits the extranonce
/// leaves, or a whole nonce lies outside the miner's extranonce.
pub fn submitted_nonce(text: &str, extranonce: u16) -> Option<u64> {
    let nonce = parse_nonce(text)?;
    let digits = text.strip_prefix("0x").unwrap_or(text).len();
    let free_bits = 64 - 8 * EXTRANONCE_BYTES as u32;
    let nonce = if digits < 16 {
        if nonce >> free_bits != 0 {
            return None;
        }
        (u64::from(extranonce) << free_bits) | nonce
    } else {
        nonce
    };
    (nonce >> free_bits == u64::from(extranonce)).then_some(nonce)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        let hash = PrePowHash::from_bytes(core::array::from_fn(|i| i as u8));
        assert_eq!(words_to_hash(&hash_to_words(&hash)), hash);
        let line = notify("7", &hash, 99);
        let request: Value = serde_json::from_str(&line).unwrap();
        let params = request["params"].as_array().unwrap();
        assert_eq!(parse_notify(params), Some(("7".into(), hash, 99)));
    }

    #[test]
    fn bad_requests_say_why() {
        assert!(parse_request("{").is_err());
        assert!(parse_request("[1]").is_err());
        assert!(parse_request(r#"{"id":1}"#).is_err());
        assert!(parse_request(r#"{"id":1,"method":"x","params":3}"#).is_err());
        assert_eq!(parse_request(r#"{"id":1,"method":"x"}"#).unwrap().params, Vec::<Value>::new());
        assert_eq!(parse_nonce("0xff"), Some(255));
        assert_eq!(parse_nonce("0x"), None);
        assert_eq!(parse_nonce("12345678901234567"), None);
    }

    #[test]
    fn extranonce_fixes_the_high_bytes() {
        let line = set_extranonce(0xab01);
        let request = parse_request(&line).unwrap();
        assert_eq!(request.method, "mining.set_extranonce");
        assert_eq!(request.params, vec![json!("ab01"), json!(6)]);
        let (prefix, mask) = parse_extranonce(&request.params).unwrap();
        assert_eq!((prefix, mask), (0xab01 << 48, (1 << 48) - 1));
        assert_eq!(parse_extranonce(&[json!("")]), None);
        assert_eq!(parse_extranonce(&[json!("0123456789abcdef")]), None);
        assert_eq!(parse_extranonce(&[json!("xy")]), None);

        // The miner's part alone gets the prefix; a whole nonce must carry it.
        assert_eq!(submitted_nonce("0x1", 0xab01), Some(0xab01_0000_0000_0001));
        assert_eq!(submitted_nonce("ffffffffffff", 0xab01), Some(0xab01_ffff_ffff_ffff));
        assert_eq!(submitted_nonce("0xab01000000000007", 0xab01), Some(0xab01_0000_0000_0007));
        assert_eq!(submitted_nonce("0xab02000000000007", 0xab01), None);
        assert_eq!(submitted_nonce("0x0ab01000000000007", 0xab01), None);
        assert_eq!(submitted_nonce("zz", 0xab01), None);
    }

    #[test]
    fn a_nonce_of_13_to_15_digits_is_the_miners_part() {
        // Zero-padded parts that fit in 48 bits get the extranonce in front.
        assert_eq!(submitted_nonce("0000000000007", 0xab01), Some(0xab01_0000_0000_0007));
        assert_eq!(submitted_nonce("0x000ffffffffffff", 0xab01), Some(0xab01_ffff_ffff_ffff));
        // Wider ones are not taken as whole nonces, even when they carry the extranonce.
        assert_eq!(submitted_nonce("b01000000000007", 0xab01), None);
        assert_eq!(submitted_nonce("ab01000000000007"[1..].as_ref(), 0x0b01), None);
        assert_eq!(submitted_nonce("1000000000000", 0xab01), None);
    }

    #[test]
    fn bzminer_gets_big_jobs() {
        assert_eq!(Dialect::for_user_agent("BzMiner-v21.0.3"), Dialect::BigJob);
        assert_eq!(Dialect::for_user_agent("lolMiner 1.88"), Dialect::Words);
        let hash = PrePowHash::from_bytes(core::array::from_fn(|i| i as u8));
        let line: Value = serde_json::from_str(&Dialect::BigJob.notify("5", &hash, 7)).unwrap();
        assert_eq!(line["params"], json!(["5", big_job(&hash, 7)]));
        let line: Value = serde_json::from_str(&Dialect::Words.notify("5", &hash, 7)).unwrap();
        assert_eq!(parse_notify(line["params"].as_array().unwrap()), Some(("5".into(), hash, 7)));
    }
}
