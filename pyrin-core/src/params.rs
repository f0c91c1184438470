//! Network parameters and genesis blocks, as plain data.
//!
//! Values follow the Pyrin reference node (`Pyrinpyi/pyrin`, `consensus/core/src/config`).
//! Mainnet and devnet run at 1 block per second; testnet-10, testnet-11 and simnet at 10,
//! their depth and window parameters scaled as the reference scales them for 10 BPS.
//!
//! The mainnet genesis reproduces its recorded hash and merkle root with Pyrin's BLAKE3
//! hashing. The other networks' genesis constants were partly inherited from Kaspa (whose
//! hashes are BLAKE2b) and the reference skips its genesis-hash test: of those, only the
//! simnet header hash and the testnet-11 merkle root reproduce. [`GenesisBlock::hash`] is
//! therefore always the recorded value the node uses as the DAG root, which
//! [`GenesisBlock::header`]`.hash()` may not equal; a test pins which do.

use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use crate::amount::Amount;
use crate::block::Block;
use crate::hash::{BlockHash, MerkleRoot, UtxoCommitment};
use crate::header::Header;
use crate::subnets::SubnetworkId;
use crate::target::{CompactTarget, Target};
use crate::tx::Transaction;
use crate::uint::{BlueWork, Uint256};

/// DAA score after which mainnet uses the relaunch PoW reduction (the hard fork of
/// 12 September 2024). The reference compares every network's headers with this mainnet
/// value; see `pyrin-pow`.
pub const MAINNET_HF_RELAUNCH_DAA_SCORE: u64 = 27_037_930;

/// One of the Pyrin networks.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Network {
    /// The main network (relaunched at DAA score 25,883,292).
    Mainnet,
    /// Testnet 10 (10 BPS).
    Testnet10,
    /// Testnet 11 (10 BPS, sampled difficulty windows).
    Testnet11,
    /// The simulation network (10 BPS, PoW skipped by default).
    Simnet,
    /// The development network (1 BPS).
    Devnet,
}

/// A network name that is not one of [`Network::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown network {0:?} (expected mainnet, testnet-10, testnet-11, simnet or devnet)")]
#[non_exhaustive]
pub struct UnknownNetwork(pub alloc::string::String);

impl Network {
    /// Every network.
    pub const ALL: [Network; 5] =
        [Network::Mainnet, Network::Testnet10, Network::Testnet11, Network::Simnet, Network::Devnet];

    /// The network's name: `mainnet`, `testnet-10`, `testnet-11`, `simnet`, `devnet`.
    pub const fn name(self) -> &'static str {
        match self {
            Network::Mainnet => "mainnet",
            Network::Testnet10 => "testnet-10",
            Network::Testnet11 => "testnet-11",
            Network::Simnet => "simnet",
            Network::Devnet => "devnet",
        }
    }

    /// The human-readable prefix of the network's addresses.
    pub const fn address_prefix(self) -> &'static str {
        match self {
            Network::Mainnet => "pyrin",
            Network::Testnet10 | Network::Testnet11 => "pyrintest",
            Network::Simnet => "pyrinsim",
            Network::Devnet => "pyrindev",
        }
    }

    /// Blocks per second.
    pub const fn bps(self) -> u64 {
        match self {
            Network::Mainnet | Network::Devnet => 1,
            Network::Testnet10 | Network::Testnet11 | Network::Simnet => 10,
        }
    }

    /// The network's parameters.
    pub fn params(self) -> &'static Params {
        match self {
            Network::Mainnet => &MAINNET_PARAMS,
            Network::Testnet10 => &TESTNET10_PARAMS,
            Network::Testnet11 => &TESTNET11_PARAMS,
            Network::Simnet => &SIMNET_PARAMS,
            Network::Devnet => &DEVNET_PARAMS,
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Network {
    type Err = UnknownNetwork;
    /// Reads a network's [name](Network::name).
    ///
    /// # Errors
    /// [`UnknownNetwork`] for any other text (names are case-sensitive).
    fn from_str(s: &str) -> Result<Self, UnknownNetwork> {
        Network::ALL.into_iter().find(|n| n.name() == s).ok_or_else(|| UnknownNetwork(s.into()))
    }
}

/// The constants that define a network's genesis block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenesisBlock {
    /// The genesis hash the node uses as the root of the DAG (recorded, see module docs).
    pub hash: BlockHash,
    /// Header version.
    pub version: u16,
    /// Merkle root of the genesis coinbase transaction's hash.
    pub hash_merkle_root: MerkleRoot,
    /// UTXO commitment.
    pub utxo_commitment: UtxoCommitment,
    /// Timestamp in milliseconds.
    pub timestamp: u64,
    /// Compact target.
    pub bits: CompactTarget,
    /// Nonce.
    pub nonce: u64,
    /// DAA score (mainnet's relaunch genesis is a checkpoint at 25,883,292).
    pub daa_score: u64,
    /// Payload of the genesis coinbase transaction.
    pub coinbase_payload: &'static [u8],
}

