//! The coinbase payload and the coinbase outputs of a block.
//!
//! Layout, as the reference node writes it (`consensus/src/processes/coinbase.rs`):
//! blue score (u64 LE) ‖ subsidy (u64 LE) ‖ script public key version (u16 LE) ‖ script
//! length (u8) ‖ script ‖ extra data (the rest).

use alloc::vec::Vec;

use pyrin_core::{params::Params, Amount, ScriptPublicKey, SubnetworkId, Transaction, TransactionOutput};

/// Bytes before the script: blue score, subsidy, script version and script length.
pub const MIN_PAYLOAD_LEN: usize = 8 + 8 + 2 + 1;

/// The length limits a network puts on coinbase payloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PayloadLimits {
    /// Longest script public key a payload may carry.
    pub max_script_len: u8,
    /// Longest payload.
    pub max_payload_len: usize,
}

impl PayloadLimits {
    /// The limits of `params`.
    pub fn from_params(params: &Params) -> Self {
        Self {
            max_script_len: params.coinbase_payload_script_public_key_max_len,
            max_payload_len: params.max_coinbase_payload_len,
        }
    }
}

/// Why a coinbase payload or coinbase outputs could not be built or read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CoinbaseError {
    /// Shorter than the fixed fields.
    #[error("coinbase payload of {len} bytes is shorter than the {min} bytes of its fixed fields")]
    PayloadTooShort {
        /// Payload length.
        len: usize,
        /// Minimum.
        min: usize,
    },
    /// Longer than the network allows.
    #[error("coinbase payload of {len} bytes exceeds the maximum of {max}")]
    PayloadTooLong {
        /// Payload length.
        len: usize,
        /// Maximum.
        max: usize,
    },
    /// The script public key is longer than the network allows.
    #[error("coinbase script public key of {len} bytes exceeds the maximum of {max}")]
    ScriptTooLong {
        /// Script length.
        len: usize,
        /// Maximum.
        max: u8,
    },
    /// The payload ends inside the script it announces.
    #[error("coinbase payload of {len} bytes cannot hold the {needed} bytes its script length implies")]
    ScriptTruncated {
        /// Payload length.
        len: usize,
        /// Bytes needed for the fixed fields and the script.
        needed: usize,
    },
    /// Rewards that do not fit in a u64 amount.
    #[error("coinbase reward amounts overflow")]
    AmountOverflow,
}

/// What a coinbase payload carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoinbaseData {
    /// Blue score of the block.
    pub blue_score: u64,
    /// The block's own subsidy.
    pub subsidy: Amount,
    /// Where the miner wants its rewards paid.
    pub script_public_key: ScriptPublicKey,
    /// Free bytes after the script (miner software tags and the like).
    pub extra_data: Vec<u8>,
}

impl CoinbaseData {
    /// The payload bytes.
    ///
    /// ```
    /// use pyrin_core::{params::Network, Amount, ScriptPublicKey};
    /// use pyrin_emission::coinbase::{CoinbaseData, PayloadLimits};
    ///
    /// let limits = PayloadLimits::from_params(Network::Mainnet.params());
    /// let data = CoinbaseData {
    ///     blue_score: 7,
    ///     subsidy: Amount::from_pyi(14).unwrap(),
    ///     script_public_key: ScriptPublicKey::new(0, vec![0x20; 34]),
    ///     extra_data: b"pyrin-rs".to_vec(),
    /// };
    /// let payload = data.encode(&limits)?;
    /// assert_eq!(CoinbaseData::decode(&payload, &limits)?, data);
    /// # Ok::<(), pyrin_emission::coinbase::CoinbaseError>(())
    /// ```
    ///
    /// # Errors
    /// [`CoinbaseError::ScriptTooLong`] when the script is longer than
    /// `limits.max_script_len`, then [`CoinbaseError::PayloadTooLong`] when the payload
    /// would be longer than `limits.max_payload_len`.
    pub fn encode(&self, limits: &PayloadLimits) -> Result<Vec<u8>, CoinbaseError> {
        let script = self.script_public_key.script.as_slice();
        if script.len() > usize::from(limits.max_script_len) {
            return Err(CoinbaseError::ScriptTooLong { len: script.len(), max: limits.max_script_len });
        }
        let len = MIN_PAYLOAD_LEN + script.len() + self.extra_data.len();
        if len > limits.max_payload_len {
            return Err(CoinbaseError::PayloadTooLong { len, max: limits.max_payload_len });
        }
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(&self.blue_score.to_le_bytes());
        out.extend_from_slice(&self.subsidy.to_leor().to_le_bytes());
        out.extend_from_slice(&self.script_public_key.version.to_le_bytes());
        // Fits: checked against a u8 limit above.
        out.push(script.len() as u8);
        out.extend_from_slice(script);
        out.extend_from_slice(&self.extra_data);
        Ok(out)
    }

