//! Why a block or a transaction is refused: one variant per rule, named as the reference
//! node names it.

use alloc::vec::Vec;

use pyrin_core::{BlockHash, BlueWork, CompactTarget, MerkleRoot, TransactionId, TransactionOutpoint, UtxoCommitment};
use pyrin_emission::coinbase::CoinbaseError;
use pyrin_tx::rules::TxRuleError;

/// Why a block was refused, or why a chain candidate was disqualified.
///
/// Each variant is one rule of the reference node's pipeline and carries the reference's
/// `RuleError` variant name ([`RuleError::name`]), so verdicts can be compared with the
/// reference's by name. `#[non_exhaustive]`: rules not yet implemented may add variants.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    /// The block was already refused.
    #[error("block is known to be invalid")]
    KnownInvalid,
    /// The header version is not the one the network expects.
    #[error("wrong block version: got {found} but expected {expected}")]
    WrongBlockVersion {
        /// The header's version.
        found: u16,
        /// The network's version.
        expected: u16,
    },
    /// The timestamp is too far in the future of "now".
    #[error("block timestamp of {timestamp} is too far into the future, expected at most {max}")]
    TimeTooFarIntoTheFuture {
        /// The header's timestamp.
        timestamp: u64,
        /// The latest timestamp allowed.
        max: u64,
    },
    /// The header names no parent.
    #[error("block has no parents")]
    NoParents,
    /// More direct parents than the network allows.
    #[error("block has too many parents: got {found} when the limit is {max}")]
    TooManyParents {
        /// Direct parents given.
        found: usize,
        /// The network's limit.
        max: usize,
    },
    /// A parent is the virtual genesis ("origin").
    #[error("block has the origin as a parent")]
    OriginParent,
    /// The proof of work is above the target of `bits`.
    #[error("block has invalid proof-of-work")]
    InvalidPoW,
    /// Parents (or, for the body, parent bodies) that are not known.
    #[error("block has missing parents: {0:?}")]
    MissingParents(Vec<BlockHash>),
    /// A parent that was refused.
    #[error("parent {0} is invalid")]
    InvalidParent(BlockHash),
    /// One direct parent is an ancestor of another.
    #[error("parent {0} is an ancestor of parent {1}")]
    InvalidParentsRelation(BlockHash, BlockHash),
    /// No parent is in the future of the pruning point.
    #[error("block is in the past of the pruning point {0}")]
    PruningViolation(BlockHash),
    /// `daa_score` differs from the difficulty window's.
    #[error("expected header daa score {expected} but got {found}")]
    UnexpectedHeaderDaaScore {
        /// What the rules give.
        expected: u64,
        /// The header's.
        found: u64,
    },
    /// `bits` differ from the difficulty adjustment's.
    #[error("block difficulty of {} is not the expected value of {}", found.to_consensus(), expected.to_consensus())]
    UnexpectedDifficulty {
        /// The header's.
        found: CompactTarget,
        /// What the rules give.
        expected: CompactTarget,
    },
    /// `blue_score` differs from GHOSTDAG's.
    #[error("expected header blue score {expected} but got {found}")]
    UnexpectedHeaderBlueScore {
        /// What GHOSTDAG gives.
        expected: u64,
        /// The header's.
        found: u64,
    },
    /// `blue_work` differs from GHOSTDAG's.
    #[error("expected header blue work {expected:?} but got {found:?}")]
    UnexpectedHeaderBlueWork {
        /// What GHOSTDAG gives.
        expected: BlueWork,
        /// The header's.
        found: BlueWork,
    },
    /// The timestamp is not after the past median time.
    #[error("block timestamp of {timestamp} is not after expected {past_median_time}")]
    TimeTooOld {
        /// The header's timestamp.
        timestamp: u64,
        /// The past median time.
        past_median_time: u64,
    },
    /// The mergeset is larger than the limit.
    #[error("the block's mergeset size of {size} exceeds the limit of {limit}")]
    MergeSetTooBig {
        /// Mergeset size (selected parent included).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A merged red block is outside the merge depth bound.
    #[error("block is violating bounded merge depth")]
    ViolatingBoundedMergeDepth,
    /// The header's pruning point is not the one the pruning rules give.
    #[error("expected header pruning point is {expected} but got {found}")]
    WrongHeaderPruningPoint {
        /// What the rules give.
        expected: BlockHash,
        /// The header's.
        found: BlockHash,
    },
    /// `parents_by_level` above level 0 differ from the calculated ones.
    #[error("expected indirect parents {expected:?} but got {found:?}")]
    UnexpectedIndirectParents {
        /// What the parents builder gives.
        expected: Vec<Vec<BlockHash>>,
        /// The header's.
        found: Vec<Vec<BlockHash>>,
    },
    /// The block has no transactions.
    #[error("block has no transactions")]
    NoTransactions,
    /// The header's merkle root differs from the one over the transactions.
    #[error("invalid merkle root: header indicates {found} but calculated value is {expected}")]
    BadMerkleRoot {
        /// The header's.
        found: MerkleRoot,
        /// Over the transactions.
        expected: MerkleRoot,
    },
    /// The first transaction is not a coinbase.
    #[error("first transaction in block is not a coinbase")]
    FirstTxNotCoinbase,
    /// A coinbase after the first transaction (index among the transactions after the first).
    #[error("block has second coinbase transaction as index {0}")]
    MultipleCoinbases(usize),
    /// A transaction fails the rules in isolation.
    #[error("transaction in isolation validation failed for tx {0}: {1}")]
    TxInIsolationValidationFailed(TransactionId, TxRuleError),
    /// The block's mass is above the limit.
    #[error("block exceeded mass limit of {0}")]
    ExceedsMassLimit(u64),
    /// A transaction commits to less mass than its compute mass (once storage mass is active).
    #[error("transaction {tx} has mass field of {committed} but mass should be at least {calculated}")]
    MassFieldTooLow {
        /// The transaction.
        tx: TransactionId,
        /// The mass it commits to.
        committed: u64,
        /// Its compute mass.
        calculated: u64,
    },
    /// A body rule of `pyrin-tx` this crate does not know by name yet.
    #[error(transparent)]
    Body(pyrin_tx::body::BodyRuleError),
    /// A header rule of `pyrin-core` this crate does not know by name yet.
    #[error(transparent)]
    Header(pyrin_core::header_rules::HeaderRuleError),
    /// A rule of `pyrin-pow` this crate does not know by name yet.
    #[error(transparent)]
    Pow(pyrin_pow::rules::PowRuleError),
    /// A rule of `pyrin-ghostdag` this crate does not know by name yet.
    #[error(transparent)]
    Ghostdag(pyrin_ghostdag::rules::GhostdagRuleError),
    /// A coinbase rule of `pyrin-emission` this crate does not know by name yet.
    #[error(transparent)]
    Coinbase(pyrin_emission::rules::CoinbaseRuleError),
    /// The same transaction twice.
    #[error("block contains duplicate transactions: {0}")]
    DuplicateTransactions(TransactionId),
    /// Two inputs of the block spend one outpoint.
    #[error("block has double spends: outpoint {0:?} is spent more than once")]
    DoubleSpendInSameBlock(TransactionOutpoint),
    /// An input spends an output created in the same block.
    #[error("block has chained transactions: outpoint {0:?} is created in the same block")]
    ChainedTransaction(TransactionOutpoint),
    /// The coinbase payload's blue score differs from the header's.
    #[error("bad coinbase payload blue score: expected {header} but got {payload}")]
    BadCoinbasePayloadBlueScore {
        /// The payload's.
        payload: u64,
        /// The header's.
        header: u64,
    },
    /// The coinbase payload does not decode.
    #[error("bad coinbase payload: {0}")]
    BadCoinbasePayload(CoinbaseError),
    /// The coinbase payload's subsidy differs from the schedule's.
    #[error("wrong coinbase subsidy: expected {expected} but got {found}")]
    WrongSubsidy {
        /// The schedule's (leor).
        expected: u64,
        /// The payload's (leor).
        found: u64,
    },
    /// A transaction is not final in the block's context (lock time).
    #[error("transaction in context validation failed for tx {0}: {1}")]
    TxInContextFailed(TransactionId, TxRuleError),
    /// The header's UTXO commitment differs from the MuHash after the block's diff.
    #[error("bad UTXO commitment in block {block}: header has {found}, expected {expected}")]
    BadUTXOCommitment {
        /// The block.
        block: BlockHash,
        /// The header's.
        found: UtxoCommitment,
        /// The calculated one.
        expected: UtxoCommitment,
    },
    /// The header's accepted-id merkle root differs from the one over the accepted ids.
    #[error("bad accepted ID merkle root in block {block}: header has {found}, expected {expected}")]
    BadAcceptedIDMerkleRoot {
        /// The block.
        block: BlockHash,
        /// The header's.
        found: MerkleRoot,
        /// The calculated one.
        expected: MerkleRoot,
    },
    /// The coinbase differs from the expected one.
    #[error("coinbase transaction is not built as expected")]
    BadCoinbaseTransaction,
    /// Some of a chain candidate's own transactions are invalid in its UTXO context.
    #[error("{invalid} non-coinbase transactions (out of {total}) are invalid in UTXO context")]
    InvalidTransactionsInUtxoContext {
        /// How many are invalid.
        invalid: usize,
        /// Non-coinbase transactions in the block.
        total: usize,
    },
}