impl GenesisBlock {
    /// The genesis header (no parents, zero blue score, work and pruning point).
    pub fn header(&self) -> Header {
        Header {
            version: self.version,
            parents_by_level: Vec::new(),
            hash_merkle_root: self.hash_merkle_root,
            accepted_id_merkle_root: MerkleRoot::ZERO,
            utxo_commitment: self.utxo_commitment,
            timestamp: self.timestamp,
            bits: self.bits,
            nonce: self.nonce,
            daa_score: self.daa_score,
            blue_score: 0,
            blue_work: BlueWork::ZERO,
            pruning_point: BlockHash::ZERO,
        }
    }

    /// The genesis coinbase transaction.
    pub fn coinbase(&self) -> Transaction {
        Transaction {
            subnetwork_id: SubnetworkId::COINBASE,
            payload: self.coinbase_payload.to_vec(),
            ..Transaction::default()
        }
    }

    /// The whole genesis block.
    pub fn block(&self) -> Block {
        Block::new(self.header(), alloc::vec![self.coinbase()])
    }
}

/// The consensus parameters of a network.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Params {
    /// Which network.
    pub network: Network,
    /// Its genesis block.
    pub genesis: GenesisBlock,
    /// GHOSTDAG's k: the anticone size bound of blue blocks.
    pub ghostdag_k: u16,
    /// Target milliseconds between blocks.
    pub target_time_per_block: u64,
    /// Timestamp deviation tolerance (in blocks) before sampling activates.
    pub legacy_timestamp_deviation_tolerance: u64,
    /// Timestamp deviation tolerance (in blocks) once sampling is active.
    pub new_timestamp_deviation_tolerance: u64,
    /// Sample rate of the past-median-time window once sampling is active.
    pub past_median_time_sample_rate: u64,
    /// Size of the sampled past-median-time window.
    pub past_median_time_sampled_window_size: u64,
    /// DAA score from which difficulty and median-time windows are sampled (`u64::MAX`: never).
    pub sampling_activation_daa_score: u64,
    /// The easiest target a block may have: 2^255 − 1.
    pub max_difficulty_target: Target,
    /// Sample rate of the difficulty window once sampling is active.
    pub difficulty_sample_rate: u64,
    /// Size of the sampled difficulty window.
    pub sampled_difficulty_window_size: u64,
    /// Size of the difficulty window before sampling.
    pub legacy_difficulty_window_size: u64,
    /// Fewest blocks in a window for difficulty adjustment to act.
    pub min_difficulty_window_len: u64,
    /// Most direct parents a block may have.
    pub max_block_parents: u8,
    /// Largest mergeset a block may have.
    pub mergeset_size_limit: u64,
    /// Merge depth bound, in blue score.
    pub merge_depth: u64,
    /// Finality depth, in blue score.
    pub finality_depth: u64,
    /// Pruning depth, in blue score.
    pub pruning_depth: u64,
    /// Longest script public key a coinbase payload may name.
    pub coinbase_payload_script_public_key_max_len: u8,
    /// Longest coinbase payload.
    pub max_coinbase_payload_len: usize,
    /// Most inputs per transaction.
    pub max_tx_inputs: usize,
    /// Most outputs per transaction.
    pub max_tx_outputs: usize,
    /// Longest signature script.
    pub max_signature_script_len: usize,
    /// Longest script public key.
    pub max_script_public_key_len: usize,
    /// Mass per byte of a serialised transaction.
    pub mass_per_tx_byte: u64,
    /// Mass per byte of an output's script public key.
    pub mass_per_script_pub_key_byte: u64,
    /// Mass per signature operation.
    pub mass_per_sig_op: u64,
    /// Largest total mass of a block.
    pub max_block_mass: u64,
    /// The storage-mass parameter C (leor per PYI × 10,000).
    pub storage_mass_parameter: u64,
    /// DAA score from which storage mass is charged (`u64::MAX`: never).
    pub storage_mass_activation_daa_score: u64,
    /// First DAA score of the deflationary (monthly-reducing) subsidy phase.
    pub deflationary_phase_daa_score: u64,
    /// Subsidy per block before the deflationary phase, in leor.
    pub pre_deflationary_phase_base_subsidy: Amount,
    /// Blocks (in DAA score) before a coinbase output may be spent.
    pub coinbase_maturity: u64,
    /// Whether PoW checks are skipped (simnet).
    pub skip_proof_of_work: bool,
    /// The highest block level (genesis has it).
    pub max_block_level: u8,
    /// Pruning-proof parameter m.
    pub pruning_proof_m: u64,
    /// The network's own relaunch hard-fork score as the reference stores it. The PoW
    /// variant rule does not read it: see [`MAINNET_HF_RELAUNCH_DAA_SCORE`].
    pub hf_relaunch_daa_score: u64,
}