    /// Reads a payload, with the reference's checks in its order: the fixed fields fit,
    /// the payload is not too long, the script length is allowed, the script fits.
    ///
    /// # Errors
    /// For the first check that fails, in that order: [`CoinbaseError::PayloadTooShort`],
    /// [`CoinbaseError::PayloadTooLong`], [`CoinbaseError::ScriptTooLong`],
    /// [`CoinbaseError::ScriptTruncated`].
    pub fn decode(payload: &[u8], limits: &PayloadLimits) -> Result<Self, CoinbaseError> {
        let len = payload.len();
        if len < MIN_PAYLOAD_LEN {
            return Err(CoinbaseError::PayloadTooShort { len, min: MIN_PAYLOAD_LEN });
        }
        if len > limits.max_payload_len {
            return Err(CoinbaseError::PayloadTooLong { len, max: limits.max_payload_len });
        }
        let word = |at: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&payload[at..at + 8]);
            u64::from_le_bytes(b)
        };
        let blue_score = word(0);
        let subsidy = Amount::from_leor(word(8));
        let version = u16::from_le_bytes([payload[16], payload[17]]);
        let script_len = payload[18];
        if script_len > limits.max_script_len {
            return Err(CoinbaseError::ScriptTooLong { len: script_len.into(), max: limits.max_script_len });
        }
        let script_end = MIN_PAYLOAD_LEN + usize::from(script_len);
        if len < script_end {
            return Err(CoinbaseError::ScriptTruncated { len, needed: script_end });
        }
        Ok(Self {
            blue_score,
            subsidy,
            script_public_key: ScriptPublicKey::new(version, payload[MIN_PAYLOAD_LEN..script_end].to_vec()),
            extra_data: payload[script_end..].to_vec(),
        })
    }
}

/// What a mergeset block earned: its own subsidy (from its coinbase payload), the fees of
/// its accepted transactions, and where it asked to be paid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockReward {
    /// The block's subsidy.
    pub subsidy: Amount,
    /// Fees of the transactions it contributed.
    pub fees: Amount,
    /// Its miner's script public key.
    pub script_public_key: ScriptPublicKey,
}

/// The outputs of a block's coinbase, per the reference: one output per blue mergeset
/// block (in the order given, which must be the GHOSTDAG `mergeset_blues` order with
/// blocks outside the DAA window left out) paying its subsidy plus fees, skipping zero
/// amounts; then, if the reds earned anything, one output paying all of it to this
/// block's own miner. The caller leaves blocks outside the DAA window out of `reds`
/// too: the node pays neither blues nor reds that fall outside it.
///
/// # Errors
/// [`CoinbaseError::AmountOverflow`] when a blue's subsidy plus fees, or the reds' total,
/// passes `u64::MAX` leor. (Amounts are not checked against
/// [`Amount::MAX_MONEY`]: the block rules do that.)
pub fn coinbase_outputs(
    blues: &[BlockReward],
    reds: &[BlockReward],
    miner_script: &ScriptPublicKey,
) -> Result<Vec<TransactionOutput>, CoinbaseError> {
    let mut outputs = Vec::with_capacity(blues.len() + 1);
    for blue in blues {
        let value = blue.subsidy.checked_add(blue.fees).ok_or(CoinbaseError::AmountOverflow)?;
        if !value.is_zero() {
            outputs.push(TransactionOutput::new(value, blue.script_public_key.clone()));
        }
    }
    let mut red_total = Amount::ZERO;
    for red in reds {
        red_total = red_total
            .checked_add(red.subsidy)
            .and_then(|t| t.checked_add(red.fees))
            .ok_or(CoinbaseError::AmountOverflow)?;
    }
    if !red_total.is_zero() {
        outputs.push(TransactionOutput::new(red_total, miner_script.clone()));
    }
    Ok(outputs)
}

/// The whole coinbase transaction of a block: version 0, no inputs, the
/// [`coinbase_outputs`], lock time 0, the coinbase subnetwork, gas 0 and the payload of
/// `data` (whose `script_public_key` also receives the red reward).
///
/// # Errors
/// Those of [`coinbase_outputs`], then those of [`CoinbaseData::encode`].
pub fn coinbase_transaction(
    data: &CoinbaseData,
    blues: &[BlockReward],
    reds: &[BlockReward],
    limits: &PayloadLimits,
) -> Result<Transaction, CoinbaseError> {
    Ok(Transaction {
        version: 0,
        inputs: Vec::new(),
        outputs: coinbase_outputs(blues, reds, &data.script_public_key)?,
        lock_time: 0,
        subnetwork_id: SubnetworkId::COINBASE,
        gas: 0,
        payload: data.encode(limits)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn limits() -> PayloadLimits {
        PayloadLimits { max_script_len: 150, max_payload_len: 204 }
    }

    #[test]
    fn decode_errors_in_the_reference_order() {
        assert_eq!(CoinbaseData::decode(&[0; 18], &limits()), Err(CoinbaseError::PayloadTooShort { len: 18, min: 19 }));
        assert_eq!(
            CoinbaseData::decode(&[0; 205], &limits()),
            Err(CoinbaseError::PayloadTooLong { len: 205, max: 204 })
        );
        let mut p = vec![0u8; 19];
        p[18] = 151;
        assert_eq!(CoinbaseData::decode(&p, &limits()), Err(CoinbaseError::ScriptTooLong { len: 151, max: 150 }));
        p[18] = 3;
        p.push(1);
        assert_eq!(CoinbaseData::decode(&p, &limits()), Err(CoinbaseError::ScriptTruncated { len: 20, needed: 22 }));
    }

    #[test]
    fn outputs_skip_zero_blues_and_gather_reds() {
        let spk = |b: u8| ScriptPublicKey::new(0, vec![b; 34]);
        let reward = |s, f, b| BlockReward {
            subsidy: Amount::from_leor(s),
            fees: Amount::from_leor(f),
            script_public_key: spk(b),
        };
        let outs = coinbase_outputs(
            &[reward(5, 1, 1), reward(0, 0, 2), reward(3, 0, 3)],
            &[reward(2, 2, 4), reward(1, 0, 5)],
            &spk(9),
        )
        .unwrap();
        let values: Vec<u64> = outs.iter().map(|o| o.value.to_leor()).collect();
        assert_eq!(values, vec![6, 3, 5]);
        assert_eq!(outs[2].script_public_key, spk(9));
        assert_eq!(coinbase_outputs(&[reward(u64::MAX, 1, 1)], &[], &spk(9)), Err(CoinbaseError::AmountOverflow));
    }
}