impl RuleError {
    /// The reference's `RuleError` variant name (`"BadMerkleRoot"`, `"TimeTooOld"`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Self::KnownInvalid => "KnownInvalid",
            Self::WrongBlockVersion { .. } => "WrongBlockVersion",
            Self::TimeTooFarIntoTheFuture { .. } => "TimeTooFarIntoTheFuture",
            Self::NoParents => "NoParents",
            Self::TooManyParents { .. } => "TooManyParents",
            Self::OriginParent => "OriginParent",
            Self::InvalidPoW => "InvalidPoW",
            Self::MissingParents(_) => "MissingParents",
            Self::InvalidParent(_) => "InvalidParent",
            Self::InvalidParentsRelation(..) => "InvalidParentsRelation",
            Self::PruningViolation(_) => "PruningViolation",
            Self::UnexpectedHeaderDaaScore { .. } => "UnexpectedHeaderDaaScore",
            Self::UnexpectedDifficulty { .. } => "UnexpectedDifficulty",
            Self::UnexpectedHeaderBlueScore { .. } => "UnexpectedHeaderBlueScore",
            Self::UnexpectedHeaderBlueWork { .. } => "UnexpectedHeaderBlueWork",
            Self::TimeTooOld { .. } => "TimeTooOld",
            Self::MergeSetTooBig { .. } => "MergeSetTooBig",
            Self::ViolatingBoundedMergeDepth => "ViolatingBoundedMergeDepth",
            Self::WrongHeaderPruningPoint { .. } => "WrongHeaderPruningPoint",
            Self::UnexpectedIndirectParents { .. } => "UnexpectedIndirectParents",
            Self::NoTransactions => "NoTransactions",
            Self::BadMerkleRoot { .. } => "BadMerkleRoot",
            Self::FirstTxNotCoinbase => "FirstTxNotCoinbase",
            Self::MultipleCoinbases(_) => "MultipleCoinbases",
            Self::TxInIsolationValidationFailed(..) => "TxInIsolationValidationFailed",
            Self::ExceedsMassLimit(_) => "ExceedsMassLimit",
            Self::MassFieldTooLow { .. } => "MassFieldTooLow",
            Self::Body(_) => "Body",
            Self::Header(_) => "Header",
            Self::Pow(_) => "Pow",
            Self::Ghostdag(_) => "Ghostdag",
            Self::Coinbase(_) => "Coinbase",
            Self::DuplicateTransactions(_) => "DuplicateTransactions",
            Self::DoubleSpendInSameBlock(_) => "DoubleSpendInSameBlock",
            Self::ChainedTransaction(_) => "ChainedTransaction",
            Self::BadCoinbasePayloadBlueScore { .. } => "BadCoinbasePayloadBlueScore",
            Self::BadCoinbasePayload(_) => "BadCoinbasePayload",
            Self::WrongSubsidy { .. } => "WrongSubsidy",
            Self::TxInContextFailed(..) => "TxInContextFailed",
            Self::BadUTXOCommitment { .. } => "BadUTXOCommitment",
            Self::BadAcceptedIDMerkleRoot { .. } => "BadAcceptedIDMerkleRoot",
            Self::BadCoinbaseTransaction => "BadCoinbaseTransaction",
            Self::InvalidTransactionsInUtxoContext { .. } => "InvalidTransactionsInUtxoContext",
        }
    }
}