impl Params {
    /// Blocks per second: 1000 divided by `target_time_per_block`, rounded down.
    ///
    /// # Panics
    /// When `target_time_per_block` is 0 (no network's is).
    pub fn bps(&self) -> u64 {
        1000 / self.target_time_per_block
    }

    /// The past-median-time window size in use at a selected parent's DAA score.
    ///
    /// # Panics
    /// With overflow checks on (debug builds), when the legacy window size
    /// `2 · legacy_timestamp_deviation_tolerance − 1` is used and does not fit a `u64`
    /// (a tolerance of 0 or above `u64::MAX / 2`; no network's is); without them it wraps.
    pub fn past_median_time_window_size(&self, selected_parent_daa_score: u64) -> u64 {
        if selected_parent_daa_score < self.sampling_activation_daa_score {
            2 * self.legacy_timestamp_deviation_tolerance - 1
        } else {
            self.past_median_time_sampled_window_size
        }
    }

    /// The difficulty window size in use at a selected parent's DAA score.
    pub fn difficulty_window_size(&self, selected_parent_daa_score: u64) -> u64 {
        if selected_parent_daa_score < self.sampling_activation_daa_score {
            self.legacy_difficulty_window_size
        } else {
            self.sampled_difficulty_window_size
        }
    }

    /// The difficulty window sample rate in use at a selected parent's DAA score.
    pub fn difficulty_sample_rate(&self, selected_parent_daa_score: u64) -> u64 {
        if selected_parent_daa_score < self.sampling_activation_daa_score {
            1
        } else {
            self.difficulty_sample_rate
        }
    }
}

// Window and tolerance constants shared by every network (consensus rules of the
// difficulty adjustment and median-time checks).
const TIMESTAMP_DEVIATION_TOLERANCE: u64 = 132;
const PAST_MEDIAN_TIME_SAMPLE_INTERVAL: u64 = 10;
const MEDIAN_TIME_SAMPLED_WINDOW_SIZE: u64 =
    (2 * TIMESTAMP_DEVIATION_TOLERANCE - 1).div_ceil(PAST_MEDIAN_TIME_SAMPLE_INTERVAL);
const MAX_DIFFICULTY_TARGET: Target =
    Target::from_uint256(Uint256::from_le_words([u64::MAX, u64::MAX, u64::MAX, u64::MAX >> 1]));
const LEGACY_DIFFICULTY_WINDOW_SIZE: u64 = 2641;
const DIFFICULTY_WINDOW_SAMPLE_INTERVAL: u64 = 4;
const DIFFICULTY_SAMPLED_WINDOW_SIZE: u64 = LEGACY_DIFFICULTY_WINDOW_SIZE.div_ceil(DIFFICULTY_WINDOW_SAMPLE_INTERVAL);
const MIN_DIFFICULTY_WINDOW_LEN: u64 = 10;
const STORAGE_MASS_PARAMETER: u64 = Amount::LEOR_PER_PYI * 10_000;
// Half a year of seconds, less the three days mainnet was down after launch: the length
// of the flat-subsidy phase at 1 BPS.
const DEFLATIONARY_PHASE_SECONDS: u64 = 15_778_800 - 259_200;

