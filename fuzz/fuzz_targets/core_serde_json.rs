#![no_main]
//! Reading arbitrary bytes as the node's JSON (a header, a transaction, a block, an
//! amount) never panics; whatever is accepted writes back to JSON that reads as the same
//! value, and a header or transaction read back carries the hash or id recomputed from it.

use libfuzzer_sys::fuzz_target;
use pyrin_core::{Amount, Block, Header, Transaction};

fn round_trips<T>(value: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + core::fmt::Debug,
{
    let text = serde_json::to_string(value).expect("every value serialises");
    let back: T = serde_json::from_str(&text).expect("written JSON reads back");
    assert_eq!(&back, value);
}

fuzz_target!(|data: &[u8]| {
    if let Ok(header) = serde_json::from_slice::<Header>(data) {
        round_trips(&header);
    }
    if let Ok(tx) = serde_json::from_slice::<Transaction>(data) {
        round_trips(&tx);
    }
    if let Ok(block) = serde_json::from_slice::<Block>(data) {
        round_trips(&block);
    }
    if let Ok(amount) = serde_json::from_slice::<Amount>(data) {
        round_trips(&amount);
    }
});