impl From<pyrin_core::header_rules::HeaderRuleError> for RuleError {
    fn from(e: pyrin_core::header_rules::HeaderRuleError) -> Self {
        use pyrin_core::header_rules::HeaderRuleError as E;
        match e {
            E::WrongBlockVersion { found, expected } => Self::WrongBlockVersion { found, expected },
            E::TimeTooFarIntoTheFuture { timestamp, max } => Self::TimeTooFarIntoTheFuture { timestamp, max },
            E::NoParents => Self::NoParents,
            E::TooManyParents { found, max } => Self::TooManyParents { found, max },
            other => Self::Header(other),
        }
    }
}

impl From<pyrin_pow::rules::PowRuleError> for RuleError {
    fn from(e: pyrin_pow::rules::PowRuleError) -> Self {
        use pyrin_pow::rules::PowRuleError as E;
        match e {
            E::UnexpectedHeaderDaaScore { expected, found } => Self::UnexpectedHeaderDaaScore { expected, found },
            E::UnexpectedDifficulty { found, expected } => Self::UnexpectedDifficulty { found, expected },
            E::TimeTooOld { timestamp, past_median_time } => Self::TimeTooOld { timestamp, past_median_time },
            E::InvalidPoW => Self::InvalidPoW,
            other => Self::Pow(other),
        }
    }
}

