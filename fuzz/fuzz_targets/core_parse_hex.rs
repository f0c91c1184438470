#![no_main]
//! Parsing arbitrary text as a hash, a 256-bit integer, blue work or a subnetwork id
//! never panics, and what parses prints back equivalently.

use libfuzzer_sys::fuzz_target;
use pyrin_core::{BlueWork, Hash, SubnetworkId, Uint256};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else { return };
    if let Ok(hash) = text.parse::<Hash>() {
        assert_eq!(hash.to_string(), text.to_ascii_lowercase());
    }
    if let Ok(v) = text.parse::<Uint256>() {
        assert_eq!(format!("{v:x}").parse::<Uint256>(), Ok(v));
    }
    if let Ok(w) = text.parse::<BlueWork>() {
        assert_eq!(w.to_string().parse::<BlueWork>(), Ok(w));
    }
    let _ = text.parse::<SubnetworkId>();
    let _ = pyrin_core::hex::decode(text);
});
