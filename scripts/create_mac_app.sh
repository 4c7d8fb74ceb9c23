#!/usr/bin/env bash
# Assembles UsageTracker.app around an already built binary:
#
#   <out>/UsageTracker.app/Contents/Info.plist          bundle/Info.plist.in, version from Cargo.toml
#   <out>/UsageTracker.app/Contents/PkgInfo
#   <out>/UsageTracker.app/Contents/MacOS/usage-tracker the binary (CFBundleExecutable)
#   <out>/UsageTracker.app/Contents/Resources/AppIcon.icns
#
# then signs it when codesign exists (macOS): with Developer ID, the hardened runtime and a secure
# timestamp when APPLE_SIGNING_IDENTITY is set, else ad hoc (enough to run on the machine that
# built it; Apple silicon refuses unsigned code). Runs on Linux too, where it only assembles:
# tests/bundle.rs builds a bundle from the Linux binary this way and checks it.
#
# Usage: scripts/create_mac_app.sh --binary PATH [--out DIR] [--no-sign]
#   --binary PATH  the usage-tracker executable to bundle (universal on release builds)
#   --out DIR      where UsageTracker.app goes (default: dist); an existing bundle is replaced
#   --no-sign      skip code signing even where codesign exists
# Environment: APPLE_SIGNING_IDENTITY  e.g. "Developer ID Application: Jane Doe (TEAMID1234)"
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
APP_NAME=UsageTracker
EXECUTABLE=usage-tracker

die() { printf 'create_mac_app: error: %s\n' "$*" >&2; exit 1; }
say() { printf 'create_mac_app: %s\n' "$*" >&2; }

BINARY='' OUT=$REPO/dist SIGN=1
while [[ $# -gt 0 ]]; do
    case $1 in
        --binary) BINARY=${2:?--binary needs a path}; shift 2 ;;
        --out) OUT=${2:?--out needs a directory}; shift 2 ;;
        --no-sign) SIGN=0; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
done
[[ -n $BINARY ]] || die "--binary PATH is required (the usage-tracker executable to bundle)"
[[ -f $BINARY && -x $BINARY ]] || die "--binary $BINARY is not an executable file"
for f in bundle/Info.plist.in bundle/UsageTracker.entitlements icons/AppIcon.icns Cargo.toml; do
    [[ -f $REPO/$f ]] || die "missing $f in $REPO (run from a full checkout; icons: scripts/make-icons.sh)"
done

# The [package] version, read with awk so this runs without cargo. "1.2.3-beta.1" -> bundle
# version "1.2.3": CFBundleVersion must be at most three period-separated integers.
VERSION=$(awk '/^\[/{pkg = ($0 == "[package]")} pkg && /^version *=/{gsub(/.*= *"|".*/, ""); print; exit}' "$REPO/Cargo.toml")
[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || die "cannot read a semver version from [package] in Cargo.toml (got '$VERSION')"
BUNDLE_VERSION=${BASH_REMATCH[0]}

APP=$OUT/$APP_NAME.app
mkdir -p "$OUT"
rm -rf "$APP"
mkdir -p "$APP/Contents/MacOS" "$APP/Contents/Resources"
sed -e "s/@VERSION@/$VERSION/g" -e "s/@BUNDLE_VERSION@/$BUNDLE_VERSION/g" \
    "$REPO/bundle/Info.plist.in" >"$APP/Contents/Info.plist"
printf 'APPL????' >"$APP/Contents/PkgInfo"
cp "$BINARY" "$APP/Contents/MacOS/$EXECUTABLE"
chmod 755 "$APP/Contents/MacOS/$EXECUTABLE"
cp "$REPO/icons/AppIcon.icns" "$APP/Contents/Resources/AppIcon.icns"

if grep -q '@[A-Z_]*@' "$APP/Contents/Info.plist"; then
    die "Info.plist still has a placeholder: $(grep -o '@[A-Z_]*@' "$APP/Contents/Info.plist" | head -1)"
fi
if command -v plutil >/dev/null; then
    plutil -lint -s "$APP/Contents/Info.plist" || die "Info.plist is not a valid property list"
elif command -v python3 >/dev/null; then
    python3 -c 'import plistlib, sys; plistlib.load(open(sys.argv[1], "rb"))' "$APP/Contents/Info.plist" ||
        die "Info.plist is not a valid property list"
fi

if [[ $SIGN -eq 1 ]] && command -v codesign >/dev/null; then
    entitlements=$REPO/bundle/UsageTracker.entitlements
    if [[ -n ${APPLE_SIGNING_IDENTITY:-} ]]; then
        say "signing with '$APPLE_SIGNING_IDENTITY' (hardened runtime, secure timestamp)"
        codesign --force --options runtime --timestamp --entitlements "$entitlements" \
            --sign "$APPLE_SIGNING_IDENTITY" "$APP" || die "codesign with '$APPLE_SIGNING_IDENTITY' failed (is the certificate in your keychain? security find-identity -v -p codesigning)"
    else
        say "signing ad hoc (set APPLE_SIGNING_IDENTITY to sign with a Developer ID)"
        codesign --force --options runtime --entitlements "$entitlements" --sign - "$APP" ||
            die "ad hoc codesign failed"
    fi
    codesign --verify --strict --verbose=2 "$APP" || die "the signature does not verify"
elif [[ $SIGN -eq 1 ]]; then
    say "codesign not found (not macOS?): the bundle is not signed"
fi

say "$APP ($VERSION)"
