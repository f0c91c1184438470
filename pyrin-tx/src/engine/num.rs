//! Reading script numbers: little-endian magnitude with the sign in the top bit of the last
//! byte (writing them is [`crate::script_asm::encode_number`], which the builder shares).

use super::ScriptError;

/// Decodes a script number of at most `max_len` bytes (4 for arithmetic operands),
/// refusing a non-minimal encoding.
///
/// # Errors
/// [`ScriptError::NumberTooBig`] for a longer one, [`ScriptError::NotMinimalData`] for a
/// non-minimal one.
pub fn decode_number(v: &[u8], max_len: usize) -> Result<i64, ScriptError> {
    if v.len() > max_len || v.len() > 8 {
        return Err(ScriptError::NumberTooBig(v.len()));
    }
    let Some((&last, rest)) = v.split_last() else { return Ok(0) };
    // Minimal: the last byte carries more than the sign, unless the byte before it needs
    // its top bit for the magnitude.
    if last & 0x7f == 0 && rest.last().is_none_or(|&b| b & 0x80 == 0) {
        return Err(ScriptError::NotMinimalData);
    }
    let raw = v.iter().rev().fold(0u64, |raw, &b| (raw << 8) | u64::from(b));
    let sign_bit = 0x80u64 << (8 * (v.len() - 1));
    // At most 8 bytes with the sign bit cleared: the magnitude is below 2^63.
    let magnitude = (raw & !sign_bit) as i64;
    Ok(if raw & sign_bit != 0 { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script_asm::encode_number;
    use alloc::vec::Vec;

    #[test]
    fn round_trip() {
        for n in [0i64, 1, -1, 127, 128, -128, 255, 256, -255, 0x7fff_ffff, -0x7fff_ffff] {
            let e = encode_number(n);
            assert_eq!(decode_number(&e, 8), Ok(n), "{n}");
        }
        assert_eq!(decode_number(&[0x80], 4), Err(ScriptError::NotMinimalData));
        assert_eq!(decode_number(&[0x01, 0x00], 4), Err(ScriptError::NotMinimalData));
        assert_eq!(decode_number(&[0xff, 0x00], 4), Ok(255));
        assert_eq!(decode_number(&[0, 0, 0, 0, 0], 4), Err(ScriptError::NumberTooBig(5)));
        let _: Vec<u8> = encode_number(5);
    }
}
