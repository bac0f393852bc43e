#!/usr/bin/env bash
# The Action's first step: puts provdiag on the job's PATH. The release binary for the runner (from the
# release's install script, checked against its SHA-256), or, when no release matches the runner or the version,
# a build from the action's own source with cargo.
set -euo pipefail
bin="${RUNNER_TEMP:-/tmp}/provdiag-bin"
mkdir -p "$bin"
echo "$bin" >> "$GITHUB_PATH"
export PROVDIAG_INSTALL_DIR="$bin"
src="${PROVDIAG_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}"
case "${RUNNER_OS:-$(uname -s)}" in
  Windows)
    if powershell -ExecutionPolicy Bypass -File "$src/scripts/install.ps1"; then exit 0; fi ;;
  *)
    if sh "$src/scripts/install.sh"; then exit 0; fi ;;
esac
echo "provdiag: no release binary for this runner and version: building from source (a few minutes)" >&2
cargo install --locked --path "$src" --root "${RUNNER_TEMP:-/tmp}/provdiag-cargo"
cp "${RUNNER_TEMP:-/tmp}/provdiag-cargo/bin/"provdiag* "$bin/"