impl From<pyrin_ghostdag::rules::GhostdagRuleError> for RuleError {
    fn from(e: pyrin_ghostdag::rules::GhostdagRuleError) -> Self {
        use pyrin_ghostdag::rules::GhostdagRuleError as E;
        match e {
            E::UnexpectedHeaderBlueScore { expected, found } => Self::UnexpectedHeaderBlueScore { expected, found },
            E::UnexpectedHeaderBlueWork { expected, found } => Self::UnexpectedHeaderBlueWork { expected, found },
            E::MergeSetTooBig { size, limit } => Self::MergeSetTooBig { size, limit },
            E::ViolatingBoundedMergeDepth => Self::ViolatingBoundedMergeDepth,
            other => Self::Ghostdag(other),
        }
    }
}

impl From<pyrin_emission::rules::CoinbaseRuleError> for RuleError {
    fn from(e: pyrin_emission::rules::CoinbaseRuleError) -> Self {
        use pyrin_emission::rules::CoinbaseRuleError as E;
        match e {
            E::BadCoinbasePayload(e) => Self::BadCoinbasePayload(e),
            E::BadCoinbasePayloadBlueScore { payload, header } => Self::BadCoinbasePayloadBlueScore { payload, header },
            E::WrongSubsidy { expected, found } => {
                Self::WrongSubsidy { expected: expected.to_leor(), found: found.to_leor() }
            }
            E::BadCoinbaseTransaction => Self::BadCoinbaseTransaction,
            other => Self::Coinbase(other),
        }
    }
}
