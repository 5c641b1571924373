//! Health results from what a health command did, bounded details and the startup grace.

use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::Duration;

use mvm_integrations::{
    DETAIL_CUT_MARKER, HealthOutcome, IntegrationEntry, IntegrationHealthResult, IntegrationStatus,
    MAX_DETAIL_BYTES, Timestamp, stderr_detail,
};
use proptest::prelude::*;

fn at() -> Timestamp {
    "2025-06-01T12:00:05Z".parse().unwrap()
}

fn failed(code: i32, stderr: &[u8]) -> HealthOutcome {
    HealthOutcome::Failed {
        code,
        stderr: stderr.to_vec(),
    }
}

#[test]
fn each_outcome_has_its_detail() {
    let table: Vec<(HealthOutcome, bool, &str)> = vec![
        (HealthOutcome::Passed, true, "ok"),
        (failed(1, b"database down\n"), false, "database down"),
        (
            failed(2, b"  \n\tline one\nline two \n"),
            false,
            "line one\nline two",
        ),
        (failed(3, b""), false, "exit code 3"),
        (failed(4, b" \n\t "), false, "exit code 4"),
        (failed(-1, b""), false, "exit code -1"),
        (
            HealthOutcome::Signalled { signal: 9 },
            false,
            "killed by signal 9",
        ),
        (
            HealthOutcome::TimedOut {
                after: Duration::from_secs(5),
            },
            false,
            "timed out after 5s",
        ),
        (
            HealthOutcome::TimedOut {
                after: Duration::from_millis(2_999),
            },
            false,
            "timed out after 2s",
        ),
        (
            HealthOutcome::NotStarted {
                error: "No such file or directory (os error 2)".to_owned(),
            },
            false,
            "failed to execute: No such file or directory (os error 2)",
        ),
        (
            HealthOutcome::NotConfigured,
            true,
            "no health_cmd configured",
        ),
    ];
    for (outcome, healthy, detail) in table {
        assert_eq!(outcome.is_healthy(), healthy, "{outcome:?}");
        assert_eq!(outcome.detail(), detail, "{outcome:?}");
        let result = outcome.to_health_result(at());
        assert_eq!(
            result,
            IntegrationHealthResult::new(healthy, detail, "2025-06-01T12:00:05Z")
        );
    }
}

#[test]
fn from_exit_status_tells_codes_from_signals() {
    // Wait statuses as the kernel encodes them: code in the second byte, signal in the first.
    let table: Vec<(ExitStatus, &[u8], HealthOutcome)> = vec![
        (ExitStatus::from_raw(0), b"ignored", HealthOutcome::Passed),
        (ExitStatus::from_raw(1 << 8), b"", failed(1, b"")),
        (
            ExitStatus::from_raw(255 << 8),
            b"boom\n",
            failed(255, b"boom\n"),
        ),
        (
            ExitStatus::from_raw(9),
            b"",
            HealthOutcome::Signalled { signal: 9 },
        ),
        (
            ExitStatus::from_raw(15),
            b"bye",
            HealthOutcome::Signalled { signal: 15 },
        ),
    ];
    for (status, stderr, expected) in table {
        let outcome = HealthOutcome::from_exit_status(status, stderr);
        assert_eq!(outcome, expected, "{status:?}");
        assert!(!outcome.detail().contains("-1"), "{outcome:?}");
    }
}

#[test]
fn from_exit_status_keeps_one_byte_past_the_bound() {
    let stderr = vec![b'x'; 3 * MAX_DETAIL_BYTES];
    let HealthOutcome::Failed { stderr: kept, .. } =
        HealthOutcome::from_exit_status(ExitStatus::from_raw(1 << 8), &stderr)
    else {
        panic!("not a failure");
    };
    assert_eq!(kept.len(), MAX_DETAIL_BYTES + 1);
    assert_eq!(failed(1, &kept).detail(), failed(1, &stderr).detail());
}

#[test]
fn stderr_within_the_bound_is_kept_whole() {
    let exact = "y".repeat(MAX_DETAIL_BYTES);
    assert_eq!(stderr_detail(exact.as_bytes()), exact);
    let padded = format!("\n{}\n", "y".repeat(MAX_DETAIL_BYTES - 2));
    assert_eq!(stderr_detail(padded.as_bytes()), padded.trim());
    // The bound counts the bytes read, white space included: one more and it is cut.
    let over = format!("\n{exact}");
    assert!(stderr_detail(over.as_bytes()).ends_with(DETAIL_CUT_MARKER));
}

#[test]
fn stderr_past_the_bound_is_cut_with_the_marker() {
    let detail = stderr_detail("z".repeat(MAX_DETAIL_BYTES + 1).as_bytes());
    assert_eq!(detail.len(), MAX_DETAIL_BYTES);
    assert_eq!(
        detail,
        format!(
            "{}{DETAIL_CUT_MARKER}",
            "z".repeat(MAX_DETAIL_BYTES - DETAIL_CUT_MARKER.len())
        )
    );
    assert_eq!(DETAIL_CUT_MARKER, "…[truncated]");
}

#[test]
fn cut_falls_on_a_character_boundary() {
    // Two-byte characters, one byte off so that the bound splits one.
    for prefix in ["", "a"] {
        let text = format!("{prefix}{}", "é".repeat(MAX_DETAIL_BYTES));
        let detail = stderr_detail(text.as_bytes());
        assert!(detail.len() <= MAX_DETAIL_BYTES);
        let kept = detail.strip_suffix(DETAIL_CUT_MARKER).unwrap();
        assert!(!kept.contains('\u{fffd}'), "{prefix:?}");
        assert!(kept.trim_start_matches('a').chars().all(|c| c == 'é'));
        assert!(kept.len() >= MAX_DETAIL_BYTES - DETAIL_CUT_MARKER.len() - 1);
    }
}

