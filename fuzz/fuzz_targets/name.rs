//! Runs arbitrary text through every `IntegrationName` constructor and checks them against the
//! rule.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mvm_integrations_fuzz::check_name(data);
});
