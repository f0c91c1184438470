//! The index's statements, written once over [`Sql`]: a chain block's update and its
//! revert, each one database transaction that also moves the processor's cursor, and the
//! reads the API serves.

use serde_json::{json, Value as Json};

use super::db::{DbError, Sql, Value};
use super::index::ChainBlockUpdate;

/// The processor's cursor: the highest chain block in the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// Its hash (hex).
    pub hash: String,
    /// Its chain height.
    pub height: u64,
}

fn int(v: u64) -> Result<Value, DbError> {
    i64::try_from(v).map(Value::Int).map_err(|_| DbError::Range(v.to_string()))
}

fn uint(v: &Value) -> u64 {
    v.int().and_then(|i| u64::try_from(i).ok()).unwrap_or(0)
}

fn text(v: &Value) -> Json {
    v.text().map_or(Json::Null, |t| Json::String(t.to_string()))
}

/// The cursor, `None` before the first block.
///
/// # Errors
/// The driver's error.
pub fn cursor<S: Sql>(db: &mut S) -> Result<Option<Cursor>, DbError> {
    Ok(db
        .query_one("SELECT hash, height FROM cursor WHERE id = 1", &[])?
        .map(|row| Cursor { hash: row[0].text().unwrap_or_default().to_string(), height: uint(&row[1]) }))
}

fn set_cursor<S: Sql>(db: &mut S, hash: &str, height: u64) -> Result<(), DbError> {
    db.execute(
        "INSERT INTO cursor (id, hash, height) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, height = excluded.height",
        &[hash.into(), int(height)?],
    )?;
    Ok(())
}

const UPSERT_BLOCK: &str =
    "INSERT INTO blocks (hash, chain_height, selected_parent, accepted_by, timestamp, daa_score, \
     blue_score, bits, tx_count, accepted_tx_count, fees) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
     ON CONFLICT (hash) DO UPDATE SET accepted_by = excluded.accepted_by";

/// Adds a chain block's rows and moves the cursor to it, in one transaction. The cursor
/// must be at the block's selected parent (or absent, for genesis).
///
/// # Errors
/// [`DbError::Inconsistent`] when the cursor is elsewhere; the driver's error. Nothing is
/// written then.
pub fn apply<S: Sql>(db: &mut S, update: &ChainBlockUpdate) -> Result<(), DbError> {
    db.transaction(|db| {
        let height = update.block.chain_height.unwrap_or(0);
        let current = cursor(db)?;
        let expected = update.block.selected_parent.as_deref();
        if current.as_ref().map(|c| c.hash.as_str()) != expected {
            return Err(DbError::Inconsistent(format!(
                "block {} extends {:?}, the cursor is at {:?}",
                update.block.hash, expected, current
            )));
        }
        for merged in &update.merged {
            db.execute(
                UPSERT_BLOCK,
                &[
                    merged.hash.as_str().into(),
                    Value::Null,
                    Value::Null,
                    merged.accepted_by.clone().into(),
                    int(merged.timestamp)?,
                    int(merged.daa_score)?,
                    int(merged.blue_score)?,
                    int(merged.bits.into())?,
                    int(merged.tx_count)?,
                    int(merged.accepted_tx_count)?,
                    int(merged.fees)?,
                ],
            )?;
        }
        let b = &update.block;
        db.execute(
            "INSERT INTO blocks (hash, chain_height, selected_parent, accepted_by, timestamp, daa_score, blue_score, \
             bits, tx_count, accepted_tx_count, fees) VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (hash) DO UPDATE SET chain_height = excluded.chain_height, \
             selected_parent = excluded.selected_parent, accepted_tx_count = excluded.accepted_tx_count, \
             fees = excluded.fees",
            &[
                b.hash.as_str().into(),
                int(height)?,
                b.selected_parent.clone().into(),
                int(b.timestamp)?,
                int(b.daa_score)?,
                int(b.blue_score)?,
                int(b.bits.into())?,
                int(b.tx_count)?,
                int(b.accepted_tx_count)?,
                int(b.fees)?,
            ],
        )?;
        for tx in &update.transactions {
            db.execute(
                "INSERT INTO transactions (id, block_hash, accepting_block, chain_height, position, is_coinbase, fee, \
                 data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    tx.id.as_str().into(),
                    tx.block_hash.as_str().into(),
                    b.hash.as_str().into(),
                    int(height)?,
                    int(tx.position)?,
                    Value::Int(tx.is_coinbase.into()),
                    int(tx.fee)?,
                    tx.data_json().into(),
                ],
            )?;
        }
        for a in &update.address_txs {
            db.execute(
                "INSERT INTO address_transactions (address, chain_height, position, txid, accepting_block, block_time, \
                 received, sent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    a.address.as_str().into(),
                    int(height)?,
                    int(a.position)?,
                    a.txid.as_str().into(),
                    b.hash.as_str().into(),
                    int(b.timestamp)?,
                    int(a.received)?,
                    int(a.sent)?,
                ],
            )?;
            let delta = i64::try_from(i128::from(a.received) - i128::from(a.sent))
                .map_err(|_| DbError::Range(a.address.clone()))?;
            db.execute(
                "INSERT INTO addresses (address, balance, received, sent, tx_count, first_seen_height, \
                 first_seen_time, last_seen_height, last_seen_time) VALUES ($1, $2, $3, $4, 1, $5, $6, $5, $6) \
                 ON CONFLICT (address) DO UPDATE SET balance = addresses.balance + excluded.balance, \
                 received = addresses.received + excluded.received, sent = addresses.sent + excluded.sent, \
                 tx_count = addresses.tx_count + 1, last_seen_height = excluded.last_seen_height, \
                 last_seen_time = excluded.last_seen_time",
                &[
                    a.address.as_str().into(),
                    Value::Int(delta),
                    int(a.received)?,
                    int(a.sent)?,
                    int(height)?,
                    int(b.timestamp)?,
                ],
            )?;
        }
        set_cursor(db, &b.hash, height)
    })
}