#[test]
fn invalid_utf8_is_replaced_visibly() {
    assert_eq!(
        stderr_detail(b"bad \xff\xfe byte"),
        "bad \u{fffd}\u{fffd} byte"
    );
    assert_eq!(failed(1, b"\xc3").detail(), "\u{fffd}");
    // Each bad byte grows to three: the bound still holds.
    let detail = stderr_detail(&[0xff; MAX_DETAIL_BYTES]);
    assert!(detail.len() <= MAX_DETAIL_BYTES);
    assert!(detail.ends_with(DETAIL_CUT_MARKER));
}

#[test]
fn not_started_detail_is_bounded() {
    let outcome = HealthOutcome::NotStarted {
        error: "e".repeat(10_000),
    };
    let detail = outcome.detail();
    assert!(detail.starts_with("failed to execute: eee"));
    assert!(detail.len() <= MAX_DETAIL_BYTES);
    assert!(detail.ends_with(DETAIL_CUT_MARKER));
}

proptest! {
    #[test]
    fn any_stderr_gives_bounded_utf8(stderr in proptest::collection::vec(any::<u8>(), 0..3 * MAX_DETAIL_BYTES)) {
        let detail = stderr_detail(&stderr);
        prop_assert!(detail.len() <= MAX_DETAIL_BYTES);
        prop_assert!(std::str::from_utf8(detail.as_bytes()).is_ok());
        prop_assert_eq!(detail.ends_with(DETAIL_CUT_MARKER), stderr.len() > MAX_DETAIL_BYTES
            || String::from_utf8_lossy(&stderr).trim().len() > MAX_DETAIL_BYTES);
    }

    #[test]
    fn short_utf8_stderr_is_only_trimmed(text in "\\PC{0,300}") {
        prop_assert_eq!(stderr_detail(text.as_bytes()), text.trim());
    }

    #[test]
    fn a_timeout_is_never_healthy(millis in any::<u64>()) {
        let outcome = HealthOutcome::TimedOut { after: Duration::from_millis(millis) };
        prop_assert!(!outcome.is_healthy());
        let result = outcome.to_health_result(Timestamp::MIN);
        prop_assert!(!result.healthy());
        prop_assert_ne!(result.detail(), "ok");
    }

    #[test]
    fn every_outcome_detail_is_bounded(code in any::<i32>(), signal in any::<i32>(), error in "\\PC{0,5000}") {
        for outcome in [
            failed(code, b""),
            HealthOutcome::Signalled { signal },
            HealthOutcome::NotStarted { error: error.clone() },
        ] {
            prop_assert!(outcome.detail().len() <= MAX_DETAIL_BYTES);
        }
    }
}

fn entry(grace: u64) -> IntegrationEntry {
    IntegrationEntry::builder("worker".parse().unwrap())
        .startup_grace_secs(grace)
        .build()
        .unwrap()
}

#[test]
fn grace_window_is_half_open() {
    let table: &[(u64, Duration, bool)] = &[
        (0, Duration::ZERO, false),
        (0, Duration::from_secs(1), false),
        (30, Duration::ZERO, true),
        (30, Duration::from_nanos(29_999_999_999), true),
        (30, Duration::from_secs(30), false),
        (30, Duration::from_secs(31), false),
        (30, Duration::MAX, false),
        (86_400, Duration::from_secs(86_399), true),
    ];
    for &(grace, since_start, inside) in table {
        assert_eq!(
            entry(grace).within_startup_grace(since_start),
            inside,
            "{grace} {since_start:?}"
        );
    }
}

#[test]
fn status_for_entry_follows_grace_and_last_result() {
    let ok = HealthOutcome::Passed.to_health_result(at());
    let bad = failed(1, b"down").to_health_result(at());
    let early = Duration::from_secs(5);
    let late = Duration::from_secs(30);
    let error = IntegrationStatus::Error("down".to_owned());
    let table: Vec<(
        u64,
        Duration,
        Option<&IntegrationHealthResult>,
        IntegrationStatus,
    )> = vec![
        (30, early, Some(&ok), IntegrationStatus::Active),
        (30, late, Some(&ok), IntegrationStatus::Active),
        (30, early, Some(&bad), IntegrationStatus::Starting),
        (30, late, Some(&bad), error.clone()),
        (0, Duration::ZERO, Some(&bad), error),
        (30, early, None, IntegrationStatus::Starting),
        (30, late, None, IntegrationStatus::Pending),
        (0, Duration::ZERO, None, IntegrationStatus::Pending),
    ];
    for (grace, since_start, last, expected) in table {
        let entry = entry(grace);
        assert_eq!(
            IntegrationStatus::for_entry(&entry, since_start, last),
            expected
        );
        assert_eq!(
            IntegrationStatus::from_health(last, entry.within_startup_grace(since_start)),
            expected
        );
    }
}

#[test]
fn a_timed_out_check_after_grace_is_an_error() {
    let result = HealthOutcome::TimedOut {
        after: Duration::from_secs(10),
    }
    .to_health_result(at());
    let status = IntegrationStatus::for_entry(&entry(0), Duration::from_secs(60), Some(&result));
    assert_eq!(
        status,
        IntegrationStatus::Error("timed out after 10s".to_owned())
    );
}

#[test]
fn types_are_send_and_sync() {
    fn check<T: Send + Sync + Unpin + std::panic::UnwindSafe>() {}
    check::<HealthOutcome>();
    check::<Timestamp>();
    check::<mvm_integrations::InvalidTimestamp>();
}
