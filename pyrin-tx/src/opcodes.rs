//! Every opcode byte of Pyrin's script language, with the name the reference node gives it.
//!
//! Pyrin's language is Kaspa's with `OpBlake3` (0xaa) in place of Kaspa's `OpBlake2b`.
//! The bytes 0x01..=0x4b push that many bytes (`OpData1`..`OpData75`); `OpPushData1/2/4`
//! push a length-prefixed element.

#![allow(missing_docs)]

pub const OP_FALSE: u8 = 0x00;
pub const OP_PUSH_DATA1: u8 = 0x4c;
pub const OP_PUSH_DATA2: u8 = 0x4d;
pub const OP_PUSH_DATA4: u8 = 0x4e;
pub const OP_1_NEGATE: u8 = 0x4f;
pub const OP_RESERVED: u8 = 0x50;
pub const OP_TRUE: u8 = 0x51;
pub const OP_2: u8 = 0x52;
pub const OP_3: u8 = 0x53;
pub const OP_4: u8 = 0x54;
pub const OP_5: u8 = 0x55;
pub const OP_6: u8 = 0x56;
pub const OP_7: u8 = 0x57;
pub const OP_8: u8 = 0x58;
pub const OP_9: u8 = 0x59;
pub const OP_10: u8 = 0x5a;
pub const OP_11: u8 = 0x5b;
pub const OP_12: u8 = 0x5c;
pub const OP_13: u8 = 0x5d;
pub const OP_14: u8 = 0x5e;
pub const OP_15: u8 = 0x5f;
pub const OP_16: u8 = 0x60;
pub const OP_NOP: u8 = 0x61;
pub const OP_VER: u8 = 0x62;
pub const OP_IF: u8 = 0x63;
pub const OP_NOT_IF: u8 = 0x64;
pub const OP_VER_IF: u8 = 0x65;
pub const OP_VER_NOT_IF: u8 = 0x66;
pub const OP_ELSE: u8 = 0x67;
pub const OP_END_IF: u8 = 0x68;
pub const OP_VERIFY: u8 = 0x69;
pub const OP_RETURN: u8 = 0x6a;
pub const OP_TO_ALT_STACK: u8 = 0x6b;
pub const OP_FROM_ALT_STACK: u8 = 0x6c;
pub const OP_2_DROP: u8 = 0x6d;
pub const OP_2_DUP: u8 = 0x6e;
pub const OP_3_DUP: u8 = 0x6f;
pub const OP_2_OVER: u8 = 0x70;
pub const OP_2_ROT: u8 = 0x71;
pub const OP_2_SWAP: u8 = 0x72;
pub const OP_IF_DUP: u8 = 0x73;
pub const OP_DEPTH: u8 = 0x74;
pub const OP_DROP: u8 = 0x75;
pub const OP_DUP: u8 = 0x76;
pub const OP_NIP: u8 = 0x77;
pub const OP_OVER: u8 = 0x78;
pub const OP_PICK: u8 = 0x79;
pub const OP_ROLL: u8 = 0x7a;
pub const OP_ROT: u8 = 0x7b;
pub const OP_SWAP: u8 = 0x7c;
pub const OP_TUCK: u8 = 0x7d;
pub const OP_CAT: u8 = 0x7e;
pub const OP_SUB_STR: u8 = 0x7f;
pub const OP_LEFT: u8 = 0x80;
pub const OP_RIGHT: u8 = 0x81;
pub const OP_SIZE: u8 = 0x82;
pub const OP_INVERT: u8 = 0x83;
pub const OP_AND: u8 = 0x84;
pub const OP_OR: u8 = 0x85;
pub const OP_XOR: u8 = 0x86;
pub const OP_EQUAL: u8 = 0x87;
pub const OP_EQUAL_VERIFY: u8 = 0x88;
pub const OP_RESERVED1: u8 = 0x89;
pub const OP_RESERVED2: u8 = 0x8a;
pub const OP_1_ADD: u8 = 0x8b;
pub const OP_1_SUB: u8 = 0x8c;
pub const OP_2_MUL: u8 = 0x8d;
pub const OP_2_DIV: u8 = 0x8e;
pub const OP_NEGATE: u8 = 0x8f;
pub const OP_ABS: u8 = 0x90;
pub const OP_NOT: u8 = 0x91;
pub const OP_0_NOT_EQUAL: u8 = 0x92;
pub const OP_ADD: u8 = 0x93;
pub const OP_SUB: u8 = 0x94;
pub const OP_MUL: u8 = 0x95;
pub const OP_DIV: u8 = 0x96;
pub const OP_MOD: u8 = 0x97;
pub const OP_LSHIFT: u8 = 0x98;
pub const OP_RSHIFT: u8 = 0x99;
pub const OP_BOOL_AND: u8 = 0x9a;
pub const OP_BOOL_OR: u8 = 0x9b;
pub const OP_NUM_EQUAL: u8 = 0x9c;
pub const OP_NUM_EQUAL_VERIFY: u8 = 0x9d;
pub const OP_NUM_NOT_EQUAL: u8 = 0x9e;
pub const OP_LESS_THAN: u8 = 0x9f;
pub const OP_GREATER_THAN: u8 = 0xa0;
pub const OP_LESS_THAN_OR_EQUAL: u8 = 0xa1;
pub const OP_GREATER_THAN_OR_EQUAL: u8 = 0xa2;
pub const OP_MIN: u8 = 0xa3;
pub const OP_MAX: u8 = 0xa4;
pub const OP_WITHIN: u8 = 0xa5;
pub const OP_SHA256: u8 = 0xa8;
pub const OP_CHECK_MULTI_SIG_ECDSA: u8 = 0xa9;
pub const OP_BLAKE3: u8 = 0xaa;
pub const OP_CHECK_SIG_ECDSA: u8 = 0xab;
pub const OP_CHECK_SIG: u8 = 0xac;
pub const OP_CHECK_SIG_VERIFY: u8 = 0xad;
pub const OP_CHECK_MULTI_SIG: u8 = 0xae;
pub const OP_CHECK_MULTI_SIG_VERIFY: u8 = 0xaf;
pub const OP_CHECK_LOCK_TIME_VERIFY: u8 = 0xb0;
pub const OP_CHECK_SEQUENCE_VERIFY: u8 = 0xb1;
pub const OP_SMALL_INTEGER: u8 = 0xfa;
pub const OP_PUB_KEYS: u8 = 0xfb;
pub const OP_PUB_KEY_HASH: u8 = 0xfd;
pub const OP_PUB_KEY: u8 = 0xfe;
pub const OP_INVALID_OP_CODE: u8 = 0xff;

