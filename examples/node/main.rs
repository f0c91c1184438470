//! A local devnet in one process: simulated miners build a wide DAG with real PoW, signed
//! transfers move coins between their addresses, and a node validates every block.
//!
//! ```text
//! cargo run --release --example node -- [--blocks N] [--miners N] [--delay ROUNDS]
//!     [--seed N] [--network NAME] [--bits HEX] [--json]
//! ```

use std::process::ExitCode;
use std::time::Instant;

use pyrin_examples::devnet::sim::{Devnet, DevnetConfig, Summary};

const USAGE: &str = "usage: node [--blocks N] [--miners N] [--delay ROUNDS] [--seed N] [--network NAME] \
[--bits HEX] [--json]
  --blocks   blocks to mine (default 1500)
  --miners   simulated miners, each with its own key and address (default 4)
  --delay    rounds before a block reaches the other miners; wider DAGs as it grows (default 6)
  --seed     seed of every random choice (default 1)
  --network  mainnet, testnet-10, testnet-11, simnet or devnet (default devnet)
  --bits     starting compact bits of the difficulty adjustment, e.g. 1f00ffff (default: the genesis bits)
  --json     print the summary as JSON";

fn parse_args(args: &[String]) -> Result<(DevnetConfig, bool), String> {
    let mut config = DevnetConfig::default();
    let mut json = false;
    let mut bits = None::<String>;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--json" {
            json = true;
            continue;
        }
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| v.parse::<u64>().map_err(|_| format!("{flag}: {v:?} is not a number"));
        match flag.as_str() {
            "--blocks" => config.blocks = number(value)?,
            "--miners" => config.miners = number(value)? as usize,
            "--delay" => config.delay = number(value)?,
            "--seed" => config.seed = number(value)?,
            "--network" => config.network = value.parse().map_err(|e| format!("{e}"))?,
            // Checked once the network is known (the flags come in any order).
            "--bits" => bits = Some(value.clone()),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if let Some(text) = bits {
        let parsed = pyrin_examples::devnet::bits::parse_bits(&text, config.network);
        config.bits = Some(parsed.map_err(|e| format!("--bits: {e}"))?);
    }
    if config.miners == 0 || config.miners > 1000 {
        return Err("--miners must be between 1 and 1000".into());
    }
    Ok((config, json))
}

fn print_summary(s: &Summary) {
    let pyi = |leor: u128| leor as f64 / 1e8;
    println!("network            {}", s.network);
    println!("blocks             {} ({} blue, {} red) in {} rounds", s.blocks, s.blues, s.reds, s.rounds);
    println!("selected chain     {} blocks, mean DAG width {:.2}", s.chain_length, s.mean_width);
    println!("hash rate          {:.2} Mnonce/s ({} nonces), {:.1} s wall", s.hash_rate / 1e6, s.nonces, s.seconds);
    println!(
        "subsidy emitted    {:.8} PYI (schedule for the paid blocks {:.8}; cumulative before the virtual's DAA score {:.8})",
        pyi(s.subsidy_emitted.into()),
        pyi(s.subsidy_expected.into()),
        pyi(s.schedule_cumulative.into())
    );
    println!("fees               {} leor paid, {} leor accepted", s.fees_paid, s.fees_accepted);
    println!("transfers          {} sent, {} accepted", s.transfers_sent, s.transfers_accepted);
    println!("UTXO total         {:.8} PYI", pyi(s.utxo_total));
    println!("{:<72} {:>20} {:>8} {:>7}", "address", "balance (PYI)", "txs", "mined");
    for a in &s.addresses {
        println!("{:<72} {:>20.8} {:>8} {:>7}", a.address, pyi(a.balance.into()), a.tx_count, a.blocks_mined);
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (config, json) = match parse_args(&args) {
        Ok(parsed) => parsed,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let target = config.blocks;
    let mut devnet = match Devnet::new(config) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut last = Instant::now();
    let result = devnet.run(|d| {
        if last.elapsed().as_secs_f64() >= 2.0 || d.blocks_mined() == target {
            last = Instant::now();
            eprintln!(
                "[{:>5.1}%] {}/{} blocks, {:.2} Mnonce/s",
                100.0 * d.blocks_mined() as f64 / target.max(1) as f64,
                d.blocks_mined(),
                target,
                d.hash_rate() / 1e6
            );
        }
    });
    let summary = result.and_then(|()| devnet.summary());
    match summary {
        Ok(s) if json => println!("{}", serde_json::to_string_pretty(&s.to_json()).unwrap_or_default()),
        Ok(s) => print_summary(&s),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
