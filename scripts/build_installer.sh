#!/usr/bin/env bash
# Builds the macOS installer, on a Mac:
#   1. release builds for aarch64-apple-darwin and x86_64-apple-darwin, joined by lipo into one
#      universal binary (dist/usage-tracker)
#   2. dist/UsageTracker.app   (scripts/create_mac_app.sh: bundle, Info.plist, icon, signature)
#   3. dist/UsageTracker.dmg   (scripts/package_mac_app.sh: disk image with an Applications link,
#                               signed, notarized and stapled when credentials are set)
#
# Signing: ad hoc by default. Set APPLE_SIGNING_IDENTITY ("Developer ID Application: ...") for a
# Developer ID signature with the hardened runtime and a secure timestamp, and one set of
# notarization credentials (see scripts/package_mac_app.sh --help) to notarize and staple.
#
# Usage: scripts/build_installer.sh [--skip-build]
#   --skip-build  reuse the release binaries already in target/<triple>/release
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGETS=(aarch64-apple-darwin x86_64-apple-darwin)
BIN=usage-tracker
DIST=$REPO/dist
# Matches LSMinimumSystemVersion in bundle/Info.plist.in.
export MACOSX_DEPLOYMENT_TARGET=13.0

die() { printf 'build_installer: error: %s\n' "$*" >&2; exit 1; }
say() { printf 'build_installer: %s\n' "$*" >&2; }

BUILD=1
while [[ $# -gt 0 ]]; do
    case $1 in
        --skip-build) BUILD=0; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
done

# Everything that can be missing is checked before the first (slow) build.
[[ $(uname -s) == Darwin ]] || die "this builds a macOS app and must run on macOS (on Linux: scripts/check-macos.sh type-checks the macOS build, scripts/create_mac_app.sh --binary ... assembles a bundle for tests)"
missing=()
for tool in cargo lipo codesign hdiutil ditto plutil; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
[[ ${#missing[@]} -eq 0 ]] || die "missing tools: ${missing[*]} (cargo: https://rustup.rs; the others: xcode-select --install)"
if [[ $BUILD -eq 1 ]]; then
    if command -v rustup >/dev/null; then
        installed=$(rustup target list --installed)
        for t in "${TARGETS[@]}"; do
            grep -qx "$t" <<<"$installed" || die "Rust target $t is not installed: rustup target add ${TARGETS[*]}"
        done
    else
        say "rustup not found: assuming this Rust has std for ${TARGETS[*]}"
    fi
fi
[[ -f $REPO/icons/AppIcon.icns ]] || die "icons/AppIcon.icns is missing (scripts/make-icons.sh remakes it)"
if [[ -n ${APPLE_SIGNING_IDENTITY:-} ]]; then
    security find-identity -v -p codesigning | grep -qF "$APPLE_SIGNING_IDENTITY" ||
        die "APPLE_SIGNING_IDENTITY='$APPLE_SIGNING_IDENTITY' is not a valid code signing identity in your keychains (security find-identity -v -p codesigning lists them)"
fi

cd "$REPO"
slices=()
for t in "${TARGETS[@]}"; do
    if [[ $BUILD -eq 1 ]]; then
        say "cargo build --release --target $t"
        cargo build --release --locked --target "$t" --bin "$BIN" || die "release build for $t failed"
    fi
    slice=$REPO/target/$t/release/$BIN
    [[ -x $slice ]] || die "no release binary at $slice (run without --skip-build)"
    slices+=("$slice")
done

mkdir -p "$DIST"
lipo -create -output "$DIST/$BIN" "${slices[@]}" || die "lipo could not join ${slices[*]}"
archs=$(lipo -archs "$DIST/$BIN")
[[ $archs == *arm64* && $archs == *x86_64* ]] || die "the universal binary has architectures '$archs', expected arm64 and x86_64"
say "universal binary: $DIST/$BIN ($archs, $(du -h "$DIST/$BIN" | cut -f1))"

"$REPO/scripts/create_mac_app.sh" --binary "$DIST/$BIN" --out "$DIST"
"$REPO/scripts/package_mac_app.sh" --app "$DIST/UsageTracker.app" --out "$DIST/UsageTracker.dmg"

say "done: $DIST/UsageTracker.app and $DIST/UsageTracker.dmg"
