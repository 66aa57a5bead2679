//! The server's audit signing key: an Ed25519 secret kept in a file of its own (64 hex
//! digits), readable by its owner only. `serve` creates it on first start when it is
//! missing, and says so: whoever holds the file can sign checkpoints, so it belongs with
//! the server's other secrets, and its public key (`greenlane audit public-key`) goes to
//! whoever verifies exports.

use std::path::Path;

use anyhow::Context;
use greenlane_engine::audit::{from_hex, SigningKey};
use rand::TryRngCore;

/// Reads the key at `path`.
pub(crate) fn load(path: &Path) -> anyhow::Result<SigningKey> {
    let name = greenlane_fs::display(path);
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{name}: cannot read the audit key"))?;
    let seed = from_hex::<32>(text.trim())
        .with_context(|| format!("{name}: an audit key file holds 64 hex digits"))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Reads the key at `path`, creating it (with a warning) when the file does not exist.
pub(crate) fn load_or_create(path: &Path) -> anyhow::Result<SigningKey> {
    if path.exists() {
        return load(path);
    }
    let key = ephemeral()?;
    let seed = key.to_bytes();
    write_private(path, &greenlane_engine::audit::hex(&seed))?;
    tracing::warn!(
        file = %greenlane_fs::display(path),
        public_key = %greenlane_engine::audit::hex(key.verifying_key().as_bytes()),
        "created a new audit signing key: keep the file with the server's secrets, and give the public key to whoever verifies audit exports"
    );
    Ok(key)
}

/// A key that lives as long as this process (a server on the memory backend, whose
/// trail does not outlive it either).
pub(crate) fn ephemeral() -> anyhow::Result<SigningKey> {
    let mut seed = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut seed)
        .context("drawing a new audit key")?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Writes `text` to a new file only its owner may read.
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let name = greenlane_fs::display(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("{name}: cannot create the audit key"))?;
    writeln!(file, "{text}").with_context(|| format!("{name}: cannot write the audit key"))?;
    Ok(())
}
