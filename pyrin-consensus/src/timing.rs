//! Where a [`BlockValidator`](crate::BlockValidator)'s time goes, by stage: behind the
//! `stage-timing` feature (a profiling hook reading `std::time::Instant`); without it the
//! hooks compile to nothing and the crate reads no clock.

use core::time::Duration;

/// Time spent in each stage of validation since the validator was created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StageTimes {
    /// Header rules (in isolation, parents, GHOSTDAG, DAA windows, in context).
    pub header: Duration,
    /// Body rules (in isolation and in context).
    pub body: Duration,
    /// UTXO resolution and acceptance (the sink search, mergeset transactions validated
    /// with their scripts, diffs applied, the virtual state), less the commitment.
    pub utxo: Duration,
    /// The UTXO commitment: each accepted transaction's MuHash combined into the running
    /// one, finalisation, accepted-id merkle roots. (A transaction's own MuHash elements are
    /// hashed beside its scripts, possibly in parallel: they count in `utxo`.)
    pub commitment: Duration,
}

impl StageTimes {
    /// The sum of the stages.
    pub fn total(&self) -> Duration {
        self.header + self.body + self.utxo + self.commitment
    }
}

#[derive(Clone, Copy)]
pub(crate) enum Stage {
    Header = 0,
    Body = 1,
    Utxo = 2,
    Commitment = 3,
}

/// The running totals (nanoseconds), shareable across threads.
#[derive(Default)]
pub(crate) struct Stages {
    #[cfg(feature = "stage-timing")]
    nanos: [core::sync::atomic::AtomicU64; 4],
}

/// A started stopwatch (nothing without `stage-timing`).
pub(crate) struct Started {
    #[cfg(feature = "stage-timing")]
    at: std::time::Instant,
}

impl Stages {
    #[inline(always)]
    pub(crate) fn start() -> Started {
        Started {
            #[cfg(feature = "stage-timing")]
            at: std::time::Instant::now(),
        }
    }

    /// Adds the time since `started` to `stage`.
    #[inline(always)]
    pub(crate) fn add(&self, stage: Stage, started: Started) {
        #[cfg(feature = "stage-timing")]
        {
            let nanos = u64::try_from(started.at.elapsed().as_nanos()).unwrap_or(u64::MAX);
            self.nanos[stage as usize].fetch_add(nanos, core::sync::atomic::Ordering::Relaxed);
        }
        #[cfg(not(feature = "stage-timing"))]
        let _ = (stage, started);
    }

    /// The totals so far.
    pub(crate) fn times(&self) -> StageTimes {
        #[cfg(feature = "stage-timing")]
        {
            let get =
                |s: Stage| Duration::from_nanos(self.nanos[s as usize].load(core::sync::atomic::Ordering::Relaxed));
            // The commitment is timed inside the UTXO stage.
            let utxo = get(Stage::Utxo).saturating_sub(get(Stage::Commitment));
            StageTimes { header: get(Stage::Header), body: get(Stage::Body), utxo, commitment: get(Stage::Commitment) }
        }
        #[cfg(not(feature = "stage-timing"))]
        StageTimes::default()
    }
}
