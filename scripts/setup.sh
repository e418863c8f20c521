#!/usr/bin/env bash
# Installs what Decouple needs, idempotently: each step checks before it installs.
# Usage: scripts/setup.sh [rust] [js] [browser]   (no argument = everything)
# Follows the recipe proven on this kind of machine (see ARCHITECTURE.md, "Toolchain").
set -euo pipefail
cd "$(dirname "$0")/.."

want() { [ $# -eq 0 ] && return 0; for w in "${WANTED[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1; }
WANTED=("$@")
[ ${#WANTED[@]} -eq 0 ] && WANTED=(rust js browser)

die() { echo "setup: $*" >&2; exit 1; }
step() { echo "==> $*"; }

command -v cargo >/dev/null || die "cargo is missing: install Rust with rustup (https://rustup.rs) and retry."

if want rust; then
  step "Rust components and the wasm32 target"
  rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown \
    || die "could not add the wasm32-unknown-unknown target (rustup needs to reach static.rust-lang.org)."
fi

if want js; then
  step "wasm-bindgen-cli 0.2.130 (must match the wasm-bindgen crate exactly)"
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen 0.2.130" ]; then
    # Not --locked: a locked transitive version is missing from the registry index.
    cargo install wasm-bindgen-cli --version 0.2.130 || die "cargo install wasm-bindgen-cli failed."
  fi
  command -v node >/dev/null || die "node is missing: install Node.js 20 or newer."
  command -v npm >/dev/null || die "npm is missing: install Node.js 20 or newer."
fi

if want browser; then
  step "trunk 0.21.14"
  if [ "$(trunk --version 2>/dev/null)" != "trunk 0.21.14" ]; then
    cargo install --locked trunk --version 0.21.14 || die "cargo install trunk failed."
  fi
  step "Chromium and chromedriver (Debian packages)"
  if ! command -v chromium >/dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver \
      || die "could not install chromium with apt-get."
  fi
fi
echo "setup: done"
