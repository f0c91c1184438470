//! The short-form script notation of the upstream script test suite: parse it into script
//! bytes, and format script bytes back into it.
//!
//! Tokens are separated by whitespace:
//! - a signed 64-bit decimal integer is pushed as a number, minimally (`0` → `OpFalse`,
//!   `-1` → `Op1Negate`, `1`..`16` → `OpTrue`..`Op16`, else its script-number bytes);
//! - `0x` and hex digits appends those bytes unchanged;
//! - `'text'` pushes the bytes of `text` with the smallest push opcode;
//! - anything else is an opcode name ([`opcodes::from_name`]).
//!
//! [`format`] writes push data as raw hex and every other opcode by name, so
//! `parse(&format(bytes)) == Ok(bytes)` for any bytes, truncated pushes included.
//!
//! Numbers and quoted text are pushed as [`crate::script_builder::ScriptBuilder`] pushes
//! them. Unlike the reference's short-form reader, which builds through its script builder
//! and so refuses to grow a script past 10 000 bytes, [`parse`] leaves the script size to
//! the engine (which fails such a script with `SCRIPT_SIZE`), so that the round trip above
//! holds for scripts of any length.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use crate::opcodes::{self, Instructions};
use crate::script_builder;

/// The largest element a push may carry, in bytes.
pub const MAX_ELEMENT_SIZE: usize = 520;

/// Why a short-form script does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AsmError {
    /// A token is no number, hex, quoted text or opcode name.
    #[error("token {0:?} is no number, hex, quoted text or opcode name")]
    UnknownToken(String),
    /// A `0x` token with no digits, an odd number of digits, or a non-hex digit.
    #[error("bad hex token {0:?}")]
    BadHex(String),
    /// A push of more than [`MAX_ELEMENT_SIZE`] bytes.
    #[error("a push of {0} bytes exceeds the {MAX_ELEMENT_SIZE}-byte element limit")]
    PushSize(usize),
}

/// Parses a short-form script into its bytes.
pub fn parse(text: &str) -> Result<Vec<u8>, AsmError> {
    let mut script = Vec::new();
    for token in text.split_whitespace() {
        if let Ok(n) = token.parse::<i64>() {
            push_number(&mut script, n);
        } else if let Some(hex) = token.strip_prefix("0x").or_else(|| token.strip_prefix("0X")) {
            let bytes = decode_hex(hex).ok_or_else(|| AsmError::BadHex(token.into()))?;
            script.extend_from_slice(&bytes);
        } else if token.len() >= 2 && token.starts_with('\'') && token.ends_with('\'') {
            push_data(&mut script, &token.as_bytes()[1..token.len() - 1])?;
        } else if let Some(op) = opcodes::from_name(token) {
            script.push(op);
        } else {
            return Err(AsmError::UnknownToken(token.into()));
        }
    }
    Ok(script)
}

/// Formats script bytes in the short form: push opcodes (with their length prefix) and
/// their data as `0x` hex, every other opcode as `OP_` and its name; never fails.
pub fn format(script: &[u8]) -> String {
    let mut out = String::new();
    let mut it = Instructions::new(script);
    loop {
        let start = it.offset();
        let Some(next) = it.next() else { break };
        if !out.is_empty() {
            out.push(' ');
        }
        match next {
            Ok(ins) if ins.opcode >= 0x01 && ins.opcode <= opcodes::OP_PUSH_DATA4 => {
                let header = &script[start..it.offset() - ins.data.len()];
                write_hex(&mut out, header);
                if !ins.data.is_empty() {
                    out.push(' ');
                    write_hex(&mut out, ins.data);
                }
            }
            Ok(ins) => {
                out.push_str("OP_");
                for c in opcodes::name(ins.opcode)[2..].chars() {
                    out.push(c.to_ascii_uppercase());
                }
            }
            Err(_) => write_hex(&mut out, &script[start..]),
        }
    }
    out
}

fn write_hex(out: &mut String, bytes: &[u8]) {
    out.push_str("0x");
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.is_empty() || hex.len() % 2 != 0 {
        return None;
    }
    let digits = hex.as_bytes();
    let val = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    digits.chunks(2).map(|p| Some(val(p[0])? << 4 | val(p[1])?)).collect()
}

