#!/usr/bin/env bash
# Packs UsageTracker.app into a compressed disk image with an Applications link (drag to install),
# then, on a Developer ID build, signs the image, notarizes it and staples the ticket. macOS only.
#
# Usage: scripts/package_mac_app.sh [--app PATH] [--out PATH]
#   --app PATH  the bundle (default: dist/UsageTracker.app)
#   --out PATH  the disk image (default: dist/UsageTracker.dmg); replaced if it exists
# Environment:
#   APPLE_SIGNING_IDENTITY   Developer ID Application identity; signs the .dmg. Unset: ad hoc
#                            build, neither signed nor notarized.
#   Notarization, with APPLE_SIGNING_IDENTITY set, when one of these sets is complete:
#     APPLE_NOTARY_PROFILE                              a `xcrun notarytool store-credentials` profile
#     APPLE_API_KEY_PATH, APPLE_API_KEY_ID, APPLE_API_ISSUER   an App Store Connect API key
#     APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD       an Apple ID with an app-specific password
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VOLUME_NAME="Usage Tracker"

die() { printf 'package_mac_app: error: %s\n' "$*" >&2; exit 1; }
say() { printf 'package_mac_app: %s\n' "$*" >&2; }

APP=$REPO/dist/UsageTracker.app DMG=$REPO/dist/UsageTracker.dmg
while [[ $# -gt 0 ]]; do
    case $1 in
        --app) APP=${2:?--app needs a path}; shift 2 ;;
        --out) DMG=${2:?--out needs a path}; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
done

[[ $(uname -s) == Darwin ]] || die "disk images are made with hdiutil, which only exists on macOS"
[[ -d $APP/Contents/MacOS ]] || die "no app bundle at $APP (make one with scripts/create_mac_app.sh)"

# Which notarytool credentials, if any. Partial sets are an error, not a silent skip.
NOTARY_ARGS=()
if [[ -n ${APPLE_NOTARY_PROFILE:-} ]]; then
    NOTARY_ARGS=(--keychain-profile "$APPLE_NOTARY_PROFILE")
elif [[ -n ${APPLE_API_KEY_PATH:-}${APPLE_API_KEY_ID:-}${APPLE_API_ISSUER:-} ]]; then
    [[ -n ${APPLE_API_KEY_PATH:-} && -n ${APPLE_API_KEY_ID:-} && -n ${APPLE_API_ISSUER:-} ]] ||
        die "notarizing with an API key needs all of APPLE_API_KEY_PATH, APPLE_API_KEY_ID and APPLE_API_ISSUER"
    [[ -f $APPLE_API_KEY_PATH ]] || die "APPLE_API_KEY_PATH=$APPLE_API_KEY_PATH is not a file"
    NOTARY_ARGS=(--key "$APPLE_API_KEY_PATH" --key-id "$APPLE_API_KEY_ID" --issuer "$APPLE_API_ISSUER")
elif [[ -n ${APPLE_ID:-}${APPLE_TEAM_ID:-}${APPLE_APP_PASSWORD:-} ]]; then
    [[ -n ${APPLE_ID:-} && -n ${APPLE_TEAM_ID:-} && -n ${APPLE_APP_PASSWORD:-} ]] ||
        die "notarizing with an Apple ID needs all of APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD"
    NOTARY_ARGS=(--apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" --password "$APPLE_APP_PASSWORD")
fi
if [[ ${#NOTARY_ARGS[@]} -gt 0 && -z ${APPLE_SIGNING_IDENTITY:-} ]]; then
    die "notarization credentials are set but APPLE_SIGNING_IDENTITY is not: Apple notarizes only Developer ID signed apps"
fi
for tool in hdiutil codesign; do
    command -v "$tool" >/dev/null || die "$tool not found (install the Xcode command line tools: xcode-select --install)"
done
if [[ ${#NOTARY_ARGS[@]} -gt 0 ]]; then
    if ! xcrun --find notarytool >/dev/null 2>&1 || ! xcrun --find stapler >/dev/null 2>&1; then
        die "xcrun notarytool/stapler not found (needs Xcode 13+ command line tools)"
    fi
fi

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
# ditto keeps the signature, extended attributes and symlinks of the bundle intact.
ditto "$APP" "$STAGE/$(basename "$APP")"
ln -s /Applications "$STAGE/Applications"

mkdir -p "$(dirname "$DMG")"
rm -f "$DMG"
say "creating $DMG"
hdiutil create -quiet -volname "$VOLUME_NAME" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG" ||
    die "hdiutil create failed"

if [[ -n ${APPLE_SIGNING_IDENTITY:-} ]]; then
    say "signing the disk image with '$APPLE_SIGNING_IDENTITY'"
    codesign --force --timestamp --sign "$APPLE_SIGNING_IDENTITY" "$DMG" || die "codesign of the disk image failed"
fi

if [[ ${#NOTARY_ARGS[@]} -gt 0 ]]; then
    # One submission covers the image and the app inside it; stapling the image lets Gatekeeper
    # accept it offline.
    say "notarizing (this waits for Apple, usually a few minutes)"
    xcrun notarytool submit "$DMG" "${NOTARY_ARGS[@]}" --wait --timeout 30m | tee "$STAGE/notary.log" ||
        die "notarytool submit failed"
    grep -q 'status: Accepted' "$STAGE/notary.log" ||
        die "notarization was not accepted; for Apple's reasons run: xcrun notarytool log <submission id above> (with the same credentials)"
    xcrun stapler staple "$DMG" || die "stapling the ticket to $DMG failed"
    xcrun stapler validate "$DMG" || die "the stapled ticket does not validate"
    spctl --assess --type open --context context:primary-signature --verbose=2 "$DMG" ||
        die "Gatekeeper rejects $DMG"
elif [[ -n ${APPLE_SIGNING_IDENTITY:-} ]]; then
    say "no notarization credentials: the image is signed but not notarized (see --help)"
fi

say "$DMG"
