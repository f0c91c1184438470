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
    if last & 0x7f == 0 && rest.last().is_none_or(|&b| b & 0x80 == 0) {
        return Err(ScriptError::NotMinimalData);
    }
    let mut magnitude = i64::from(last & 0x7f);
    for &b in rest.iter().rev() {
        magnitude = (magnitude << 8) | i64::from(b);
    }
    Ok(if last & 0x80 != 0 { -magnitude } else { magnitude })
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
