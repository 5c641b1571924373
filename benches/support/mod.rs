//! Shared by the benches. Every bench binary compiles this whole module and uses a part of
//! it, hence the `dead_code` allowance.
//!
//! - [`harness`]: the interleaved measurement that every reported ratio comes from;
//! - [`busy`]: load made by the bench itself, for the quiet-versus-busy comparison;
//! - [`ours`]: every call into `mvm_integrations`, in one place;
//! - [`published`]: the baselines, written from the published `mvm-guest` crate's behaviour;
//! - [`fixtures`]: the inputs, the same for both sides.
#![allow(dead_code)]

pub mod busy;
pub mod fixtures;
pub mod harness;
pub mod ours;
pub mod published;
