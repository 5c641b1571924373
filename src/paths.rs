//! Where an integration's state lives on the guest.

use std::path::{Path, PathBuf};

use crate::INTEGRATIONS_BASE_PATH;
use crate::name::IntegrationName;

/// The on-disk layout of integration state: `<base>/<name>/state` and
/// `<base>/<name>/checkpoint`.
///
/// [`StateLayout::default`] uses [`INTEGRATIONS_BASE_PATH`]; [`StateLayout::new`] takes
/// another base, for tests or for a guest that mounts its data disk elsewhere. Every path
/// is built from a validated [`IntegrationName`], which holds no `/` and is never `.` or
/// `..`, so every path returned is strictly inside the base.
///
/// ```
/// use std::path::Path;
/// use mvm_integrations::{IntegrationName, StateLayout};
///
/// let name = IntegrationName::new("whatsapp")?;
/// let layout = StateLayout::default();
/// assert_eq!(layout.state_dir(&name), Path::new("/data/integrations/whatsapp/state"));
/// assert_eq!(
///     layout.checkpoint_path(&name),
///     Path::new("/data/integrations/whatsapp/checkpoint"),
/// );
/// # Ok::<(), mvm_integrations::InvalidIntegrationName>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StateLayout {
    base: PathBuf,
}

impl StateLayout {
    /// A layout rooted at `base` instead of [`INTEGRATIONS_BASE_PATH`].
    pub fn new(base: impl Into<PathBuf>) -> Self {
        StateLayout { base: base.into() }
    }

    /// The base directory.
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// The directory an integration owns: `<base>/<name>`.
    pub fn integration_dir(&self, name: &IntegrationName) -> PathBuf {
        self.base.join(name.as_str())
    }

    /// The state directory the agent checkpoints and restores: `<base>/<name>/state`.
    pub fn state_dir(&self, name: &IntegrationName) -> PathBuf {
        let mut path = self.integration_dir(name);
        path.push("state");
        path
    }

    /// The checkpoint marker, written after a successful checkpoint:
    /// `<base>/<name>/checkpoint`.
    pub fn checkpoint_path(&self, name: &IntegrationName) -> PathBuf {
        let mut path = self.integration_dir(name);
        path.push("checkpoint");
        path
    }
}

impl Default for StateLayout {
    fn default() -> Self {
        StateLayout::new(INTEGRATIONS_BASE_PATH)
    }
}

/// The state directory of an integration: `/data/integrations/<name>/state`.
///
/// ```
/// use mvm_integrations::{IntegrationName, integration_state_dir};
///
/// let dir = integration_state_dir(&IntegrationName::new("whatsapp")?);
/// assert_eq!(dir.to_str(), Some("/data/integrations/whatsapp/state"));
/// # Ok::<(), mvm_integrations::InvalidIntegrationName>(())
/// ```
pub fn integration_state_dir(name: &IntegrationName) -> PathBuf {
    StateLayout::default().state_dir(name)
}

/// The checkpoint marker of an integration: `/data/integrations/<name>/checkpoint`.
///
/// ```
/// use mvm_integrations::{IntegrationName, integration_checkpoint_path};
///
/// let path = integration_checkpoint_path(&IntegrationName::new("telegram")?);
/// assert_eq!(path.to_str(), Some("/data/integrations/telegram/checkpoint"));
/// # Ok::<(), mvm_integrations::InvalidIntegrationName>(())
/// ```
pub fn integration_checkpoint_path(name: &IntegrationName) -> PathBuf {
    StateLayout::default().checkpoint_path(name)
}
