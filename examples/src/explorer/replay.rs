//! A devnet's blocks recorded to a file and replayed into a fresh node, so a processor in
//! a separate process can be killed and restarted over the same chain: the node validates
//! the same blocks in the same order on every run, so its selected chain moves (and
//! reorganises) the same way each time.
//!
//! The file is text: a first line of JSON (`{"network": "devnet", "bits": 51511296}`),
//! then one block per line, its consensus encoding in hex.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use pyrin_consensus::Config;
use pyrin_core::params::Network;
use pyrin_core::{Block, CompactTarget};
use pyrin_core::{Decode, Encode};

use super::db::Sql;
use super::processor::{Processor, ProcessorError};
use crate::devnet::node::Node;

/// "Now" for replayed blocks: far after any devnet timestamp, so the future-timestamp rule
/// never depends on when the replay runs.
pub const REPLAY_NOW_MS: u64 = 1 << 60;

/// Why a block log could not be written, read or replayed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The file could not be read or written.
    #[error("block log: {0}")]
    Io(#[from] std::io::Error),
    /// The file is not a block log.
    #[error("block log line {0}: {1}")]
    Format(usize, String),
    /// The node refused a logged block.
    #[error("block log line {0}: the node refused the block: {1}")]
    Refused(usize, String),
    /// The processor failed.
    #[error(transparent)]
    Processor(#[from] ProcessorError),
}

/// A recorded devnet: its network, genesis bits and blocks in arrival order.
#[derive(Clone, Debug)]
pub struct BlockLog {
    /// The network.
    pub network: Network,
    /// The genesis bits the devnet started from (the network's when `None`).
    pub bits: Option<CompactTarget>,
    /// The blocks, in the order the node received them (genesis not included).
    pub blocks: Vec<Block>,
}

impl BlockLog {
    /// Writes the log to `path`.
    ///
    /// # Errors
    /// The file's error.
    pub fn write(&self, path: &Path) -> Result<(), ReplayError> {
        let mut out = BufWriter::new(std::fs::File::create(path)?);
        let header = serde_json::json!({
            "network": self.network.name(),
            "bits": self.bits.map(|b| b.to_consensus()),
        });
        writeln!(out, "{header}")?;
        for block in &self.blocks {
            writeln!(out, "{}", pyrin_core::hex::encode(&block.to_bytes()))?;
        }
        out.flush()?;
        Ok(())
    }

    /// Reads a log written by [`BlockLog::write`].
    ///
    /// # Errors
    /// The file's error, or [`ReplayError::Format`] naming the bad line.
    pub fn read(path: &Path) -> Result<Self, ReplayError> {
        let mut lines = BufReader::new(std::fs::File::open(path)?).lines();
        let first = lines.next().ok_or_else(|| ReplayError::Format(1, "empty file".into()))??;
        let header: serde_json::Value =
            serde_json::from_str(&first).map_err(|e| ReplayError::Format(1, e.to_string()))?;
        let network = header["network"]
            .as_str()
            .and_then(|n| n.parse::<Network>().ok())
            .ok_or_else(|| ReplayError::Format(1, "no known network".into()))?;
        let bits = match &header["bits"] {
            serde_json::Value::Null => None,
            v => Some(CompactTarget::from_consensus(
                v.as_u64()
                    .and_then(|b| u32::try_from(b).ok())
                    .ok_or_else(|| ReplayError::Format(1, "bits is not a u32".into()))?,
            )),
        };
        let mut blocks = Vec::new();
        for (i, line) in lines.enumerate() {
            let line = line?;
            let bytes = pyrin_core::hex::decode(line.trim()).map_err(|e| ReplayError::Format(i + 2, e.to_string()))?;
            blocks.push(Block::from_bytes(&bytes).map_err(|e| ReplayError::Format(i + 2, e.to_string()))?);
        }
        Ok(Self { network, bits, blocks })
    }

    /// A fresh node for the log's network and bits.
    pub fn node(&self) -> Node {
        Node::new(self.network.params(), self.bits, &Config::new())
    }

    /// Replays every block into a fresh node, letting `processor` follow the chain after
    /// each one (so it sees every reorganisation the devnet had). `progress` gets the
    /// number of blocks replayed.
    ///
    /// # Errors
    /// A refused block, or the processor's error.
    pub fn replay<S: Sql>(
        &self,
        processor: &mut Processor<S>,
        mut progress: impl FnMut(usize),
    ) -> Result<Node, ReplayError> {
        let mut node = self.node();
        for (i, block) in self.blocks.iter().enumerate() {
            node.submit_block(block.clone(), REPLAY_NOW_MS).map_err(|e| ReplayError::Refused(i + 2, e.to_string()))?;
            processor.sync(node.validator())?;
            progress(i + 1);
        }
        Ok(node)
    }
}