/// The largest direct push opcode (`OpData75`).
pub const OP_DATA_75: u8 = 0x4b;

/// The name of every opcode byte, indexed by the byte.
pub const NAMES: [&str; 256] = [
    "OpFalse",
    "OpData1",
    "OpData2",
    "OpData3",
    "OpData4",
    "OpData5",
    "OpData6",
    "OpData7",
    "OpData8",
    "OpData9",
    "OpData10",
    "OpData11",
    "OpData12",
    "OpData13",
    "OpData14",
    "OpData15",
    "OpData16",
    "OpData17",
    "OpData18",
    "OpData19",
    "OpData20",
    "OpData21",
    "OpData22",
    "OpData23",
    "OpData24",
    "OpData25",
    "OpData26",
    "OpData27",
    "OpData28",
    "OpData29",
    "OpData30",
    "OpData31",
    "OpData32",
    "OpData33",
    "OpData34",
    "OpData35",
    "OpData36",
    "OpData37",
    "OpData38",
    "OpData39",
    "OpData40",
    "OpData41",
    "OpData42",
    "OpData43",
    "OpData44",
    "OpData45",
    "OpData46",
    "OpData47",
    "OpData48",
    "OpData49",
    "OpData50",
    "OpData51",
    "OpData52",
    "OpData53",
    "OpData54",
    "OpData55",
    "OpData56",
    "OpData57",
    "OpData58",
    "OpData59",
    "OpData60",
    "OpData61",
    "OpData62",
    "OpData63",
    "OpData64",
    "OpData65",
    "OpData66",
    "OpData67",
    "OpData68",
    "OpData69",
    "OpData70",
    "OpData71",
    "OpData72",
    "OpData73",
    "OpData74",
    "OpData75",
    "OpPushData1",
    "OpPushData2",
    "OpPushData4",
    "Op1Negate",
    "OpReserved",
    "OpTrue",
    "Op2",
    "Op3",
    "Op4",
    "Op5",
    "Op6",
    "Op7",
    "Op8",
    "Op9",
    "Op10",
    "Op11",
    "Op12",
    "Op13",
    "Op14",
    "Op15",
    "Op16",
    "OpNop",
    "OpVer",
    "OpIf",
    "OpNotIf",
    "OpVerIf",
    "OpVerNotIf",
    "OpElse",
    "OpEndIf",
    "OpVerify",
    "OpReturn",
    "OpToAltStack",
    "OpFromAltStack",
    "Op2Drop",
    "Op2Dup",
    "Op3Dup",
    "Op2Over",
    "Op2Rot",
    "Op2Swap",
    "OpIfDup",
    "OpDepth",
    "OpDrop",
    "OpDup",
    "OpNip",
    "OpOver",
    "OpPick",
    "OpRoll",
    "OpRot",
    "OpSwap",
    "OpTuck",
    "OpCat",
    "OpSubStr",
    "OpLeft",
    "OpRight",
    "OpSize",
    "OpInvert",
    "OpAnd",
    "OpOr",
    "OpXor",
    "OpEqual",
    "OpEqualVerify",
    "OpReserved1",
    "OpReserved2",
    "Op1Add",
    "Op1Sub",
    "Op2Mul",
    "Op2Div",
    "OpNegate",
    "OpAbs",
    "OpNot",
    "Op0NotEqual",
    "OpAdd",
    "OpSub",
    "OpMul",
    "OpDiv",
    "OpMod",
    "OpLShift",
    "OpRShift",
    "OpBoolAnd",
    "OpBoolOr",
    "OpNumEqual",
    "OpNumEqualVerify",
    "OpNumNotEqual",
    "OpLessThan",
    "OpGreaterThan",
    "OpLessThanOrEqual",
    "OpGreaterThanOrEqual",
    "OpMin",
    "OpMax",
    "OpWithin",
    "OpUnknown166",
    "OpUnknown167",
    "OpSHA256",
    "OpCheckMultiSigECDSA",
    "OpBlake3",
    "OpCheckSigECDSA",
    "OpCheckSig",
    "OpCheckSigVerify",
    "OpCheckMultiSig",
    "OpCheckMultiSigVerify",
    "OpCheckLockTimeVerify",
    "OpCheckSequenceVerify",
    "OpUnknown178",
    "OpUnknown179",
    "OpUnknown180",
    "OpUnknown181",
    "OpUnknown182",
    "OpUnknown183",
    "OpUnknown184",
    "OpUnknown185",
    "OpUnknown186",
    "OpUnknown187",
    "OpUnknown188",
    "OpUnknown189",
    "OpUnknown190",
    "OpUnknown191",
    "OpUnknown192",
    "OpUnknown193",
    "OpUnknown194",
    "OpUnknown195",
    "OpUnknown196",
    "OpUnknown197",
    "OpUnknown198",
    "OpUnknown199",
    "OpUnknown200",
    "OpUnknown201",
    "OpUnknown202",
    "OpUnknown203",
    "OpUnknown204",
    "OpUnknown205",
    "OpUnknown206",
    "OpUnknown207",
    "OpUnknown208",
    "OpUnknown209",
    "OpUnknown210",
    "OpUnknown211",
    "OpUnknown212",
    "OpUnknown213",
    "OpUnknown214",
    "OpUnknown215",
    "OpUnknown216",
    "OpUnknown217",
    "OpUnknown218",
    "OpUnknown219",
    "OpUnknown220",
    "OpUnknown221",
    "OpUnknown222",
    "OpUnknown223",
    "OpUnknown224",
    "OpUnknown225",
    "OpUnknown226",
    "OpUnknown227",
    "OpUnknown228",
    "OpUnknown229",
    "OpUnknown230",
    "OpUnknown231",
    "OpUnknown232",
    "OpUnknown233",
    "OpUnknown234",
    "OpUnknown235",
    "OpUnknown236",
    "OpUnknown237",
    "OpUnknown238",
    "OpUnknown239",
    "OpUnknown240",
    "OpUnknown241",
    "OpUnknown242",
    "OpUnknown243",
    "OpUnknown244",
    "OpUnknown245",
    "OpUnknown246",
    "OpUnknown247",
    "OpUnknown248",
    "OpUnknown249",
    "OpSmallInteger",
    "OpPubKeys",
    "OpUnknown252",
    "OpPubKeyHash",
    "OpPubKey",
    "OpInvalidOpCode",
];

