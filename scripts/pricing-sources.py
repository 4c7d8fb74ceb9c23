#!/usr/bin/env python3
"""Compare the built-in price table with two third-party price sources, for OpenAI models.

What it reads:
  - LiteLLM's model price file, `litellm/model_prices_and_context_window_backup.json` inside the
    `litellm` wheel from PyPI (entries with `litellm_provider = "openai"`);
  - pydantic's genai-prices data, `genai_prices/data.py` inside the `genai-prices` wheel from
    PyPI (the provider `openai`), imported from the wheel (needs `pydantic`, which the package
    itself requires; its HTTP client `httpx2` is only used for live updates and is stubbed);
  - the table, `crates/core/src/pricing/builtin.toml` (or `--table FILE`).

What it downloads: nothing unless asked. `--download` runs
  pip download --no-deps -d DIR/litellm litellm
  pip download --no-deps -d DIR/genai-prices genai-prices
(the newest versions) into a new folder DIR under /tmp and reads those. Without it, it reads the
one wheel in /tmp/src-litellm and in /tmp/src-genai (where
`pip download --no-deps -d /tmp/src-litellm litellm` and
`pip download --no-deps -d /tmp/src-genai genai-prices` put them), or the wheels or folders named
by `--litellm` and `--genai`.

What it prints: each source's version, wheel sha256 and the as-of date, then, for the
completions token prices (USD per 1M tokens) of standard, batch, flex and priority:
  1. models missing from the table (listed by a source, unknown to the table's lookup);
  2. (model, tier) prices missing (the model is in the table, that tier is not);
  3. fields missing whose fallback prices differently (cached input per tier, cache writes,
     audio and image token prices; the table's fallbacks: cached -> input, cache write -> input,
     audio/image -> text prices for a text-only entry);
  4. values that differ from the table;
each line marked `BOTH` where the two sources give the same number (the defect counts), else
`litellm` or `genai` for a number only one source gives, or `DISAGREE` with both numbers.
Then the source tiers that are no table tier (`fast`, `ultrafast`, ...), the embeddings, and
any model named `gpt-6.9*` or `gpt-7*` (which the table must never have: the simulator uses
such a name as "a model the table does not know").

`--fixture FILE` also writes the OpenAI entries read (both sources, every name either lists,
the table's fields and tiers only) with `_meta` naming the sources, as the tests' fixture.

  python3 scripts/pricing-sources.py --download
  python3 scripts/pricing-sources.py --as-of 2026-12-07 \
      --fixture tests/fixtures/openai/pricing-sources-2026-12-07.json

Genai-prices prices depend on the date (price changes carry start dates): `--as-of` (default
today) picks the prices in force that day. A dated name (`gpt-5-2025-08-07`) is looked up in
the table the way the app does: exact name or alias, then the name without `-YYYY-MM-DD`.
"""

import argparse
import atexit
import datetime
import glob
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import types
import zipfile

TIERS = ["standard", "batch", "flex", "priority"]
FIELDS = [
    "input",
    "cached_input",
    "output",
    "cache_write",
    "audio_input",
    "audio_cached_input",
    "audio_output",
    "image_input",
    "image_cached_input",
    "image_output",
]
MODALITY_FIELDS = FIELDS[4:]

LITELLM_FIELDS = {
    "input": "input_cost_per_token",
    "cached_input": "cache_read_input_token_cost",
    "output": "output_cost_per_token",
    "cache_write": "cache_creation_input_token_cost",
    "audio_input": "input_cost_per_audio_token",
    "audio_cached_input": "cache_read_input_audio_token_cost",
    "audio_output": "output_cost_per_audio_token",
    "image_input": "input_cost_per_image_token",
    "image_cached_input": "cache_read_input_image_token_cost",
    "image_output": "output_cost_per_image_token",
}
LITELLM_TIER_SUFFIX = {"standard": "", "batch": "_batches", "flex": "_flex", "priority": "_priority"}
# Suffixes of LiteLLM price keys that are no service tier of the table (context length, cache
# TTL) or a tier the table does not have (caught below by what is left after these).
LITELLM_NOT_TIERS = ("_above_272k_tokens", "_above_12hr")