/// Parameters that the reference derives from the block rate for its 10-BPS networks.
mod ten_bps {
    pub const BPS: u64 = 10;
    pub const K: u16 = 124;
    pub const TARGET_TIME: u64 = 1000 / BPS;
    pub const MAX_BLOCK_PARENTS: u8 = 16;
    pub const MERGESET_SIZE_LIMIT: u64 = 2 * K as u64;
    pub const MERGE_DEPTH: u64 = BPS * 3600;
    pub const FINALITY_DEPTH: u64 = BPS * 43_200;
    pub const PRUNING_DEPTH: u64 = FINALITY_DEPTH + 2 * MERGE_DEPTH + 4 * (10 * K as u64) * K as u64 + 2 * K as u64 + 2;
}

const fn base_params(network: Network, genesis: GenesisBlock) -> Params {
    Params {
        network,
        genesis,
        ghostdag_k: 18,
        target_time_per_block: 1000,
        legacy_timestamp_deviation_tolerance: TIMESTAMP_DEVIATION_TOLERANCE,
        new_timestamp_deviation_tolerance: TIMESTAMP_DEVIATION_TOLERANCE,
        past_median_time_sample_rate: PAST_MEDIAN_TIME_SAMPLE_INTERVAL,
        past_median_time_sampled_window_size: MEDIAN_TIME_SAMPLED_WINDOW_SIZE,
        sampling_activation_daa_score: u64::MAX,
        max_difficulty_target: MAX_DIFFICULTY_TARGET,
        difficulty_sample_rate: DIFFICULTY_WINDOW_SAMPLE_INTERVAL,
        sampled_difficulty_window_size: DIFFICULTY_SAMPLED_WINDOW_SIZE,
        legacy_difficulty_window_size: LEGACY_DIFFICULTY_WINDOW_SIZE,
        min_difficulty_window_len: MIN_DIFFICULTY_WINDOW_LEN,
        max_block_parents: 10,
        mergeset_size_limit: 180,
        merge_depth: 3600,
        finality_depth: 86_400,
        pruning_depth: 185_798,
        coinbase_payload_script_public_key_max_len: 150,
        max_coinbase_payload_len: 204,
        max_tx_inputs: 1_000_000_000,
        max_tx_outputs: 1_000_000_000,
        max_signature_script_len: 1_000_000_000,
        max_script_public_key_len: 1_000_000_000,
        mass_per_tx_byte: 1,
        mass_per_script_pub_key_byte: 10,
        mass_per_sig_op: 1000,
        max_block_mass: 500_000,
        storage_mass_parameter: STORAGE_MASS_PARAMETER,
        storage_mass_activation_daa_score: u64::MAX,
        deflationary_phase_daa_score: DEFLATIONARY_PHASE_SECONDS,
        pre_deflationary_phase_base_subsidy: Amount::from_leor(1_700_000_000),
        coinbase_maturity: 100,
        skip_proof_of_work: false,
        max_block_level: 250,
        pruning_proof_m: 1000,
        hf_relaunch_daa_score: u64::MAX,
    }
}

const fn ten_bps_params(network: Network, genesis: GenesisBlock) -> Params {
    use ten_bps::*;
    Params {
        ghostdag_k: K,
        target_time_per_block: TARGET_TIME,
        past_median_time_sample_rate: BPS * PAST_MEDIAN_TIME_SAMPLE_INTERVAL,
        difficulty_sample_rate: BPS * DIFFICULTY_WINDOW_SAMPLE_INTERVAL,
        max_block_parents: MAX_BLOCK_PARENTS,
        mergeset_size_limit: MERGESET_SIZE_LIMIT,
        merge_depth: MERGE_DEPTH,
        finality_depth: FINALITY_DEPTH,
        pruning_depth: PRUNING_DEPTH,
        deflationary_phase_daa_score: BPS * DEFLATIONARY_PHASE_SECONDS,
        pre_deflationary_phase_base_subsidy: Amount::from_leor(1_700_000_000 / BPS),
        coinbase_maturity: BPS * 100,
        ..base_params(network, genesis)
    }
}

/// Mainnet parameters.
pub const MAINNET_PARAMS: Params = Params {
    ghostdag_k: 18,
    max_block_level: 225,
    hf_relaunch_daa_score: MAINNET_HF_RELAUNCH_DAA_SCORE,
    ..base_params(Network::Mainnet, genesis::MAINNET)
};

/// Testnet-10 parameters.
pub const TESTNET10_PARAMS: Params = ten_bps_params(Network::Testnet10, genesis::TESTNET10);