/// Takes the chain block at the cursor out of the index and moves the cursor to its
/// selected parent, in one transaction. Returns the addresses it touched.
///
/// # Errors
/// [`DbError::Inconsistent`] when the cursor is not at `hash` or `hash` is genesis; the
/// driver's error. Nothing is written then.
pub fn revert<S: Sql>(db: &mut S, hash: &str) -> Result<Vec<String>, DbError> {
    db.transaction(|db| {
        let current = cursor(db)?;
        if current.as_ref().map(|c| c.hash.as_str()) != Some(hash) {
            return Err(DbError::Inconsistent(format!("revert of {hash}, the cursor is at {current:?}")));
        }
        let row = db
            .query_one("SELECT selected_parent, chain_height FROM blocks WHERE hash = $1", &[hash.into()])?
            .ok_or_else(|| DbError::Inconsistent(format!("cursor block {hash} has no row")))?;
        let parent =
            row[0].text().ok_or_else(|| DbError::Inconsistent("genesis cannot be reverted".into()))?.to_string();
        let height = uint(&row[1]);
        let touched = db.query(
            "SELECT address, CAST(SUM(received) AS BIGINT), CAST(SUM(sent) AS BIGINT), COUNT(*) \
             FROM address_transactions WHERE accepting_block = $1 GROUP BY address ORDER BY address",
            &[hash.into()],
        )?;
        db.execute("DELETE FROM address_transactions WHERE accepting_block = $1", &[hash.into()])?;
        let mut addresses = Vec::with_capacity(touched.len());
        for row in touched {
            let address = row[0].clone();
            let (received, sent, count) =
                (row[1].int().unwrap_or(0), row[2].int().unwrap_or(0), row[3].int().unwrap_or(0));
            db.execute(
                "UPDATE addresses SET balance = balance - $2 + $3, received = received - $2, sent = sent - $3, \
                 tx_count = tx_count - $4 WHERE address = $1",
                &[address.clone(), Value::Int(received), Value::Int(sent), Value::Int(count)],
            )?;
            db.execute("DELETE FROM addresses WHERE address = $1 AND tx_count = 0", std::slice::from_ref(&address))?;
            let last = db.query_one(
                "SELECT chain_height, block_time FROM address_transactions WHERE address = $1 \
                 ORDER BY chain_height DESC, position DESC LIMIT 1",
                std::slice::from_ref(&address),
            )?;
            if let Some(last) = last {
                db.execute(
                    "UPDATE addresses SET last_seen_height = $2, last_seen_time = $3 WHERE address = $1",
                    &[address.clone(), last[0].clone(), last[1].clone()],
                )?;
            }
            addresses.push(address.text().unwrap_or_default().to_string());
        }
        db.execute("DELETE FROM transactions WHERE accepting_block = $1", &[hash.into()])?;
        db.execute("DELETE FROM blocks WHERE accepted_by = $1 AND chain_height IS NULL", &[hash.into()])?;
        db.execute("UPDATE blocks SET accepted_by = NULL WHERE accepted_by = $1", &[hash.into()])?;
        db.execute("DELETE FROM blocks WHERE hash = $1", &[hash.into()])?;
        set_cursor(db, &parent, height.saturating_sub(1))?;
        Ok(addresses)
    })
}