GENAI_FIELDS = {
    "input_mtok": "input",
    "cache_read_mtok": "cached_input",
    "output_mtok": "output",
    "cache_write_mtok": "cache_write",
    "input_audio_mtok": "audio_input",
    "cache_audio_read_mtok": "audio_cached_input",
    "output_audio_mtok": "audio_output",
    "input_image_mtok": "image_input",
    "cache_image_read_mtok": "image_cached_input",
    "output_image_mtok": "image_output",
}
GENAI_TIER_WHEN = {
    "batch": {"processing": "batch"},
    "flex": {"service_tier": "flex"},
    "priority": {"service_tier": "priority"},
}

FORBIDDEN = re.compile(r"^(gpt-6\.9|gpt-7)")
DATE_SUFFIX = re.compile(r"^(.+)-\d{4}-\d{2}-\d{2}$")


def fail(message):
    """Bad input: one line on stderr, exit 2."""
    print(f"pricing-sources: {message}", file=sys.stderr)
    sys.exit(2)


def num(x):
    """A price as a float rounded to 10 significant digits (LiteLLM stores USD per token:
    6.25e-08 * 1e6 is 0.06250000000000001)."""
    return float(f"{float(x):.10g}")


def same(a, b):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def wheel_in(path):
    if os.path.isdir(path):
        found = sorted(glob.glob(os.path.join(path, "*.whl")))
        if not found:
            fail(f"no wheel in {path}; run with --download")
        if len(found) > 1:
            fail(f"{len(found)} wheels in {path}; name one, or empty the folder and --download")
        return found[0]
    if not os.path.isfile(path):
        fail(f"{path}: no such wheel or folder; run with --download")
    return path


def wheel_version(whl, dist):
    with zipfile.ZipFile(whl) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        for line in z.read(meta).decode().splitlines():
            if line.startswith("Version:"):
                return line.split(":", 1)[1].strip()
    fail(f"no version in {whl} ({dist})")


def source_meta(whl, dist, data_path, as_of):
    return {
        "package": dist,
        "version": wheel_version(whl, dist),
        "wheel": os.path.basename(whl),
        "wheel_sha256": sha256(whl),
        "data_file": data_path,
        "read": as_of.isoformat(),
    }


# --- LiteLLM ---------------------------------------------------------------------------------


def load_litellm(whl):
    path = "litellm/model_prices_and_context_window_backup.json"
    with zipfile.ZipFile(whl) as z:
        data = json.loads(z.read(path))
    models, embeddings, other_tiers = {}, {}, {}
    for name, e in data.items():
        if not isinstance(e, dict) or e.get("litellm_provider") != "openai" or "/" in name:
            continue
        tiers = {}
        for tier, sfx in LITELLM_TIER_SUFFIX.items():
            got = {f: num(e[k + sfx] * 1e6) for f, k in LITELLM_FIELDS.items() if e.get(k + sfx) is not None}
            if got:
                tiers[tier] = got
        extra = set()
        for k in e:
            if not k.startswith(tuple(LITELLM_FIELDS.values())):
                continue
            rest = k
            for base in sorted(LITELLM_FIELDS.values(), key=len, reverse=True):
                if k.startswith(base):
                    rest = k[len(base):]
                    break
            for cut in LITELLM_NOT_TIERS:
                rest = rest.replace(cut, "")
            if rest and rest not in LITELLM_TIER_SUFFIX.values():
                extra.add(rest.lstrip("_"))
        if extra:
            other_tiers[name] = sorted(extra)
        if e.get("mode") == "embedding":
            emb = {t: v["input"] for t, v in tiers.items() if "input" in v}
            if emb:
                embeddings[name] = emb
        elif tiers:
            models[name] = tiers
    return models, embeddings, other_tiers, path


# --- genai-prices -----------------------------------------------------------------------------