/// Testnet-11 parameters.
pub const TESTNET11_PARAMS: Params = Params {
    sampling_activation_daa_score: 0,
    max_tx_inputs: 10_000,
    max_tx_outputs: 10_000,
    max_signature_script_len: 1_000_000,
    max_script_public_key_len: 1_000_000,
    storage_mass_activation_daa_score: 0,
    ..ten_bps_params(Network::Testnet11, genesis::TESTNET11)
};

/// Simnet parameters.
pub const SIMNET_PARAMS: Params = Params { skip_proof_of_work: true, ..TESTNET11_PARAMS_FOR_SIMNET };

const TESTNET11_PARAMS_FOR_SIMNET: Params = Params {
    sampling_activation_daa_score: 0,
    max_tx_inputs: 10_000,
    max_tx_outputs: 10_000,
    max_signature_script_len: 1_000_000,
    max_script_public_key_len: 1_000_000,
    storage_mass_activation_daa_score: 0,
    ..ten_bps_params(Network::Simnet, genesis::SIMNET)
};

/// Devnet parameters.
pub const DEVNET_PARAMS: Params = base_params(Network::Devnet, genesis::DEVNET);

/// The genesis blocks.
pub mod genesis {
    use super::GenesisBlock;
    use crate::hash::{BlockHash, Hash, MerkleRoot, UtxoCommitment};
    use crate::target::CompactTarget;

    const fn h(hex: &str) -> Hash {
        let s = hex.as_bytes();
        let mut out = [0u8; 32];
        let mut i = 0;
        while i < 32 {
            out[i] = (digit(s[2 * i]) << 4) | digit(s[2 * i + 1]);
            i += 1;
        }
        Hash::from_bytes(out)
    }