/// The reference's name of an opcode byte (`OpCheckSig`, `OpData20`, `OpUnknown178`, ...).
pub fn name(opcode: u8) -> &'static str {
    NAMES[opcode as usize]
}

/// The opcode a name denotes, in the short form's spelling: case-insensitive, underscores
/// ignored, with or without the `OP` prefix (`OP_CHECKSIG`, `checksig`, `OpCheckSig`,
/// `DATA_8`). `FALSE`/`TRUE` are `OpFalse`/`OpTrue`; the numbers `0`..`16` are names only
/// with the prefix (`OP_0`, `OP_16`).
pub fn from_name(token: &str) -> Option<u8> {
    let mut norm = alloc::string::String::with_capacity(token.len());
    for c in token.chars() {
        if c != '_' {
            norm.push(c.to_ascii_uppercase());
        }
    }
    let (prefixed, bare) = match norm.strip_prefix("OP") {
        Some(rest) if !rest.is_empty() => (true, rest),
        _ => (false, norm.as_str()),
    };
    if let Ok(n) = bare.parse::<u8>() {
        return match (prefixed, n) {
            (true, 0) => Some(OP_FALSE),
            (true, 1..=16) => Some(OP_TRUE + n - 1),
            _ => None,
        };
    }
    NAMES.iter().position(|candidate| eq_normalized(&candidate[2..], bare)).map(|b| b as u8)
}