def load_genai(whl, as_of):
    tmp = tempfile.mkdtemp(prefix="genai-prices-")
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    with zipfile.ZipFile(whl) as z:
        for n in z.namelist():
            # The package reads its own version from its dist-info.
            if n.startswith("genai_prices/") or n.startswith("genai_prices-"):
                z.extract(n, tmp)
    try:
        import httpx2  # noqa: F401  (only the package's live updater uses it)
    except ImportError:
        sys.modules["httpx2"] = types.ModuleType("httpx2")
    sys.path.insert(0, tmp)
    from genai_prices import data as gdata  # noqa: E402
    from genai_prices import types as gtypes  # noqa: E402

    provider = next(p for p in gdata.providers if p.id == "openai")
    when = datetime.datetime.combine(as_of, datetime.time(12), tzinfo=datetime.timezone.utc)

    def val(v):
        return num(v.base if isinstance(v, gtypes.TieredPrices) else v)

    def fields(price):
        return {
            f: val(getattr(price, k))
            for k, f in GENAI_FIELDS.items()
            if getattr(price, k, None) is not None
        }

    def explicit(model, ctx):
        """The keys the active variants for exactly `ctx` set (first wins, as genai-prices
        resolves them); None when no variant is for that tier. A key a variant leaves out
        would fall back to the standard price in genai-prices: not a price it states."""
        got, any_variant = {}, False
        for v in model.price_variants or ():
            if v.when != ctx or (v.constraint is not None and not v.constraint.active(when)):
                continue
            any_variant = True
            for k, f in fields(v.prices).items():
                got.setdefault(k, f)
        return got if any_variant else None

    def equals(clause):
        if isinstance(clause, gtypes.ClauseOr):
            for c in clause.or_:
                yield from equals(c)
        elif isinstance(clause, gtypes.ClauseEquals):
            yield clause.equals

    def tiers_of(model):
        std = fields(model.get_prices(when, {"service_tier": "default"}))
        out = {"standard": std} if std else {}
        for tier, ctx in GENAI_TIER_WHEN.items():
            got = explicit(model, ctx)
            if got:
                out[tier] = got
        return out

    by_id, names, other_tiers = {}, {}, {}
    for m in provider.models:
        by_id[m.id] = tiers_of(m)
        for n in equals(m.match):
            names.setdefault(n, m.id)
        extra = set()
        for v in m.price_variants or ():
            if v.constraint is not None and not v.constraint.active(when):
                continue
            if v.when not in list(GENAI_TIER_WHEN.values()) + [{"service_tier": "default"}]:
                extra.add(",".join(f"{k}={x}" for k, x in v.when.items()))
        if extra:
            other_tiers[m.id] = sorted(extra)

    def find(name):
        """(genai model id, exact?) for a name: an exact name of its match clauses, else the
        package's own pattern matching (dated names by regex, prefixes)."""
        if name in names:
            return names[name], True
        m = provider.find_model(name)
        return (m.id, False) if m is not None else (None, False)

    embeddings = {
        n: {"standard": t["standard"]["input"], **({"batch": t["batch"]["input"]} if "batch" in t else {})}
        for n, mid in names.items()
        if n.startswith("text-embedding") and (t := by_id[mid]).get("standard", {}).get("input") is not None
    }
    return by_id, names, find, other_tiers, embeddings, "genai_prices/data.py"


# --- the table --------------------------------------------------------------------------------


class Table:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.raw = tomllib.load(f)
        self.aliases = self.raw.get("aliases", {})

    def entry(self, name, tier):
        """The entry the app would use for `name` at `tier`: exact name or alias, then the name
        without a date suffix (crates/core/src/pricing.rs `find`)."""
        section = self.raw.get(tier, {})

        def exact(n):
            if n in section:
                return section[n]
            target = self.aliases.get(n)
            return section.get(target) if target else None

        got = exact(name)
        if got is None and (m := DATE_SUFFIX.match(name)):
            got = exact(m.group(1))
        return got

    def known(self, name):
        return any(self.entry(name, t) is not None for t in TIERS)

    @staticmethod
    def effective(e, field):
        """What the app charges for one token of `field` (crates/core/src/pricing/tokens.rs `quote`):
        the entry's own price, else its fallback; None is unpriced."""
        text_only = not any(k in e for k in MODALITY_FIELDS)
        one = e.get("one_price_all_modalities", text_only)
        if field in ("input", "output"):
            return e.get(field)
        if field == "cached_input":
            return e.get("cached_input", e.get("input"))
        if field == "cache_write":
            return e.get("cache_write", e.get("input"))
        modality, part = field.split("_", 1)
        own = e.get(field)
        if own is not None:
            return own
        if part == "cached_input":
            text = e.get("cached_input") if one else None
            return text if text is not None else Table.effective(e, f"{modality}_input")
        return e.get(part) if one else None


# --- comparison -------------------------------------------------------------------------------


def mark(a, b):
    if a is not None and b is not None:
        return "BOTH" if same(a, b) else f"DISAGREE litellm {a:g} genai {b:g}"
    return "litellm" if a is not None else "genai"


