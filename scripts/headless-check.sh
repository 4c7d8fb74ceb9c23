#!/usr/bin/env bash
# The CLI without the desktop, as on a server or in CI without GTK: builds
# `--no-default-features --features demo`, asserts that the binary links no desktop library (GTK, GLib, Cairo,
# Pango, appindicator, X11, Wayland, libdbus), then runs it in a chroot that holds only the
# binary, the shared libraries `ldd` lists for it and the CA bundle, so anything else it needed would be
# missing there: `once --demo`, `keys --demo`, `watch --demo --format json` for a few refreshes,
# `admin-key status` (no Secret Service: it must say so and what to do, exit 1), and the bare
# command (no menu-bar app in this build: it must say so, exit 1).
# Needs root for chroot and fails without it (CI runs as root); nothing here is skipped.
#   scripts/headless-check.sh [--binary PATH]   (default: build it with cargo)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { printf 'headless-check: FAIL: %s\n' "$*" >&2; exit 1; }
ok() { printf 'headless-check: ok: %s\n' "$*"; }

bin=""
if [[ ${1:-} == --binary ]]; then bin=$2; fi
[[ $(id -u) -eq 0 ]] || die "must run as root (it uses chroot); CI runs as root"
chroot=$(command -v chroot) || die "chroot is missing (coreutils)"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
if [[ -z $bin ]]; then
    cargo build --quiet --locked --no-default-features --features demo --bin usage-tracker
    # Copied at once: the next default build writes the same path.
    cp "${CARGO_TARGET_DIR:-target}/debug/usage-tracker" "$root/usage-tracker"
else
    cp "$bin" "$root/usage-tracker"
fi

desktop='gtk|gdk|glib|gobject|gio-|gmodule|cairo|pango|harfbuzz|atk|appindicator|dbusmenu|X11|xcb|wayland|libdbus'
libs=$(ldd "$root/usage-tracker" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
[[ -n $libs ]] || die "ldd listed no libraries (is the binary dynamically linked?)"
if bad=$(grep -E "$desktop" <<<"$libs"); then
    die "the headless build links desktop libraries: $bad"
fi
ok "no desktop library linked ($(wc -l <<<"$libs") libraries: $(xargs -n1 basename <<<"$libs" | xargs))"
while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done <<<"$libs"
mkdir -p "$root/tmp" "$root/home" "$root/etc/ssl/certs"
# The one file besides libraries: the CA bundle the HTTPS client loads at start (a server has it
# from the ca-certificates package; without it no client could reach api.openai.com).
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/" \
    || die "no /etc/ssl/certs/ca-certificates.crt here (apt-get install ca-certificates)"
[[ ! -e $root/usr/lib/x86_64-linux-gnu/libgtk-3.so.0 ]] || die "GTK ended up in the chroot"

in_root() { env -i HOME=/home "$chroot" "$root" /usage-tracker "$@"; }

out=$(in_root once --demo) || die "once --demo failed: $out"
grep -q "^Estimate \\$" <<<"$out" || die "once --demo printed no headline: $out"
grep -q "^Completions " <<<"$out" || die "once --demo printed no Completions row: $out"
ok "once --demo"

out=$(in_root keys --demo) || die "keys --demo failed: $out"
grep -q "key_demoPrimary01" <<<"$out" || die "keys --demo lists no demo key: $out"
ok "keys --demo"

out=$(timeout -s INT 6 env -i HOME=/home "$chroot" "$root" /usage-tracker watch --demo --format json --interval 1) \
    || [[ $? -eq 124 ]] || die "watch --demo --format json failed: $out"
lines=$(grep -c '"totals"' <<<"$out" || true)
[[ $lines -ge 2 ]] || die "watch --demo --format json printed $lines refreshes in 6 s: $out"
ok "watch --demo --format json ($lines refreshes)"

set +e
out=$(in_root admin-key status 2>&1); rc=$?
set -e
[[ $rc -eq 1 ]] || die "admin-key status without a Secret Service: exit $rc, expected 1: $out"
grep -q "OPENAI_ADMIN_KEY" <<<"$out" || die "admin-key status does not say what to do instead: $out"
ok "admin-key status says why it cannot and what to do: $out"

set +e
out=$(in_root 2>&1); rc=$?
set -e
[[ $rc -eq 1 ]] || die "the bare command in a build without the app: exit $rc, expected 1: $out"
grep -q "no menu-bar app" <<<"$out" || die "the bare command does not say the app is left out: $out"
ok "the bare command says this build has no menu-bar app"
echo "headless-check: all passed"
