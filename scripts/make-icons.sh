#!/usr/bin/env bash
# Remakes every icon in icons/ from the two SVGs in icons/src/:
#   icons/src/tray-template.svg -> icons/tray-template.png (18 px) and icons/tray-template@2x.png
#                                  (36 px): the menu-bar template image (black + alpha)
#   icons/src/app-icon.svg      -> icons/AppIcon.iconset/icon_<n>x<n>[@2x].png (16..1024 px) and
#                                  icons/AppIcon.icns (written here, no macOS tools needed)
# Needs rsvg-convert (Debian: librsvg2-bin; macOS: brew install librsvg) and python3.
# On macOS `iconutil -c icns icons/AppIcon.iconset` makes an equivalent .icns from the same PNGs.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ICONS=$REPO/icons
SRC=$ICONS/src

die() { printf 'make-icons: error: %s\n' "$*" >&2; exit 1; }

if ! command -v rsvg-convert >/dev/null; then
    die "rsvg-convert not found: install it (Debian/Ubuntu: apt-get install librsvg2-bin; macOS: brew install librsvg)"
fi
command -v python3 >/dev/null || die "python3 not found"

render() { # render <svg> <size px> <out.png>
    rsvg-convert --width "$2" --height "$2" --keep-aspect-ratio --format png "$1" --output "$3"
}

render "$SRC/tray-template.svg" 18 "$ICONS/tray-template.png"
render "$SRC/tray-template.svg" 36 "$ICONS/tray-template@2x.png"

ICONSET=$ICONS/AppIcon.iconset
rm -rf "$ICONSET"
mkdir -p "$ICONSET"
for size in 16 32 128 256 512; do
    render "$SRC/app-icon.svg" "$size" "$ICONSET/icon_${size}x${size}.png"
    render "$SRC/app-icon.svg" $((size * 2)) "$ICONSET/icon_${size}x${size}@2x.png"
done

# The .icns container: "icns", total length, then one chunk per image: a 4-byte type, the chunk
# length (8 + data) and PNG data, all big-endian. Types by pixel size as macOS reads them.
python3 - "$ICONSET" "$ICONS/AppIcon.icns" <<'PY'
import struct, sys
iconset, out = sys.argv[1], sys.argv[2]
chunks = [  # (type, file) in the order iconutil writes them
    (b"icp4", "icon_16x16.png"), (b"ic11", "icon_16x16@2x.png"),
    (b"icp5", "icon_32x32.png"), (b"ic12", "icon_32x32@2x.png"),
    (b"ic07", "icon_128x128.png"), (b"ic13", "icon_128x128@2x.png"),
    (b"ic08", "icon_256x256.png"), (b"ic14", "icon_256x256@2x.png"),
    (b"ic09", "icon_512x512.png"), (b"ic10", "icon_512x512@2x.png"),
]
body = b""
for kind, name in chunks:
    data = open(f"{iconset}/{name}", "rb").read()
    assert data.startswith(b"\x89PNG\r\n\x1a\n"), name
    body += kind + struct.pack(">I", 8 + len(data)) + data
with open(out, "wb") as f:
    f.write(b"icns" + struct.pack(">I", 8 + len(body)) + body)
PY

printf 'make-icons: wrote %s\n' "${ICONS#"$REPO"/}/tray-template.png" "${ICONS#"$REPO"/}/tray-template@2x.png" \
    "${ICONSET#"$REPO"/}/ (10 PNGs)" "${ICONS#"$REPO"/}/AppIcon.icns"
