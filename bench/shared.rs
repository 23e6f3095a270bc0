//! What the benchmarks share: the floor program and reading a process's memory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The first number among the benchmark's arguments (after `cargo bench -- `), or `default`.
pub fn count_arg(default: usize) -> usize {
    std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(default)
}

/// The `q` quantile (0 < q ≤ 1) of `sorted` durations, in milliseconds.
pub fn quantile_ms(sorted: &[Duration], q: f64) -> f64 {
    let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

/// Builds the floor (`bench/floor.rs`, the example `floor`) in the release profile, which the
/// benchmarks are built with too, and returns its path.
pub fn build_floor() -> PathBuf {
    // A benchmark runs from <target>/<profile>/deps; the example goes to
    // <target>/<profile>/examples, built into the same target folder (and with the same
    // CARGO_PROFILE_* overrides, inherited from the environment).
    let exe = std::env::current_exe().expect("own path");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("<target>/<profile>");
    let target = profile.parent().expect("<target>");
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    let status = Command::new(cargo)
        .args(["build", "--release", "--quiet", "--example", "floor"])
        .arg("--manifest-path")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the floor example does not build");
    profile.join("examples").join("floor")
}

/// A memory figure of `/proc/<pid>/status` in KiB (`VmRSS`, `VmHWM`); 0 where there is none.
pub fn memory_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(0)
}