fn eq_normalized(reference: &str, upper: &str) -> bool {
    reference.len() == upper.len() && reference.bytes().zip(upper.bytes()).all(|(a, b)| a.to_ascii_uppercase() == b)
}

/// Whether the opcode only pushes data (`OpFalse`..`Op16`, `Op1Negate`, `OpReserved` is not).
pub fn is_push(opcode: u8) -> bool {
    opcode <= OP_16 && opcode != OP_RESERVED
}

/// Whether the opcode is disabled: its presence fails the script even in an unexecuted branch.
pub const fn is_disabled(opcode: u8) -> bool {
    matches!(
        opcode,
        OP_CAT
            | OP_SUB_STR
            | OP_LEFT
            | OP_RIGHT
            | OP_INVERT
            | OP_AND
            | OP_OR
            | OP_XOR
            | OP_2_MUL
            | OP_2_DIV
            | OP_MUL
            | OP_DIV
            | OP_MOD
            | OP_LSHIFT
            | OP_RSHIFT
    )
}

/// Whether the opcode is a conditional (`OpIf`, `OpNotIf`, `OpElse`, `OpEndIf`).
pub fn is_conditional(opcode: u8) -> bool {
    matches!(opcode, OP_IF | OP_NOT_IF | OP_ELSE | OP_END_IF)
}

