//! Path helpers: `<base>/<name>/state` and `<base>/<name>/checkpoint`, never outside the
//! base.

use std::fs;
use std::path::{Component, Path, PathBuf};

use mvm_integrations::{
    INTEGRATIONS_BASE_PATH, INTEGRATIONS_DROPIN_DIR, IntegrationName, StateLayout,
    integration_checkpoint_path, integration_state_dir,
};

#[track_caller]
fn name(s: &str) -> IntegrationName {
    IntegrationName::new(s).unwrap()
}

/// `path` is `base` followed by exactly `tail`, each a plain component.
#[track_caller]
fn assert_under(path: &Path, base: &Path, tail: &[&str]) {
    let rest = path
        .strip_prefix(base)
        .unwrap_or_else(|_| panic!("{} is not under {}", path.display(), base.display()));
    let components: Vec<Component<'_>> = rest.components().collect();
    let want: Vec<Component<'_>> = tail.iter().map(|t| Component::Normal(t.as_ref())).collect();
    assert_eq!(components, want, "{}", path.display());
}

#[test]
fn constants() {
    assert_eq!(INTEGRATIONS_BASE_PATH, "/data/integrations");
    assert_eq!(INTEGRATIONS_DROPIN_DIR, "/etc/mvm/integrations.d");
}

#[test]
fn free_functions_use_the_default_base() {
    assert_eq!(
        integration_state_dir(&name("whatsapp")),
        Path::new("/data/integrations/whatsapp/state")
    );
    assert_eq!(
        integration_checkpoint_path(&name("telegram")),
        Path::new("/data/integrations/telegram/checkpoint")
    );
    assert_eq!(
        integration_state_dir(&name("whatsapp")).to_str(),
        Some("/data/integrations/whatsapp/state")
    );
}

#[test]
fn default_layout_is_the_base_path() {
    let layout = StateLayout::default();
    assert_eq!(layout.base(), Path::new(INTEGRATIONS_BASE_PATH));
    let n = name("svc.v2");
    assert_eq!(
        layout.integration_dir(&n),
        Path::new("/data/integrations/svc.v2")
    );
    assert_eq!(layout.state_dir(&n), integration_state_dir(&n));
    assert_eq!(layout.checkpoint_path(&n), integration_checkpoint_path(&n));
}

#[test]
fn custom_base() {
    for base in ["/mnt/data", "relative/base", "/trailing/slash/", "."] {
        let layout = StateLayout::new(base);
        assert_eq!(layout.base(), Path::new(base));
        let n = name("a..b");
        assert_under(&layout.integration_dir(&n), Path::new(base), &["a..b"]);
        assert_under(&layout.state_dir(&n), Path::new(base), &["a..b", "state"]);
        assert_under(
            &layout.checkpoint_path(&n),
            Path::new(base),
            &["a..b", "checkpoint"],
        );
    }
    assert_eq!(
        StateLayout::new(PathBuf::from("/x")),
        StateLayout::new("/x")
    );
    assert_ne!(StateLayout::new("/x"), StateLayout::default());
}

#[test]
fn the_names_closest_to_escaping_stay_inside() {
    let base = Path::new(INTEGRATIONS_BASE_PATH);
    let longest = "9".repeat(64);
    for n in ["a..", "a...b", "a.", "0", "x-", "A_.", longest.as_str()] {
        let n = name(n);
        assert_under(&integration_state_dir(&n), base, &[n.as_str(), "state"]);
        assert_under(
            &integration_checkpoint_path(&n),
            base,
            &[n.as_str(), "checkpoint"],
        );
    }
}

#[test]
fn paths_stay_inside_the_base_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("integrations");
    fs::create_dir(&base).unwrap();
    let layout = StateLayout::new(&base);
    let canonical_base = base.canonicalize().unwrap();
    for n in ["whatsapp", "a..", "a...b", "x-", "Z9_.-"] {
        let n = name(n);
        fs::create_dir_all(layout.state_dir(&n)).unwrap();
        fs::write(layout.checkpoint_path(&n), b"done").unwrap();
        let state = layout.state_dir(&n).canonicalize().unwrap();
        let checkpoint = layout.checkpoint_path(&n).canonicalize().unwrap();
        assert_eq!(state, canonical_base.join(n.as_str()).join("state"));
        assert_eq!(
            checkpoint,
            canonical_base.join(n.as_str()).join("checkpoint")
        );
    }
    // Everything created is one directory per name directly under the base.
    let mut created: Vec<String> = fs::read_dir(&base)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    created.sort();
    assert_eq!(created, ["Z9_.-", "a..", "a...b", "whatsapp", "x-"]);
    // And nothing leaked beside the base.
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
}
