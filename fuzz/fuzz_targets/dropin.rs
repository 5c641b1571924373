//! Builds drop-in directories from arbitrary input (names, contents, links, special files;
//! see `build_layers` in `fuzz/src/lib.rs` for the format) and checks the loader's promises.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mvm_integrations_fuzz::check_dropin(data);
});
