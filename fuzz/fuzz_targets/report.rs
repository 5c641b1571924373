//! Parses arbitrary bytes as one `IntegrationStateReport` and checks the round-trip laws.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mvm_integrations_fuzz::check_report(data);
});
