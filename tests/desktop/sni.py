#!/usr/bin/python3
"""Reads the app's StatusNotifierItem and its exported menu over the session bus (python3-dbus),
and formats the figures the app should show with the same rules as src/ui/format.rs, so the
desktop end-to-end test can compare what a user sees with what the simulated API holds.

  sni.py label                 the item's label (XAyatanaLabel, else Title)
  sni.py rows                  every menu row: depth, toggle state, enabled, label (TSV)
  sni.py click LABEL           activates the menu row with exactly this label
  sni.py expect FORMAT < once.json   the title and model rows `once --format json` implies
  sni.py compare FORMAT < once.json  checks the title and the model rows against them: equal,
                               or within 3% (the simulated usage grows while the app and
                               `once` fetch a second or two apart)
  sni.py consistent            each model row's own label agrees with its submenu (cost and
                               tokens), so a label left behind by a refresh shows
  sni.py exclusive             Lookback, Pricing tier, Show in menu bar and Track key each
                               have exactly one row checked (wherever they sit: Pricing
                               tier and Show in menu bar are in Settings)
  sni.py top                   the number of top-level rows (separators not counted)
  sni.py models                the model rows' labels
  sni.py description           the item's accessible description (IconAccessibleDesc)
  sni.py described WINDOW < once.json   checks the description and the item's Title: equal,
                               naming the app and the figures `once` implies (within 3%),
                               over "the last WINDOW" (or a calendar window as said:
                               "today since 00:00 UTC"), never tray-icon's "icon"
  sni.py first-title PID SECS  watches the label of the item PID registers (every 20 ms) until
                               it shows figures (a digit, $ or —: not "…", "Set admin key…"
                               before the key is read, or "⚠ offline"); prints the time since
                               the process started (ms, from /proc/PID/stat) and that label
  sni.py close HAVE WANT       exit 0 when two titles' figures agree within 3%

The title's spike mark (⚡, while a spike lasts) is not a figure: compared without it.
"""
import json
import sys

WATCHER = "org.kde.StatusNotifierWatcher"
SNI = "org.kde.StatusNotifierItem"
MENU = "com.canonical.dbusmenu"
PROPS = "org.freedesktop.DBus.Properties"


def bus():
    import dbus
    return dbus.SessionBus()


def item():
    b = bus()
    w = b.get_object(WATCHER, "/StatusNotifierWatcher")
    items = w.Get(WATCHER, "RegisteredStatusNotifierItems", dbus_interface=PROPS)
    if not items:
        sys.exit("no StatusNotifierItem registered")
    name, _, path = str(items[-1]).partition("/")
    return b, name, "/" + path


def label():
    b, name, path = item()
    props = b.get_object(name, path).GetAll(SNI, dbus_interface=PROPS)
    return str(props.get("XAyatanaLabel") or props.get("Title") or "")


def props():
    b, name, path = item()
    return b.get_object(name, path).GetAll(SNI, dbus_interface=PROPS)


def described(window):
    import re
    want = expect("tokens_and_cost", json.load(sys.stdin))[0]
    p = props()
    desc, title = str(p.get("IconAccessibleDesc", "")), str(p.get("Title", ""))
    problems = []
    if desc != title:
        problems.append(f"IconAccessibleDesc {desc!r} differs from Title {title!r}")
    calendar = window.startswith(("today ", "this week ", "this month "))
    # The window's figures, then (issue 17) the rest of the headline: `; today (UTC) $X; month
    # so far $Y; on pace for ...`, read here where a panel draws no label.
    m = re.fullmatch(r"UsageTracker: (\S+) tokens, (\S+) (.+?)((?:; (?:today|month|on pace) .*)?)", desc)
    said = None
    if m and calendar:
        said = m[3]
    elif m and m[3].startswith("in the last "):
        said = m[3].removeprefix("in the last ")
    if not m or said is None:
        problems.append(f"IconAccessibleDesc {desc!r} does not name the app and the figures")
    elif not close(f"{m[1]} · {m[2]}", want) or said != window:
        problems.append(f"IconAccessibleDesc {desc!r}, expected the figures {want!r} over the last {window}")
    for p in problems:
        print(p)
    return not problems


