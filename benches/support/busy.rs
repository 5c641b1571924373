//! Load made by the bench itself, to show that the ratios hold on a busy machine.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

/// CPU-bound threads that spin until this value is dropped.
pub struct Busy {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<u64>>,
}

impl Busy {
    /// Keeps every core but one busy (at least one thread): on a two-core machine, the core
    /// the bench does not run on.
    pub fn other_cores() -> Busy {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Busy::start(cores.saturating_sub(1).max(1))
    }

    /// Starts `count` spinning threads.
    pub fn start(count: usize) -> Busy {
        let stop = Arc::new(AtomicBool::new(false));
        let threads = (0..count)
            .map(|seed| {
                let stop = Arc::clone(&stop);
                std::thread::spawn(move || spin(&stop, seed as u64))
            })
            .collect();
        Busy { stop, threads }
    }

    /// How many threads are spinning.
    pub fn count(&self) -> usize {
        self.threads.len()
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            // A spinning thread cannot panic; its result only keeps the loop alive.
            black_box(thread.join().unwrap_or_default());
        }
    }
}

/// Integer arithmetic in a loop (xorshift), checking the stop flag every 4096 steps.
fn spin(stop: &AtomicBool, seed: u64) -> u64 {
    let mut x = 0x9E37_79B9_7F4A_7C15 ^ seed;
    while !stop.load(Ordering::Relaxed) {
        for _ in 0..4096 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        x = black_box(x);
    }
    x
}