/// One instruction of a script: an opcode and, for a push, the pushed bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instruction<'a> {
    /// The opcode byte.
    pub opcode: u8,
    /// The data a push opcode carries (empty for every other opcode).
    pub data: &'a [u8],
}

/// A push opcode whose length or data runs past the end of the script.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("opcode {name} at offset {offset} needs more bytes than the script has", name = name(*opcode))]
pub struct MalformedPush {
    /// The push opcode.
    pub opcode: u8,
    /// Its offset in the script.
    pub offset: usize,
}

/// The instructions of a script, in order; a truncated push ends the iteration with an error.
#[derive(Clone, Debug)]
pub struct Instructions<'a> {
    script: &'a [u8],
    offset: usize,
}

impl<'a> Instructions<'a> {
    /// Iterates over `script`'s instructions.
    pub fn new(script: &'a [u8]) -> Self {
        Self { script, offset: 0 }
    }

    /// The offset of the next instruction.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl<'a> Iterator for Instructions<'a> {
    type Item = Result<Instruction<'a>, MalformedPush>;

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.offset;
        let opcode = *self.script.get(start)?;
        let rest = &self.script[start + 1..];
        let fail = || MalformedPush { opcode, offset: start };
        let (prefix, len) = match opcode {
            0x01..=OP_DATA_75 => (0, opcode as usize),
            OP_PUSH_DATA1 => (1, rest.first().map(|&b| b as usize).unwrap_or(usize::MAX)),
            OP_PUSH_DATA2 => {
                (2, rest.get(..2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize).unwrap_or(usize::MAX))
            }
            OP_PUSH_DATA4 => {
                (4, rest.get(..4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize).unwrap_or(usize::MAX))
            }
            _ => {
                self.offset = start + 1;
                return Some(Ok(Instruction { opcode, data: &[] }));
            }
        };
        match rest.get(prefix..).and_then(|r| r.get(..len)) {
            Some(data) => {
                self.offset = start + 1 + prefix + len;
                Some(Ok(Instruction { opcode, data }))
            }
            None => {
                self.offset = self.script.len();
                Some(Err(fail()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for b in 0..=255u8 {
            assert_eq!(from_name(name(b)), Some(b), "{}", name(b));
        }
        assert_eq!(from_name("OP_CHECKSIG"), Some(OP_CHECK_SIG));
        assert_eq!(from_name("CHECKSIGECDSA"), Some(OP_CHECK_SIG_ECDSA));
        assert_eq!(from_name("BLAKE3"), Some(0xaa));
        assert_eq!(from_name("TRUE"), Some(0x51));
        assert_eq!(from_name("FALSE"), Some(0));
        assert_eq!(from_name("OP_0"), Some(0));
        assert_eq!(from_name("OP_16"), Some(0x60));
        assert_eq!(from_name("DATA_8"), Some(8));
        assert_eq!(from_name("2DROP"), Some(OP_2_DROP));
        assert_eq!(from_name("16"), None);
        assert_eq!(from_name("OP_17"), None);
        assert_eq!(from_name("OP"), None);
        assert_eq!(from_name("NOSUCH"), None);
    }

    #[test]
    fn instructions() {
        let script = [OP_TRUE, 2, 0xaa, 0xbb, OP_PUSH_DATA1, 1, 7, OP_PUSH_DATA2, 5, 0];
        let mut it = Instructions::new(&script);
        assert_eq!(it.next(), Some(Ok(Instruction { opcode: OP_TRUE, data: &[] })));
        assert_eq!(it.next(), Some(Ok(Instruction { opcode: 2, data: &[0xaa, 0xbb] })));
        assert_eq!(it.next(), Some(Ok(Instruction { opcode: OP_PUSH_DATA1, data: &[7] })));
        assert_eq!(it.next(), Some(Err(MalformedPush { opcode: OP_PUSH_DATA2, offset: 7 })));
        assert_eq!(it.next(), None);
    }
}