def first_title(pid, secs):
    """Polls in this process (no interpreter start per look) the item owned by `pid`: an item
    left by an earlier run is never mistaken for it. The start is the kernel's, so the time
    includes everything the app does before its title shows figures."""
    import os
    import time
    import dbus
    tick = os.sysconf("SC_CLK_TCK")
    with open(f"/proc/{pid}/stat") as f:
        started = int(f.read().rsplit(")", 1)[1].split()[19]) / tick
    b = bus()
    dbus_daemon = b.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus")
    deadline = time.monotonic() + secs
    last = "no item"
    while time.monotonic() < deadline:
        try:
            w = b.get_object(WATCHER, "/StatusNotifierWatcher")
            for it in w.Get(WATCHER, "RegisteredStatusNotifierItems", dbus_interface=PROPS):
                name, _, path = str(it).partition("/")
                owner = dbus_daemon.GetConnectionUnixProcessID(name, dbus_interface="org.freedesktop.DBus")
                if int(owner) != pid:
                    continue
                p = b.get_object(name, "/" + path).GetAll(SNI, dbus_interface=PROPS)
                last = str(p.get("XAyatanaLabel") or p.get("Title") or "")
                if any(c.isdigit() or c in "$—" for c in last):
                    at = time.clock_gettime(time.CLOCK_BOOTTIME) - started
                    print(f"{at * 1000:.0f}\t{last}")
                    return True
        except dbus.exceptions.DBusException as e:
            last = f"{type(e).__name__}: {e}"
        time.sleep(0.02)
    print(f"none within {secs} s (last: {last})")
    return False


def menu():
    b, name, path = item()
    menu_path = b.get_object(name, path).Get(SNI, "Menu", dbus_interface=PROPS)
    return b.get_object(name, menu_path)


def unmnemonic(label):
    """dbusmenu labels carry GTK mnemonics: `__` is a literal underscore, `_` marks a key."""
    return label.replace("__", "\0").replace("_", "").replace("\0", "_")


def walk(node, depth, out):
    ident, props, children = node
    if depth >= 0 and props.get("type", "") != "separator":
        out.append((int(ident), depth, int(props.get("toggle-state", -1)),
                    bool(props.get("enabled", True)), unmnemonic(str(props.get("label", "")))))
    for c in children:
        walk(c, depth + 1, out)


def rows():
    _rev, layout = menu().GetLayout(0, -1, [], dbus_interface=MENU)
    out = []
    walk(layout, -1, out)
    return out


def click(text, wait=10.0):
    """Clicks the row labelled `text`. The menu may be between layouts (a refresh rebuilding it,
    or an app that just quit still listed by the watcher): retries for `wait` seconds, then
    fails naming the rows it saw."""
    import time
    import dbus
    deadline = time.monotonic() + wait
    seen = "no menu"
    while True:
        try:
            m = menu()
            labels = rows()
            hit = [ident for ident, _d, _t, _e, lab in labels if lab == text]
            if hit:
                try:
                    m.Event(dbus.Int32(hit[0]), "clicked", dbus.Int32(0, variant_level=1),
                            dbus.UInt32(0), dbus_interface=MENU)
                except dbus.exceptions.DBusException as e:
                    # A click that ends the app (Quit) may end it before it answers; the
                    # caller checks the effect.
                    if e.get_dbus_name() != "org.freedesktop.DBus.Error.NoReply":
                        raise
                return
            seen = "rows: " + ", ".join(repr(lab) for *_x, lab in labels if lab)
        except (dbus.exceptions.DBusException, SystemExit) as e:
            seen = f"{type(e).__name__}: {e}"
        if time.monotonic() >= deadline:
            sys.exit(f"no menu row {text!r} within {wait:.0f} s ({seen})")
        time.sleep(0.3)


def tokens_short(n):
    """The app's rule (src/ui/format.rs): one decimal below 100 of a unit, none from 100."""
    for scale, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        v = n / scale
        if v >= 0.9995:
            return f"{v:.0f}{unit}" if v >= 99.95 else f"{v:.1f}{unit}"
    return str(n)


def usd(v):
    """The app's one money rule: cents, four decimals only below one cent."""
    if v == 0 or round(v * 100) >= 1:
        return f"${v:,.2f}"
    if round(v * 10000) >= 1:
        return f"${v:.4f}"
    return "<$0.0001"


def expect(fmt, r=None):
    r = r or json.load(sys.stdin)
    t = r["totals"]
    # The title's cost is the whole estimate (every kind of usage) where once reports one.
    whole = r.get("total_cost_usd", t["cost_usd"])
    cost = usd(whole)
    if r.get("unpriced", t["unpriced_models"]):
        cost = "—" if whole == 0 else cost + "+"
    tok = tokens_short(t["total_tokens"])
    lines = [{"tokens_and_cost": f"{tok} · {cost}", "cost": cost, "tokens": tok}[fmt]]
    for m in r["models"]:
        c = "—" if m["cost_usd"] is None else usd(m["cost_usd"])
        lines.append(f"{m['model']}   {tokens_short(m['total_tokens'])} tok · {c}")
    return lines


def number(text):
    """`48.3k` → 48300, `$0.30+` → 0.30, `<$0.0001` → 0.00005, `—` → None."""
    t = text.strip().rstrip("+")
    if t == "—":
        return None
    if t == "<$0.0001":
        return 0.00005
    t = t.lstrip("$").replace(",", "")
    scale = {"k": 1e3, "M": 1e6, "B": 1e9}.get(t[-1:], 1)
    return float(t[:-1] if scale != 1 else t) * scale