    const fn digit(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("lowercase hex expected"),
        }
    }

    /// The MuHash of an empty UTXO set.
    pub const EMPTY_MUHASH: UtxoCommitment =
        UtxoCommitment::from_raw_hash(h("544eb3142c000f0ad2c76ac41f4222abbababed830eeafee4b6dc56b52d5cac0"));

    /// Prefix of every genesis coinbase payload: blue score 0, subsidy 1 PYI (LE u64),
    /// script version 0, a one-byte script holding OP_FALSE.
    const PAYLOAD_HEAD: [u8; 20] = [0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0xe1, 0xf5, 0x05, 0, 0, 0, 0, 0, 0, 0x01, 0x00];

    const fn concat<const N: usize>(head: &[u8], tail: &[u8]) -> [u8; N] {
        let mut out = [0u8; N];
        let mut i = 0;
        while i < head.len() {
            out[i] = head[i];
            i += 1;
        }
        while i < N {
            out[i] = tail[i - head.len()];
            i += 1;
        }
        out
    }

    // Mainnet's payload carries a Hebrew verse (Daniel 3 in Aramaic), a Bitcoin block
    // hash and the UTXO commitment after the common head.
    const MAINNET_PAYLOAD_TAIL: [u8; 184] = [
        0xd7, 0x95, 0xd7, 0x9e, 0xd7, 0x94, 0x20, 0xd7, 0x93, 0xd7, 0x99, 0x20, 0xd7, 0xa2, 0xd7, 0x9c, 0xd7, 0x99,
        0xd7, 0x9a, 0x20, 0xd7, 0x95, 0xd7, 0xa2, 0xd7, 0x9c, 0x20, 0xd7, 0x90, 0xd7, 0x97, 0xd7, 0x99, 0xd7, 0x9a,
        0x20, 0xd7, 0x99, 0xd7, 0x99, 0xd7, 0x98, 0xd7, 0x91, 0x20, 0xd7, 0x91, 0xd7, 0xa9, 0xd7, 0x90, 0xd7, 0xa8,
        0x20, 0xd7, 0x9b, 0xd7, 0xa1, 0xd7, 0xa4, 0xd7, 0x90, 0x20, 0xd7, 0x95, 0xd7, 0x93, 0xd7, 0x94, 0xd7, 0x91,
        0xd7, 0x94, 0x20, 0xd7, 0x9c, 0xd7, 0x9e, 0xd7, 0xa2, 0xd7, 0x91, 0xd7, 0x93, 0x20, 0xd7, 0x9b, 0xd7, 0xa8,
        0xd7, 0xa2, 0xd7, 0x95, 0xd7, 0xaa, 0x20, 0xd7, 0x90, 0xd7, 0x9c, 0xd7, 0x94, 0xd7, 0x9b, 0xd7, 0x9d, 0x20,
        0xd7, 0xaa, 0xd7, 0xa2, 0xd7, 0x91, 0xd7, 0x93, 0xd7, 0x95, 0xd7, 0x9f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x02, 0x08, 0x58, 0x0c, 0x63, 0x1e, 0x5c, 0xa5, 0x2b, 0x49, 0x09, 0x8a, 0x30, 0x13, 0x41,
        0xa5, 0xc7, 0x54, 0xa0, 0xfb, 0x4c, 0xef, 0x20, 0xd4, 0xf5, 0x74, 0x51, 0x55, 0xb1, 0x20, 0x28, 0xda, 0xeb,
        0x90, 0xdb, 0x04, 0xd8, 0xfe, 0x55, 0x22, 0x5b, 0xc7, 0xab, 0x60, 0x99, 0x57, 0xaf, 0xa7, 0xe4, 0x3f, 0x2b,
        0xa1, 0x70, 0xb7, 0x74,
    ];
    const MAINNET_PAYLOAD: [u8; 204] = concat(&PAYLOAD_HEAD, &MAINNET_PAYLOAD_TAIL);
    const TESTNET10_PAYLOAD: [u8; 33] = concat(&PAYLOAD_HEAD, b"pyrin-testnet");
    const TESTNET11_PAYLOAD: [u8; 35] = concat(&PAYLOAD_HEAD, b"kaspa-testnet\x0b\x04");
    const SIMNET_PAYLOAD: [u8; 32] = concat(&PAYLOAD_HEAD, b"kaspa-simnet");
    const DEVNET_PAYLOAD: [u8; 32] = concat(&PAYLOAD_HEAD, b"kaspa-devnet");

    /// Mainnet genesis: the relaunch checkpoint at DAA score 25,883,292.
    pub const MAINNET: GenesisBlock = GenesisBlock {
        hash: BlockHash::from_raw_hash(h("db28f93655e579b3bbc276433711cd214b397ac8467401cb82b28f655d25f762")),
        version: 0,
        hash_merkle_root: MerkleRoot::from_raw_hash(h(
            "4e44c58eb8c297622a7b0a4be3306247a1ebef7b93eabda7005b53bc0f217afd",
        )),
        utxo_commitment: UtxoCommitment::from_raw_hash(h(
            "d4f5745155b12028daeb90db04d8fe55225bc7ab609957afa7e43f2ba170b774",
        )),
        timestamp: 1_724_969_400_000,
        bits: CompactTarget::from_consensus(486_652_985),
        nonce: 0x4e61_6f72,
        daa_score: 25_883_292,
        coinbase_payload: &MAINNET_PAYLOAD,
    };

    /// The genesis of the original mainnet chain, before the relaunch (Go node `pyipad`).
    pub const MAINNET_ORIGINAL: GenesisBlock = GenesisBlock {
        hash: BlockHash::from_raw_hash(h("610558ba70fa73594a7ebc10d5ea49c1f178a520d6ebf062c1d05d6a63198c04")),
        version: 0,
        hash_merkle_root: MerkleRoot::from_raw_hash(h(
            "4f4680301bf40cd3c9aa98f3d9e6dc63a8066031521eb7df170b2b34ab89dff1",
        )),
        utxo_commitment: UtxoCommitment::from_raw_hash(h(
            "8a5cc93109bf2dbaffc503d94c46e13a1034948b8454c2ea6d20b86569e535d5",
        )),
        timestamp: 1_702_322_159_611,
        bits: CompactTarget::from_consensus(486_652_985),
        nonce: 0x4e61_6f72,
        daa_score: 1_491_211,
        coinbase_payload: &[],
    };

    /// Testnet-10 genesis (its recorded hash equals its merkle root in the reference).
    pub const TESTNET10: GenesisBlock = GenesisBlock {
        hash: BlockHash::from_raw_hash(h("50e28b47b23b7074d41a3bbba0726fe7e0ec9a16ecb0992c97c050114303fff5")),
        version: 0,
        hash_merkle_root: MerkleRoot::from_raw_hash(h(
            "50e28b47b23b7074d41a3bbba0726fe7e0ec9a16ecb0992c97c050114303fff5",
        )),
        utxo_commitment: EMPTY_MUHASH,
        timestamp: 1_723_689_084_438,
        bits: CompactTarget::from_consensus(0x1e7f_ffff),
        nonce: 0,
        daa_score: 0,
        coinbase_payload: &TESTNET10_PAYLOAD,
    };

    /// Testnet-11 genesis: testnet-10's with the target scaled for 10 BPS.
    pub const TESTNET11: GenesisBlock = GenesisBlock {
        hash: BlockHash::from_raw_hash(h("d6c1825a482b0a7e9503742fa018a75bc1bd090dfd4f66f020872e25feb55cfc")),
        hash_merkle_root: MerkleRoot::from_raw_hash(h(
            "06e7412d29b47e7b98fa982f740753f2e7fd62ee73414629cc298c43f7291493",
        )),
        bits: CompactTarget::from_consensus(504_155_340),
        coinbase_payload: &TESTNET11_PAYLOAD,
        ..TESTNET10
    };

    /// Simnet genesis.
    pub const SIMNET: GenesisBlock = GenesisBlock {
        hash: BlockHash::from_raw_hash(h("9888fe7ecacb4ddad1494f4ffaf5c4f3b03a71ed7dc9ee1ccacb10d1e8a8eb5b")),
        version: 0,
        hash_merkle_root: MerkleRoot::from_raw_hash(h(
            "1946d629f7e922a7bced59190521c3771f73d352ddbbb686564ad7fd56857c1b",
        )),
        utxo_commitment: EMPTY_MUHASH,
        timestamp: 0x17c_5f62_fbb6,
        bits: CompactTarget::from_consensus(0x207f_ffff),
        nonce: 2,
        daa_score: 0,
        coinbase_payload: &SIMNET_PAYLOAD,
    };

    /// Devnet genesis.
    pub const DEVNET: GenesisBlock = GenesisBlock {
        hash: BlockHash::from_raw_hash(h("4cb48d0b2073b802360145a15ad1abdc01d89b5c2fe4722630ab9b5fe9dfc4f2")),
        version: 0,
        hash_merkle_root: MerkleRoot::from_raw_hash(h(
            "58abf20321d70716162b6bf8d9f589ca33ae6e32b3b19abb7fa65d1141a3f94d",
        )),
        utxo_commitment: EMPTY_MUHASH,
        timestamp: 0x11e_9db4_9828,
        bits: CompactTarget::from_consensus(0x1e21_bc1c),
        nonce: 0x48e5e,
        daa_score: 0,
        coinbase_payload: &DEVNET_PAYLOAD,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainnet_genesis_reproduces_its_recorded_hash() {
        assert_eq!(MAINNET_PARAMS.genesis.header().hash(), MAINNET_PARAMS.genesis.hash);
        assert_eq!(genesis::MAINNET_ORIGINAL.header().hash(), genesis::MAINNET_ORIGINAL.hash);
    }

    #[test]
    fn inherited_genesis_constants_reproduce_only_where_recorded() {
        // (network, header hash reproduces, merkle root of the coinbase reproduces): what
        // the reference's own constants give under BLAKE3 hashing.
        let table = [
            (Network::Mainnet, true, true),
            (Network::Testnet10, false, false),
            (Network::Testnet11, false, true),
            (Network::Simnet, true, false),
            (Network::Devnet, false, false),
        ];
        for (network, hash_ok, merkle_ok) in table {
            let g = &network.params().genesis;
            assert_eq!(g.header().hash() == g.hash, hash_ok, "{network} hash");
            assert_eq!(g.block().hash_merkle_root() == g.hash_merkle_root, merkle_ok, "{network} merkle");
        }
    }

    #[test]
    fn ten_bps_networks_scale_like_the_reference() {
        assert_eq!(TESTNET10_PARAMS.pruning_depth, 1_119_290);
        assert_eq!(TESTNET11_PARAMS.mergeset_size_limit, 248);
        assert_eq!(SIMNET_PARAMS.deflationary_phase_daa_score, 155_196_000);
        assert_eq!(MAINNET_PARAMS.deflationary_phase_daa_score, 15_519_600);
        assert_eq!(SIMNET_PARAMS.bps(), 10);
        assert_eq!(DEVNET_PARAMS.bps(), 1);
    }

    #[test]
    fn network_names_round_trip() {
        for n in Network::ALL {
            assert_eq!(n.name().parse::<Network>(), Ok(n));
            assert_eq!(n.params().network, n);
            assert_eq!(n.params().bps(), n.bps());
        }
        assert!("testnet".parse::<Network>().is_err());
    }
}