/// Appends `n` as the script builder does: `OpFalse`, `Op1Negate`, `OpTrue`..`Op16`, or
/// its minimal script-number bytes as one push ([`ScriptBuilder::add_i64`] without the
/// script-size limit).
///
/// [`ScriptBuilder::add_i64`]: crate::script_builder::ScriptBuilder::add_i64
pub fn push_number(script: &mut Vec<u8>, n: i64) {
    script_builder::append_number(script, n);
}

/// Appends a push of `data` with the smallest push opcode, as the script builder does
/// ([`ScriptBuilder::add_data`] without the script-size limit).
///
/// # Errors
/// [`AsmError::PushSize`] for data longer than [`MAX_ELEMENT_SIZE`] bytes (nothing is
/// appended).
///
/// [`ScriptBuilder::add_data`]: crate::script_builder::ScriptBuilder::add_data
pub fn push_data(script: &mut Vec<u8>, data: &[u8]) -> Result<(), AsmError> {
    if data.len() > MAX_ELEMENT_SIZE {
        return Err(AsmError::PushSize(data.len()));
    }
    script_builder::append_push(script, data);
    Ok(())
}

/// The minimal script-number encoding of `n`: little-endian magnitude, sign in the top bit
/// of the last byte; zero is empty.
pub fn encode_number(n: i64) -> Vec<u8> {
    let mut out = Vec::new();
    if n == 0 {
        return out;
    }
    let negative = n < 0;
    let mut abs = n.unsigned_abs();
    while abs > 0 {
        out.push(abs as u8);
        abs >>= 8;
    }
    if out.last().is_some_and(|&b| b & 0x80 != 0) {
        out.push(if negative { 0x80 } else { 0 });
    } else if negative {
        if let Some(last) = out.last_mut() {
            *last |= 0x80;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn tokens() {
        assert_eq!(parse("").unwrap(), Vec::<u8>::new());
        assert_eq!(parse("  1  2 ").unwrap(), vec![0x51, 0x52]);
        assert_eq!(parse("0 -1 16 17 -2").unwrap(), vec![0, 0x4f, 0x60, 1, 0x11, 1, 0x82]);
        assert_eq!(parse("128 -128 255").unwrap(), vec![2, 0x80, 0, 2, 0x80, 0x80, 2, 0xff, 0]);
        assert_eq!(parse("0x02 0x0100").unwrap(), vec![2, 1, 0]);
        assert_eq!(parse("'Az' ''").unwrap(), vec![2, b'A', b'z', 0]);
        assert_eq!(parse("DUP OP_BLAKE3 CHECKSIGECDSA OP_16 TRUE").unwrap(), vec![0x76, 0xaa, 0xab, 0x60, 0x51]);
        assert_eq!(parse("9223372036854775807").unwrap().len(), 9);
        assert_eq!(parse("-9223372036854775808").unwrap(), {
            let mut v = vec![9];
            v.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0x80, 0x80]);
            v
        });
        assert_eq!(parse("0x"), Err(AsmError::BadHex("0x".into())));
        assert_eq!(parse("0x1"), Err(AsmError::BadHex("0x1".into())));
        assert_eq!(parse("0xzz"), Err(AsmError::BadHex("0xzz".into())));
        assert_eq!(parse("FOO"), Err(AsmError::UnknownToken("FOO".into())));
        assert_eq!(parse("'"), Err(AsmError::UnknownToken("'".into())));
        let long = alloc::format!("'{}'", "a".repeat(521));
        assert_eq!(parse(&long), Err(AsmError::PushSize(521)));
        let ok = alloc::format!("'{}'", "a".repeat(520));
        assert_eq!(&parse(&ok).unwrap()[..3], &[0x4d, 0x08, 0x02]);
    }

    #[test]
    fn format_round_trips() {
        let scripts: [&[u8]; 6] = [
            &[],
            &[0x00, 0x51, 0x76, 0xaa, 0xff, 0xb5],
            &[0x02, 0xab, 0xcd, 0x4c, 0x00, 0x4c, 0x01, 0x07],
            &[0x4d, 0x02],
            &[0x05, 0x01],
            &[0x4e, 0x01, 0x00, 0x00, 0x00, 0x09, 0x87],
        ];
        for s in scripts {
            assert_eq!(parse(&format(s)).unwrap(), s, "{}", format(s));
        }
        assert_eq!(format(&[0x76, 0x02, 0xab, 0xcd, 0x87]), "OP_DUP 0x02 0xabcd OP_EQUAL");
        // Every 1- and 2-byte script.
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                assert_eq!(parse(&format(&[a, b])).unwrap(), [a, b]);
            }
        }
    }
}
