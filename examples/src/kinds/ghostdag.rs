//! Vector kinds checked against `pyrin-ghostdag`: `ghostdag_dag`.

use pyrin_core::{BlueWork, Hash};
use pyrin_ghostdag::Ghostdag;
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
fn hash_of_id(id: &str) -> Result<Hash, String> {
    let bytes = id.as_bytes();
    if bytes.len() > 32 {
        return Err(format!("block id `{id}` is longer than 32 bytes"));
    }
    let mut h = [0u8; 32];
    h[..bytes.len()].copy_from_slice(bytes);
    Ok(Hash::from_bytes(h))
}

fn id_of_hash(hash: &Hash) -> String {
    let bytes = hash.as_bytes();
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(32);
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

fn ghostdag_dag(input: &Value, expected: &Value) -> Result<(), String> {
    let k = u16::try_from(u64_field(input, "k")?).map_err(|_| "k exceeds u16")?;
    // Every block has the same work; its value does not change any comparison.
    let work = BlueWork::from_u64(1);
    let mut dag = Ghostdag::new(k, hash_of_id(str_field(input, "genesis_id")?)?, work).map_err(|e| e.to_string())?;
    let want = field(expected, "blocks")?.as_object().ok_or("`blocks` is not an object")?;
    let names = |dag: &Ghostdag, ids: &[u32]| ids.iter().map(|&b| id_of_hash(&dag.hash_of(b))).collect::<Vec<_>>();
    for block in array_field(input, "blocks")? {
        let id = str_field(block, "id")?;
        let parents = array_field(block, "parents")?
            .iter()
            .map(|p| p.as_str().ok_or("parent is not a string".to_string()).and_then(hash_of_id))
            .collect::<Result<Vec<_>, _>>()?;
        let added = dag.add_block(hash_of_id(id)?, &parents, work).map_err(|e| e.to_string())?;
        let Some(w) = want.get(id) else { continue };
        let data = dag.data(added).clone();
        let sp = data.selected_parent.map(|s| id_of_hash(&dag.hash_of(s))).unwrap_or_default();
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
        let blues = names(&dag, &data.mergeset_blues);
        if blues != list("mergeset_blues")? {
            return Err(format!("block {id}: mergeset_blues {blues:?}, expected {:?}", list("mergeset_blues")?));
        }
        let reds = names(&dag, &data.mergeset_reds);
        if reds != list("mergeset_reds")? {
            return Err(format!("block {id}: mergeset_reds {reds:?}, expected {:?}", list("mergeset_reds")?));
        }
    }
    Ok(())
}
