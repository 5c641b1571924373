//! The interleaved measurement harness: every ratio the crate reports comes from here.
//!
//! A comparison has several *sides*: the crate first, then one or more baselines. The
//! harness first sizes a batch of iterations per side so that one batch takes about
//! [`Settings::round_time`], then runs *rounds*: in each round every side runs one batch,
//! in an order shuffled from round to round (by a fixed-seed generator, so that no side
//! always runs right after another and no periodic load lines up with one side). A change
//! of machine load therefore hits every side within a few milliseconds of each other,
//! instead of hitting whichever side happened to be measured at the time, as when one side
//! is measured in full before the next starts.
//!
//! Rounds are short (1 ms) on purpose: on a loaded machine the scheduler takes the core
//! away for a few milliseconds at a time, and a short round is hit by that less often than
//! not, so the median per side stays the time of an undisturbed batch. A single iteration
//! longer than the round (the loader at 1,000 files) is a round of its own.
//!
//! The result per side is the median time per iteration over the rounds; the ratio of the
//! crate to a baseline is the ratio of those medians. Its spread is the interquartile range
//! of the *per-round* ratios (crate time over baseline time in the same round), which shows
//! how much the ratio moved while the run lasted.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// How long and how often to measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Rounds that are measured, after the warm-up rounds.
    pub rounds: usize,
    /// Rounds run first and thrown away (page cache, allocator, branch predictors).
    pub warmup_rounds: usize,
    /// The time one batch of one side should take.
    pub round_time: Duration,
}

impl Settings {
    /// The full run: 201 measured rounds of batches of about 1 ms each.
    pub fn full() -> Settings {
        Settings {
            rounds: 201,
            warmup_rounds: 5,
            round_time: Duration::from_millis(1),
        }
    }

    /// The smoke run for CI: enough to show that every comparison runs and agrees on its
    /// output, not enough to mean anything.
    pub fn smoke() -> Settings {
        Settings {
            rounds: 3,
            warmup_rounds: 1,
            round_time: Duration::from_micros(200),
        }
    }
}

/// One side of a comparison: a name and the code to time, which runs once per iteration.
pub struct Side<'a> {
    name: &'static str,
    run: Box<dyn FnMut() + 'a>,
}

impl<'a> Side<'a> {
    /// A side named `name` that runs `f` once per iteration. The result of `f` goes through
    /// [`black_box`], so the work cannot be optimised away.
    pub fn new<T>(name: &'static str, mut f: impl FnMut() -> T + 'a) -> Side<'a> {
        Side {
            name,
            run: Box::new(move || {
                black_box(f());
            }),
        }
    }

    /// Runs `iterations` iterations and returns the time they took.
    fn batch(&mut self, iterations: u64) -> Duration {
        let start = Instant::now();
        for _ in 0..iterations {
            (self.run)();
        }
        start.elapsed()
    }

    /// The number of iterations that takes about `target`: doubles until a batch takes a
    /// tenth of it, then scales up.
    fn calibrate(&mut self, target: Duration) -> u64 {
        let mut iterations = 1u64;
        loop {
            let elapsed = self.batch(iterations);
            if elapsed >= target / 10 || iterations >= 1 << 30 {
                let per_iteration = elapsed.as_secs_f64() / iterations as f64;
                let wanted = target.as_secs_f64() / per_iteration.max(1e-12);
                return (wanted.ceil() as u64).clamp(1, 1 << 32);
            }
            iterations *= 2;
        }
    }
}

/// What one comparison measured.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// The sides' names, the crate first.
    pub names: Vec<&'static str>,
    /// The median time per iteration of each side, in nanoseconds.
    pub medians_ns: Vec<f64>,
    /// The iterations per batch of each side.
    pub batches: Vec<u64>,
    /// The per-round ratio of the crate to each baseline (index 0 is empty).
    round_ratios: Vec<Vec<f64>>,
}

impl Measurement {
    /// The ratio of the crate's median to the median of side `baseline` (1 or more).
    pub fn ratio(&self, baseline: usize) -> f64 {
        self.medians_ns[0] / self.medians_ns[baseline]
    }

    /// The first and third quartiles of the per-round ratios to side `baseline`.
    pub fn ratio_iqr(&self, baseline: usize) -> (f64, f64) {
        let mut ratios = self.round_ratios[baseline].clone();
        ratios.sort_by(f64::total_cmp);
        (quantile(&ratios, 0.25), quantile(&ratios, 0.75))
    }

    /// The number of measured rounds.
    pub fn rounds(&self) -> usize {
        self.round_ratios.get(1).map_or(0, Vec::len)
    }
}

/// Measures `sides` (the crate first, then its baselines) in interleaved rounds.
///
/// # Panics
/// If there are fewer than two sides: there is nothing to compare.
pub fn measure(settings: Settings, sides: &mut [Side<'_>]) -> Measurement {
    assert!(
        sides.len() >= 2,
        "a comparison needs the crate and a baseline"
    );
    let batches: Vec<u64> = sides
        .iter_mut()
        .map(|side| side.calibrate(settings.round_time))
        .collect();

    let n = sides.len();
    let mut per_iteration: Vec<Vec<f64>> = vec![Vec::with_capacity(settings.rounds); n];
    let mut this_round = vec![0.0; n];
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    for round in 0..settings.warmup_rounds + settings.rounds {
        rng.shuffle(&mut order);
        for &i in &order {
            let elapsed = sides[i].batch(batches[i]);
            this_round[i] = elapsed.as_nanos() as f64 / batches[i] as f64;
        }
        if round >= settings.warmup_rounds {
            for (times, &t) in per_iteration.iter_mut().zip(&this_round) {
                times.push(t);
            }
        }
    }

    let round_ratios = (0..n)
        .map(|b| {
            if b == 0 {
                return Vec::new();
            }
            per_iteration[0]
                .iter()
                .zip(&per_iteration[b])
                .map(|(ours, theirs)| ours / theirs)
                .collect()
        })
        .collect();
    let medians_ns = per_iteration
        .iter_mut()
        .map(|times| {
            times.sort_by(f64::total_cmp);
            quantile(times, 0.5)
        })
        .collect();
    Measurement {
        names: sides.iter().map(|side| side.name).collect(),
        medians_ns,
        batches,
        round_ratios,
    }
}

/// The `q` quantile of `sorted` by linear interpolation; 0 when it is empty.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => 0.0,
        1 => sorted[0],
        len => {
            let position = q * (len - 1) as f64;
            let below = position.floor() as usize;
            let above = (below + 1).min(len - 1);
            let fraction = position - below as f64;
            sorted[below] + (sorted[above] - sorted[below]) * fraction
        }
    }
}

/// A small deterministic generator for the order of the sides (xorshift64).
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Fisher-Yates; the slight bias of `%` does not matter for a handful of sides.
    fn shuffle(&mut self, items: &mut [usize]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}