SPIKE_MARK = "⚡ "


def close(have, want):
    have, want = have.replace(SPIKE_MARK, ""), want.replace(SPIKE_MARK, "")
    if have == want:
        return True
    hs, ws = have.split(" · "), want.split(" · ")
    if len(hs) != len(ws):
        return False
    for h, w in zip(hs, ws):
        h, w = h.removesuffix(" tok"), w.removesuffix(" tok")
        a, b = number(h), number(w)
        if (a is None) != (b is None) or h.endswith("+") != w.endswith("+"):
            return False
        if a is not None and abs(a - b) > max(0.03 * max(a, b), 0.02 if "$" in w else 1):
            return False
    return True


def compare(fmt):
    want = expect(fmt, json.load(sys.stdin))
    have_title = label()
    # The biggest models are top-level rows, the rest in "N more models…" (depth 1).
    top = [lab for lab, _ in model_rows()]
    problems = []
    if not close(have_title, want[0]):
        problems.append(f"title {have_title!r}, expected {want[0]!r}")
    for w in want[1:]:
        name = w.split("   ")[0] + "   "
        match = [h for h in top if h.startswith(name)]
        if len(match) != 1 or not close(match[0][len(name):], w[len(name):]):
            problems.append(f"row {match!r}, expected {w!r}")
    for p in problems:
        print(p)
    return not problems


def model_rows():
    """(label, [child labels]) for each model row: the top-level ones and those in "N more
    models…"."""
    out, current, depth_of = [], None, None
    in_more = False
    for _i, depth, _t, _e, lab in rows():
        if depth == 0:
            in_more = lab.endswith(" more models…")
        if depth == 0 or (depth == 1 and in_more):
            current = None
            if "   " in lab and " tok · " in lab:
                current = (lab, [])
                depth_of = depth
                out.append(current)
        elif current is not None and depth == depth_of + 1:
            current[1].append(lab)
    return out


def consistent():
    problems = []
    for label, children in model_rows():
        name, _, figures = label.partition("   ")
        tok, _, cost = figures.partition(" tok · ")
        detail = {c.split(": ", 1)[0]: c.split(": ", 1)[1] for c in children if ": " in c}
        want_cost = detail.get("Cost")
        # One money format for the row and its submenu (ui::format::usd): equal text.
        if want_cost is None or want_cost != cost:
            problems.append(f"{name}: row says {cost!r}, its submenu Cost: {want_cost!r}")
        total = sum(int(detail.get(k, "0 tokens").split()[0].replace(",", ""))
                    for k in ("Input", "Output"))
        if tokens_short(total) != tok:
            problems.append(f"{name}: row says {tok!r} tok, its submenu input+output {total}")
    for p in problems:
        print(p)
    return not problems


def exclusive():
    groups = {"Lookback", "Pricing tier", "Show in menu bar", "Track key"}
    counts, current, at = {}, None, None
    for _i, depth, toggle, _e, lab in rows():
        if current and depth <= at:
            current = None
        if current is None and lab in groups:
            current, at = lab, depth
            counts[current] = 0
        elif current and depth == at + 1 and toggle == 1:
            counts[current] += 1
    bad = {g: n for g, n in counts.items() if n != 1}
    for g, n in bad.items():
        print(f"{g}: {n} rows checked")
    return len(counts) == len(groups) and not bad


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "label":
        print(label())
    elif cmd == "rows":
        for _i, depth, toggle, enabled, lab in rows():
            print(f"{depth}\t{toggle}\t{int(enabled)}\t{lab}")
    elif cmd == "click":
        click(sys.argv[2])
    elif cmd == "expect":
        print("\n".join(expect(sys.argv[2])))
    elif cmd == "compare":
        sys.exit(0 if compare(sys.argv[2]) else 1)
    elif cmd == "consistent":
        sys.exit(0 if consistent() else 1)
    elif cmd == "exclusive":
        sys.exit(0 if exclusive() else 1)
    elif cmd == "description":
        print(str(props().get("IconAccessibleDesc", "")))
    elif cmd == "described":
        sys.exit(0 if described(sys.argv[2]) else 1)
    elif cmd == "first-title":
        sys.exit(0 if first_title(int(sys.argv[2]), float(sys.argv[3])) else 1)
    elif cmd == "close":
        sys.exit(0 if close(sys.argv[2], sys.argv[3]) else 1)
    elif cmd == "top":
        print(sum(1 for r in rows() if r[1] == 0))
    elif cmd == "models":
        print("\n".join(label for label, _ in model_rows()))
    else:
        sys.exit(__doc__)
