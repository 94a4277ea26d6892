#!/usr/bin/env bash
# Build the fuzz targets without cargo-fuzz: the same flags `cargo fuzz build -s none -O` passes
# (SanitizerCoverage instrumentation for libFuzzer, `--cfg fuzzing`, debug assertions and
# overflow checks in an optimised build), for the host target. No sanitizer: Rust's own checks
# turn bugs into panics, which libFuzzer reports as crashes.
# Usage: fuzz/build.sh [TARGET...]   (from anywhere; all targets when none is named)
# The binaries land in fuzz/target/x86_64-unknown-linux-gnu/release/<target>.
set -euo pipefail
cd "$(dirname "$0")"
triple=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
--cfg fuzzing -Cdebug-assertions -Coverflow-checks ${RUSTFLAGS:-}"
bins=()
for t in "$@"; do bins+=(--bin "$t"); done
[ ${#bins[@]} -gt 0 ] || bins=(--bins)
cargo build --release --target "$triple" "${bins[@]}"
echo "built in $PWD/target/$triple/release"
