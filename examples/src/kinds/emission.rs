//! Vector kinds checked against `pyrin-emission`: `subsidy`, `cumulative_subsidy`,
//! `emission_schedule`.

use pyrin_core::params::Network;
use pyrin_emission::EmissionSchedule;
use serde_json::Value;

use super::CaseCheck;
use crate::json::*;

/// The checker for `kind`, if this area supports it.
pub fn checker(kind: &str) -> Option<CaseCheck> {
    match kind {
        "subsidy" => Some(subsidy),
        "cumulative_subsidy" => Some(cumulative_subsidy),
        "emission_schedule" => Some(emission_schedule),
        _ => None,
    }
}

fn schedule_of(input: &Value) -> Result<EmissionSchedule, String> {
    let name = str_field(input, "network")?;
    let network: Network = name.parse().map_err(|_| format!("unknown network `{name}`"))?;
    Ok(EmissionSchedule::for_network(network))
}

fn subsidy(input: &Value, expected: &Value) -> Result<(), String> {
    let schedule = schedule_of(input)?;
    expect_eq("subsidy", schedule.subsidy(u64_field(input, "daa_score")?), amount_field(expected, "subsidy")?)
}

fn cumulative_subsidy(input: &Value, expected: &Value) -> Result<(), String> {
    let schedule = schedule_of(input)?;
    let daa_score = u64_field(input, "daa_score")?;
    let got = schedule.cumulative_subsidy(daa_score);
    expect_eq("cumulative_subsidy", got, amount_field(expected, "cumulative_subsidy")?)?;
    // The inverse query lands on the first score that reaches the amount.
    let reached = schedule.daa_score_reaching(got).ok_or("daa_score_reaching: none for a reachable amount")?;
    if reached > daa_score || schedule.cumulative_subsidy(reached) != got {
        return Err(format!("daa_score_reaching({got}) = {reached}, inconsistent with daa_score {daa_score}"));
    }
    Ok(())
}

fn emission_schedule(input: &Value, expected: &Value) -> Result<(), String> {
    let s = schedule_of(input)?;
    expect_eq("max_supply", s.max_supply(), amount_field(expected, "max_supply")?)?;
    expect_eq(
        "deflationary_phase_daa_score",
        s.deflationary_phase_daa_score(),
        u64_field(expected, "deflationary_phase_daa_score")?,
    )?;
    expect_eq(
        "pre_deflationary_subsidy",
        s.pre_deflationary_subsidy(),
        amount_field(expected, "pre_deflationary_subsidy")?,
    )?;
    expect_eq("blocks_per_month", s.blocks_per_month(), u64_field(expected, "blocks_per_month")?)?;
    expect_eq(
        "last_rewarding_daa_score",
        s.last_rewarding_daa_score(),
        u64_field(expected, "last_rewarding_daa_score")?,
    )
}
