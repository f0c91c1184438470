-- The explorer's index: chain blocks and the blocks they merged, accepted transactions,
-- and per-address balances, counters and histories. Plain SQL that SQLite and PostgreSQL
-- both read; amounts are leor in BIGINT, hashes and ids lower-case hex in TEXT.

-- The processor's cursor: the highest chain block indexed. Moved in the same database
-- transaction as the block's index update, so a crash neither loses nor repeats a block.
CREATE TABLE cursor (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    hash TEXT NOT NULL,
    height BIGINT NOT NULL
);

-- Chain blocks (chain_height set) and the blocks a chain block merged (accepted_by set).
CREATE TABLE blocks (
    hash TEXT PRIMARY KEY,
    chain_height BIGINT UNIQUE,
    selected_parent TEXT,
    accepted_by TEXT,
    timestamp BIGINT NOT NULL,
    daa_score BIGINT NOT NULL,
    blue_score BIGINT NOT NULL,
    bits BIGINT NOT NULL,
    tx_count BIGINT NOT NULL,
    accepted_tx_count BIGINT NOT NULL,
    fees BIGINT NOT NULL
);
CREATE INDEX blocks_accepted_by ON blocks (accepted_by);

-- Transactions the indexed chain accepted. `data` holds the inputs and outputs as JSON.
CREATE TABLE transactions (
    id TEXT PRIMARY KEY,
    block_hash TEXT NOT NULL,
    accepting_block TEXT NOT NULL,
    chain_height BIGINT NOT NULL,
    position BIGINT NOT NULL,
    is_coinbase BIGINT NOT NULL,
    fee BIGINT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX transactions_accepting_block ON transactions (accepting_block);

-- One row per address (a `pyrin:` address, or the hex of a non-standard script).
CREATE TABLE addresses (
    address TEXT PRIMARY KEY,
    balance BIGINT NOT NULL,
    received BIGINT NOT NULL,
    sent BIGINT NOT NULL,
    tx_count BIGINT NOT NULL,
    first_seen_height BIGINT NOT NULL,
    first_seen_time BIGINT NOT NULL,
    last_seen_height BIGINT NOT NULL,
    last_seen_time BIGINT NOT NULL
);

-- An address's transactions: what each paid it and took from it.
CREATE TABLE address_transactions (
    address TEXT NOT NULL,
    chain_height BIGINT NOT NULL,
    position BIGINT NOT NULL,
    txid TEXT NOT NULL,
    accepting_block TEXT NOT NULL,
    block_time BIGINT NOT NULL,
    received BIGINT NOT NULL,
    sent BIGINT NOT NULL,
    PRIMARY KEY (address, chain_height, position)
);
CREATE INDEX address_transactions_accepting_block ON address_transactions (accepting_block);
