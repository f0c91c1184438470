//! Vector kinds checked against `pyrin-ghostdag`: `ghostdag_dag`.

use std::collections::{HashMap, HashSet};

use pyrin_core::BlockHash;
use pyrin_core::BlueWork;
use pyrin_ghostdag::{BlockId, Ghostdag};
use serde_json::Value;

use super::CaseCheck;
use crate::json::*;

/// The checker for `kind`, if this area supports it.
pub fn checker(kind: &str) -> Option<CaseCheck> {
    match kind {
        "ghostdag_dag" => Some(ghostdag_dag),
        _ => None,
    }
}

/// The vectors' convention: a block's hash is its id's bytes, zero padded to 32.
fn hash_of_id(id: &str) -> Result<BlockHash, String> {
    let bytes = id.as_bytes();
    if bytes.len() > 32 {
        return Err(format!("block id `{id}` is longer than 32 bytes"));
    }
    let mut h = [0u8; 32];
    h[..bytes.len()].copy_from_slice(bytes);
    Ok(BlockHash::from_bytes(h))
}

/// Block ids by hash, for the ids the case has named. Padding makes `a` and `a\0` the same
/// hash, so a second id for a hash already named is refused: the map stays injective and
/// every reported name is the id the case used.
#[derive(Default)]
struct Names(HashMap<BlockHash, String>);

impl Names {
    /// The hash of `id`, remembering the id under it.
    fn hash(&mut self, id: &str) -> Result<BlockHash, String> {
        let hash = hash_of_id(id)?;
        match self.0.get(&hash) {
            Some(known) if known != id => Err(format!("block ids {known:?} and {id:?} pad to the same hash")),
            Some(_) => Ok(hash),
            None => {
                self.0.insert(hash, id.to_string());
                Ok(hash)
            }
        }
    }

    /// The id a hash was named by.
    fn id(&self, hash: &BlockHash) -> String {
        self.0.get(hash).cloned().unwrap_or_else(|| format!("<unnamed {hash}>"))
    }
}

fn ghostdag_dag(input: &Value, expected: &Value) -> Result<(), String> {
    let k = u16::try_from(u64_field(input, "k")?).map_err(|_| "k exceeds u16")?;
    // Every block has the same work; its value does not change any comparison.
    let work = BlueWork::from_u64(1);
    let mut names = Names::default();
    let mut dag = Ghostdag::new(k, names.hash(str_field(input, "genesis_id")?)?, work).map_err(|e| e.to_string())?;
    let want = field(expected, "blocks")?.as_object().ok_or("`blocks` is not an object")?;
    let mut seen = HashSet::new();
    for block in array_field(input, "blocks")? {
        let id = str_field(block, "id")?;
        let parents = array_field(block, "parents")?
            .iter()
            .map(|p| p.as_str().ok_or("parent is not a string".to_string()).and_then(|p| names.hash(p)))
            .collect::<Result<Vec<_>, _>>()?;
        let added = dag.add_block(names.hash(id)?, &parents, work).map_err(|e| e.to_string())?;
        let w = want.get(id).ok_or_else(|| format!("block {id} has no expected result"))?;
        seen.insert(id);
        let data = dag.data(added);
        let list_names = |ids: &[BlockId]| ids.iter().map(|&b| names.id(&dag.hash_of(b))).collect::<Vec<_>>();
        let sp = data.selected_parent.map(|s| names.id(&dag.hash_of(s))).unwrap_or_default();
        if sp != str_field(w, "selected_parent")? {
            return Err(format!("block {id}: selected parent {sp}, expected {}", str_field(w, "selected_parent")?));
        }
        expect_eq(&format!("block {id} blue_score"), data.blue_score, u64_field(w, "blue_score")?)?;
        let list = |name: &str| -> Result<Vec<String>, String> {
            array_field(w, name)?
                .iter()
                .map(|v| v.as_str().map(str::to_string).ok_or(format!("`{name}` entry")))
                .collect()
        };
        let blues = list_names(&data.mergeset_blues);
        if blues != list("mergeset_blues")? {
            return Err(format!("block {id}: mergeset_blues {blues:?}, expected {:?}", list("mergeset_blues")?));
        }
        let reds = list_names(&data.mergeset_reds);
        if reds != list("mergeset_reds")? {
            return Err(format!("block {id}: mergeset_reds {reds:?}, expected {:?}", list("mergeset_reds")?));
        }
    }
    // Both ways: every input block was checked above, and every expected id was an input.
    let mut never_seen: Vec<&str> = want.keys().map(String::as_str).filter(|id| !seen.contains(id)).collect();
    if !never_seen.is_empty() {
        never_seen.sort_unstable();
        never_seen.truncate(10);
        return Err(format!(
            "{} expected block(s) never among the input blocks, e.g. {never_seen:?}",
            want.len() - seen.len()
        ));
    }
    Ok(())
}