def fmt(x):
    return "-" if x is None else f"{x:g}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--download", action="store_true", help="pip download the newest wheels first")
    ap.add_argument("--litellm", default="/tmp/src-litellm", help="litellm wheel or folder")
    ap.add_argument("--genai", default="/tmp/src-genai", help="genai-prices wheel or folder")
    ap.add_argument("--table", default=os.path.join(os.path.dirname(__file__), "..", "crates/core/src/pricing/builtin.toml"))
    ap.add_argument("--as-of", default=datetime.date.today().isoformat(), help="YYYY-MM-DD")
    ap.add_argument("--fixture", help="write the OpenAI entries read, as JSON, to this file")
    args = ap.parse_args()
    try:
        as_of = datetime.date.fromisoformat(args.as_of)
    except ValueError:
        fail(f"--as-of {args.as_of!r} is not YYYY-MM-DD")

    if args.download:
        # A new folder each time, so that a newer version is never read beside an older one.
        top = tempfile.mkdtemp(prefix="pricing-sources-")
        args.litellm, args.genai = os.path.join(top, "litellm"), os.path.join(top, "genai-prices")
        for folder, dist in ((args.litellm, "litellm"), (args.genai, "genai-prices")):
            got = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", folder, dist]
            )
            if got.returncode != 0:
                fail(f"pip download {dist} failed (exit {got.returncode})")
        print(f"downloaded into {top}")
    lwhl, gwhl = wheel_in(args.litellm), wheel_in(args.genai)
    lit, lit_emb, lit_other, lpath = load_litellm(lwhl)
    g_by_id, g_names, g_find, g_other, g_emb, gpath = load_genai(gwhl, as_of)
    table = Table(args.table)
    meta = {
        "litellm": source_meta(lwhl, "litellm", lpath, as_of),
        "genai_prices": source_meta(gwhl, "genai-prices", gpath, as_of),
    }
    for key, m in meta.items():
        print(f"{key}: {m['package']} {m['version']} sha256 {m['wheel_sha256']} ({m['wheel']}), as of {as_of}")
    print(f"table: {os.path.relpath(args.table)} compiled {table.raw.get('compiled')}")

    # Every name either source lists, with what each says.
    names = sorted(
        set(lit) | {n for n, mid in g_names.items() if g_by_id[mid] and not n.startswith("text-embedding")}
    )
    per_name = {}
    for n in names:
        gid, exact = g_find(n)
        g = g_by_id.get(gid, {}) if gid else {}
        if not g:  # no token prices (per-minute, per-character models)
            gid = None
        per_name[n] = {"litellm": lit.get(n), "genai": g or None, "genai_id": gid, "genai_exact": exact}

    def values(n, tier, field):
        s = per_name[n]
        a = (s["litellm"] or {}).get(tier, {}).get(field)
        b = (s["genai"] or {}).get(tier, {}).get(field)
        return a, b

    def collapse(n):
        """A dated name that the table would look up under its base, where each number a source
        gives for it is that source's number for the base: reported under the base only."""
        m = DATE_SUFFIX.match(n)
        if not m or m.group(1) not in per_name:
            return False
        base = m.group(1)
        return all(
            x is None or x == y
            for t in TIERS
            for f in FIELDS
            for x, y in zip(values(n, t, f), values(base, t, f))
        )

    missing_models, missing_tiers, missing_fields, differ = [], [], [], []
    for n in names:
        if collapse(n):
            continue
        s = per_name[n]
        if not table.known(n):
            both = s["litellm"] is not None and s["genai"] is not None
            tiers = sorted(set(s["litellm"] or {}) | set(s["genai"] or {}), key=TIERS.index)
            missing_models.append((n, "BOTH" if both else ("litellm" if s["litellm"] else "genai"), tiers))
            continue
        for tier in TIERS:
            srcs = [(x or {}).get(tier) for x in (s["litellm"], s["genai"])]
            if not any(srcs):
                continue
            e = table.entry(n, tier)
            if e is None:
                a, b = values(n, tier, "input")
                missing_tiers.append((n, tier, mark(a, b), a, b))
                continue
            for field in FIELDS:
                a, b = values(n, tier, field)
                if a is None and b is None:
                    continue
                want = a if a is not None else b
                if field in e:
                    if not (same(e[field], a) or same(e[field], b)) or (a is not None and b is not None and not same(a, b)):
                        if same(e[field], a) and same(e[field], b):
                            continue
                        differ.append((n, tier, field, e[field], mark(a, b), a, b))
                else:
                    eff = Table.effective(e, field)
                    if not (same(eff, a) or same(eff, b)) or (
                        a is not None and b is not None and not same(eff, want)
                    ):
                        missing_fields.append((n, tier, field, eff, mark(a, b), a, b))

    def count(rows, i):
        return sum(1 for r in rows if r[i] == "BOTH")

    print(f"\n1. Models missing from the table: {len(missing_models)}, both sources list {count(missing_models, 1)}")
    for n, m, tiers in missing_models:
        s = per_name[n]
        std = [values(n, "standard", f) for f in ("input", "cached_input", "output")]
        shown = " / ".join(f"{fmt(a)}|{fmt(b)}" for a, b in std)
        print(f"  {m:8} {n:34} tiers {','.join(tiers):32} std in/cached/out litellm|genai {shown}"
              f"{'' if s['genai_exact'] or not s['genai_id'] else '  (genai by pattern: ' + s['genai_id'] + ')'}")
    print(f"\n2. (model, tier) prices missing: {len(missing_tiers)}, both sources agree on {count(missing_tiers, 2)}")
    for n, tier, m, a, b in missing_tiers:
        print(f"  {m:8} {n:34} {tier:9} input litellm {fmt(a)} genai {fmt(b)}")
    print(f"\n3. Fields missing whose fallback prices differently: {len(missing_fields)}, "
          f"both sources agree on {count(missing_fields, 4)}")
    for n, tier, field, eff, m, a, b in missing_fields:
        print(f"  {m:8} {n:34} {tier:9} {field:19} table falls back to {fmt(eff)}; litellm {fmt(a)} genai {fmt(b)}")
    print(f"\n4. Values that differ from the table: {len(differ)}, both sources agree on {count(differ, 4)}")
    for n, tier, field, have, m, a, b in differ:
        print(f"  {m[:8]:8} {n:34} {tier:9} {field:19} table {fmt(have)}; litellm {fmt(a)} genai {fmt(b)}")

    total = count(missing_models, 1) + count(missing_tiers, 2) + count(missing_fields, 4) + count(differ, 4)
    print(f"\nDefects on which both sources agree: {total}")

    print("\nSource tiers that are no table tier (not compared):")
    for n, t in sorted(lit_other.items()):
        print(f"  litellm {n}: {', '.join(t)}")
    for n, t in sorted(g_other.items()):
        print(f"  genai   {n}: {', '.join(t)}")

    print("\nEmbeddings (USD per 1M input tokens):")
    for n in sorted(set(lit_emb) | set(g_emb)):
        have = table.raw.get("embeddings", {}).get(n, {})
        for tier in ("standard", "batch"):
            a, b = lit_emb.get(n, {}).get(tier), g_emb.get(n, {}).get(tier)
            if a is None and b is None:
                continue
            ok = same(have.get(tier), a) or same(have.get(tier), b)
            print(f"  {'ok ' if ok else 'DIFF'} {n:28} {tier:8} table {fmt(have.get(tier))} litellm {fmt(a)} genai {fmt(b)}")

    forbidden = sorted(n for n in set(lit) | set(g_names) | set(g_by_id) if FORBIDDEN.match(n))
    print(f"\nModels named gpt-6.9* or gpt-7* in a source (never to be added): {forbidden or 'none'}")

    if args.fixture:
        fixture = {
            "_meta": {
                "what": "OpenAI completions token prices (USD per 1M tokens) as two third-party sources "
                "list them, read by scripts/pricing-sources.py; tiers standard, batch, flex, priority; "
                "fields as in crates/core/src/pricing/builtin.toml. A field a source does not state is absent.",
                "as_of": as_of.isoformat(),
                "sources": meta,
                "genai_prices_note": "prices in force on as_of; a batch/flex/priority field is the one "
                "the tier's variant states (genai-prices itself would fall back to the standard price "
                "for a field the variant leaves out)",
                "litellm_note": "exact key only (no pattern); *_batches/_flex/_priority fields; "
                "USD per token x 1e6 rounded to 10 significant digits",
            },
            "models": {
                n: {
                    k: v
                    for k, v in (
                        ("litellm", per_name[n]["litellm"]),
                        ("genai_prices", per_name[n]["genai"]),
                        ("genai_prices_id", per_name[n]["genai_id"]),
                    )
                    if v is not None
                }
                for n in names
            },
            "embeddings": {
                n: {k: v for k, v in (("litellm", lit_emb.get(n)), ("genai_prices", g_emb.get(n))) if v}
                for n in sorted(set(lit_emb) | set(g_emb))
            },
        }
        with open(args.fixture, "w") as f:
            json.dump(fixture, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"\nwrote {args.fixture}")


if __name__ == "__main__":
    main()
