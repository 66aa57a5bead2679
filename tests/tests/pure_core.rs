//! Architecture invariant: the pure core (`greenlane-engine`) depends on no runtime, network
//! or database crate. It decides; adapters do I/O.

use std::process::Command;

/// Crates that would mean I/O or an async runtime crept into the core.
const FORBIDDEN: &[&str] = &[
    "tokio",
    "mio",
    "redis",
    "axum",
    "hyper",
    "rusqlite",
    "libsqlite3-sys",
    "reqwest",
    "async-std",
];

#[test]
fn the_engine_depends_on_no_io_crate() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "tree",
            "--locked",
            "--offline",
            "-p",
            "greenlane-engine",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .args(["--format", "{p}"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8(output.stdout).unwrap();
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert!(
        crates.contains(&"rhai"),
        "the tree should list the engine's dependencies: {tree}"
    );
    for forbidden in FORBIDDEN {
        assert!(
            !crates.contains(forbidden),
            "greenlane-engine depends on `{forbidden}`:\n{tree}"
        );
    }
}
