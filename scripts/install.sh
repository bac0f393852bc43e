#!/bin/sh
# Installs provdiag's release binary for this machine (Linux or macOS, x86_64 or arm64), checked against its
# SHA-256, into ~/.local/bin (or $PROVDIAG_INSTALL_DIR):
#
#   curl --proto '=https' --tlsv1.2 -LsSf https://github.com/provdiag/provdiag/releases/latest/download/provdiag-installer.sh | sh
#
# PROVDIAG_VERSION picks a release (v0.2.0; default: the latest). PROVDIAG_DOWNLOAD_URL replaces the release's
# download address (a mirror, or a directory in tests).
set -eu

repo="${PROVDIAG_REPO:-provdiag/provdiag}"
version="${PROVDIAG_VERSION:-latest}"
dir="${PROVDIAG_INSTALL_DIR:-$HOME/.local/bin}"
if [ -n "${PROVDIAG_DOWNLOAD_URL:-}" ]; then
  base="$PROVDIAG_DOWNLOAD_URL"
elif [ "$version" = latest ]; then
  base="https://github.com/$repo/releases/latest/download"
else
  base="https://github.com/$repo/releases/download/$version"
fi

say() { printf 'provdiag-installer: %s\n' "$*" >&2; }
fail() { say "$*"; exit 1; }

os="${PROVDIAG_OS:-$(uname -s)}"
arch="${PROVDIAG_ARCH:-$(uname -m)}"
case "$os/$arch" in
  Linux/x86_64 | Linux/amd64) target=x86_64-unknown-linux-musl ;;
  Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
  Darwin/x86_64) target=x86_64-apple-darwin ;;
  Darwin/arm64 | Darwin/aarch64) target=aarch64-apple-darwin ;;
  *) fail "no release binary for $os/$arch: install with cargo (cargo install provdiag --locked)" ;;
esac

archive="provdiag-$target.tar.gz"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT INT TERM

fetch() {
  if command -v curl >/dev/null 2>&1; then
    curl --proto '=https,file' --tlsv1.2 -fLsS "$1" -o "$2"
  elif command -v wget >/dev/null 2>&1; then
    wget -q "$1" -O "$2"
  else
    fail "neither curl nor wget is installed"
  fi
}

say "downloading $archive ($version)"
fetch "$base/$archive" "$tmp/$archive" || fail "cannot download $base/$archive"
fetch "$base/$archive.sha256" "$tmp/$archive.sha256" || fail "cannot download $base/$archive.sha256"

want="$(cut -d ' ' -f 1 <"$tmp/$archive.sha256")"
if command -v sha256sum >/dev/null 2>&1; then
  got="$(sha256sum "$tmp/$archive" | cut -d ' ' -f 1)"
else
  got="$(shasum -a 256 "$tmp/$archive" | cut -d ' ' -f 1)"
fi
[ "$want" = "$got" ] || fail "$archive does not match its SHA-256 (want $want, got $got): not installed"

tar -xzf "$tmp/$archive" -C "$tmp"
mkdir -p "$dir"
# The archive holds provdiag-<target>/provdiag, the licence files and the README.
install -m 755 "$tmp/provdiag-$target/provdiag" "$dir/provdiag"
say "installed $dir/provdiag"
case ":$PATH:" in
  *":$dir:"*) ;;
  *) say "add $dir to your PATH" ;;
esac