fn block_json(row: &[Value]) -> Json {
    json!({
        "hash": text(&row[0]),
        "chain_height": row[1].int(),
        "selected_parent": text(&row[2]),
        "accepted_by": text(&row[3]),
        "timestamp": uint(&row[4]),
        "daa_score": uint(&row[5]),
        "blue_score": uint(&row[6]),
        "bits": format!("{:08x}", uint(&row[7])),
        "tx_count": uint(&row[8]),
        "accepted_tx_count": uint(&row[9]),
        "fees": uint(&row[10]),
    })
}

/// The latest `limit` chain blocks, highest first.
///
/// # Errors
/// The driver's error.
pub fn latest_blocks<S: Sql>(db: &mut S, limit: u64) -> Result<Vec<Json>, DbError> {
    let rows = db.query(
        "SELECT hash, chain_height, selected_parent, accepted_by, timestamp, daa_score, blue_score, bits, tx_count, \
         accepted_tx_count, fees FROM blocks WHERE chain_height IS NOT NULL ORDER BY chain_height DESC LIMIT $1",
        &[int(limit)?],
    )?;
    Ok(rows.iter().map(|r| block_json(r)).collect())
}

/// A block with the transactions it accepted (a chain block) or that were accepted from
/// it (a merged block); `None` when the index does not hold it.
///
/// # Errors
/// The driver's error.
pub fn block<S: Sql>(db: &mut S, hash: &str) -> Result<Option<Json>, DbError> {
    let Some(row) = db.query_one(
        "SELECT hash, chain_height, selected_parent, accepted_by, timestamp, daa_score, blue_score, bits, tx_count, \
         accepted_tx_count, fees FROM blocks WHERE hash = $1",
        &[hash.into()],
    )?
    else {
        return Ok(None);
    };
    let mut out = block_json(&row);
    let accepted = db.query(
        "SELECT id, block_hash, fee, is_coinbase FROM transactions WHERE accepting_block = $1 ORDER BY position",
        &[hash.into()],
    )?;
    let from_it = db.query(
        "SELECT id, accepting_block, fee, is_coinbase FROM transactions WHERE block_hash = $1 ORDER BY chain_height, position",
        &[hash.into()],
    )?;
    let list = |rows: Vec<Vec<Value>>, other: &str| -> Json {
        rows.iter()
            .map(
                |r| json!({"id": text(&r[0]), other: text(&r[1]), "fee": uint(&r[2]), "is_coinbase": uint(&r[3]) == 1}),
            )
            .collect()
    };
    out["accepted_transactions"] = list(accepted, "block_hash");
    out["transactions"] = list(from_it, "accepting_block");
    Ok(Some(out))
}

/// An accepted transaction; `None` when the index does not hold it.
///
/// # Errors
/// The driver's error.
pub fn transaction<S: Sql>(db: &mut S, id: &str) -> Result<Option<Json>, DbError> {
    let Some(row) = db.query_one(
        "SELECT id, block_hash, accepting_block, chain_height, position, is_coinbase, fee, data FROM transactions \
         WHERE id = $1",
        &[id.into()],
    )?
    else {
        return Ok(None);
    };
    let data: Json = serde_json::from_str(row[7].text().unwrap_or("{}")).unwrap_or(Json::Null);
    Ok(Some(json!({
        "id": text(&row[0]),
        "block_hash": text(&row[1]),
        "accepting_block": text(&row[2]),
        "chain_height": uint(&row[3]),
        "position": uint(&row[4]),
        "is_coinbase": uint(&row[5]) == 1,
        "fee": uint(&row[6]),
        "inputs": data["inputs"],
        "outputs": data["outputs"],
    })))
}

