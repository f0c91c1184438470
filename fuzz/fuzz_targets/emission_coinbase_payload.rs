#![no_main]
//! Decoding arbitrary bytes as a coinbase payload never panics, and what decodes
//! re-encodes to the same bytes.

use libfuzzer_sys::fuzz_target;
use pyrin_core::params::Network;
use pyrin_emission::coinbase::{CoinbaseData, PayloadLimits};

fuzz_target!(|data: &[u8]| {
    let limits = PayloadLimits::from_params(Network::Mainnet.params());
    if let Ok(decoded) = CoinbaseData::decode(data, &limits) {
        assert_eq!(decoded.encode(&limits).expect("a decoded payload re-encodes"), data);
    }
});
