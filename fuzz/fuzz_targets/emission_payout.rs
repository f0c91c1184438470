#![no_main]
//! Splitting a reward over arbitrary share lists never panics and always pays out
//! exactly the reward.

use libfuzzer_sys::fuzz_target;
use pyrin_core::Amount;
use pyrin_emission::payout::{pplns, split_proportional, Share};

fuzz_target!(|input: (u64, Vec<u64>, Vec<(u8, u64)>, u16)| {
    let (reward, shares, window_shares, window) = input;
    let leor = |a: Amount| u128::from(a.to_leor());
    if let Ok(payouts) = split_proportional(Amount::from_leor(reward), &shares) {
        assert_eq!(payouts.iter().map(|&p| leor(p)).sum::<u128>(), u128::from(reward));
    }
    let window_shares: Vec<Share<u8>> =
        window_shares.into_iter().map(|(miner, difficulty)| Share { miner, difficulty }).collect();
    if let Ok(payouts) = pplns(Amount::from_leor(reward), &window_shares, usize::from(window)) {
        assert_eq!(payouts.iter().map(|(_, p)| leor(*p)).sum::<u128>(), u128::from(reward));
    }
});