/// An address's counters; `None` when it owns nothing and never did in the index.
///
/// # Errors
/// The driver's error.
pub fn address<S: Sql>(db: &mut S, address: &str) -> Result<Option<Json>, DbError> {
    Ok(db
        .query_one(
            "SELECT address, balance, received, sent, tx_count, first_seen_height, first_seen_time, \
             last_seen_height, last_seen_time FROM addresses WHERE address = $1",
            &[address.into()],
        )?
        .map(|r| {
            json!({
                "address": text(&r[0]),
                "balance": uint(&r[1]),
                "received": uint(&r[2]),
                "sent": uint(&r[3]),
                "tx_count": uint(&r[4]),
                "first_seen": {"chain_height": uint(&r[5]), "timestamp": uint(&r[6])},
                "last_seen": {"chain_height": uint(&r[7]), "timestamp": uint(&r[8])},
            })
        }))
}

/// A page of an address's transactions, newest first.
///
/// # Errors
/// The driver's error.
pub fn address_history<S: Sql>(db: &mut S, address: &str, page: u64, page_size: u64) -> Result<Vec<Json>, DbError> {
    let rows = db.query(
        "SELECT txid, accepting_block, chain_height, block_time, received, sent FROM address_transactions \
         WHERE address = $1 ORDER BY chain_height DESC, position DESC LIMIT $2 OFFSET $3",
        &[address.into(), int(page_size)?, int(page.saturating_mul(page_size))?],
    )?;
    Ok(rows
        .iter()
        .map(|r| {
            json!({
                "txid": text(&r[0]),
                "accepting_block": text(&r[1]),
                "chain_height": uint(&r[2]),
                "timestamp": uint(&r[3]),
                "received": uint(&r[4]),
                "sent": uint(&r[5]),
            })
        })
        .collect())
}

/// The sum of every balance (the UTXO set at the cursor) and the number of addresses.
///
/// # Errors
/// The driver's error.
pub fn totals<S: Sql>(db: &mut S) -> Result<(u64, u64), DbError> {
    let row = db.query_one("SELECT CAST(COALESCE(SUM(balance), 0) AS BIGINT), COUNT(*) FROM addresses", &[])?;
    Ok(row.map_or((0, 0), |r| (uint(&r[0]), uint(&r[1]))))
}

/// The DAA score of the block at the cursor.
///
/// # Errors
/// The driver's error.
pub fn cursor_daa_score<S: Sql>(db: &mut S) -> Result<Option<u64>, DbError> {
    Ok(db
        .query_one("SELECT b.daa_score FROM cursor c JOIN blocks b ON b.hash = c.hash WHERE c.id = 1", &[])?
        .map(|r| uint(&r[0])))
}

/// Every balance by address key (for checks against the node).
///
/// # Errors
/// The driver's error.
pub fn balances<S: Sql>(db: &mut S) -> Result<Vec<(String, u64, u64)>, DbError> {
    Ok(db
        .query("SELECT address, balance, tx_count FROM addresses ORDER BY address", &[])?
        .iter()
        .map(|r| (r[0].text().unwrap_or_default().to_string(), uint(&r[1]), uint(&r[2])))
        .collect())
}

/// The whole index as text lines, every table in key order: two indexes hold the same
/// data exactly when their dumps are equal.
///
/// # Errors
/// The driver's error.
pub fn dump<S: Sql>(db: &mut S) -> Result<Vec<String>, DbError> {
    const TABLES: [(&str, &str); 5] = [
        ("cursor", "SELECT id, hash, height FROM cursor ORDER BY id"),
        (
            "blocks",
            "SELECT hash, chain_height, selected_parent, accepted_by, timestamp, daa_score, blue_score, bits, \
             tx_count, accepted_tx_count, fees FROM blocks ORDER BY hash",
        ),
        (
            "transactions",
            "SELECT id, block_hash, accepting_block, chain_height, position, is_coinbase, fee, data FROM transactions \
             ORDER BY id",
        ),
        (
            "addresses",
            "SELECT address, balance, received, sent, tx_count, first_seen_height, first_seen_time, \
             last_seen_height, last_seen_time FROM addresses ORDER BY address",
        ),
        (
            "address_transactions",
            "SELECT address, chain_height, position, txid, accepting_block, block_time, received, sent \
             FROM address_transactions ORDER BY address, chain_height, position",
        ),
    ];
    let mut out = Vec::new();
    for (name, sql) in TABLES {
        for row in db.query(sql, &[])? {
            let cells: Vec<String> = row
                .iter()
                .map(|v| match v {
                    Value::Null => "NULL".to_string(),
                    Value::Int(i) => i.to_string(),
                    Value::Text(t) => t.clone(),
                })
                .collect();
            out.push(format!("{name}|{}", cells.join("|")));
        }
    }
    Ok(out)
}
