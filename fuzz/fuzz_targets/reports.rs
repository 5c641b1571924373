//! Parses arbitrary bytes as a list of reports, whole and with `parse_list`, and checks that
//! they agree and round-trip.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mvm_integrations_fuzz::check_reports(data);
});
