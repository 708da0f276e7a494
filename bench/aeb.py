#!/usr/bin/env python3
"""Article-extraction benchmark: this project against the tools a user would pick instead.

    python bench/aeb.py PATH [--only NAME ...] [--json OUT] [--same-run-only] [--worst N]

PATH is a folder with ``ground-truth.json`` (``{id: {"articleBody", "url"}}``),
``html/<id>.html.gz`` and, for the text-mode rows, ``text/<id>.txt`` (the page
rendered as plain text); a checkout of the public article-extraction-benchmark
works for the HTML rows. All methods run in this one process on the same pages
and are scored with the benchmark's metric: per page, the multiset of 4-token
shingles (``\\w+`` tokens, case kept) of the output against the ground truth's,
tp/fp/fn normalised per page; precision and recall averaged over pages; F1 of
the two averages.

Two figures per row. "left out" is leave one site out: everything this
project fitted or tuned on these pages (the line model's weights, the HTML
mode's options and steps) is chosen again for each site group without its
pages, and the group's pages are cleaned with that choice. A site group is a
host, or hosts whose pages share one template (one publisher's sites):
holding out single pages would let a choice learn a site's layout from its
other pages. "same run" is the shipped choice on every page: a training score
for the rows with something fitted here. Rows with nothing fitted or tuned on
these pages have one figure.

With --worst N, the N text-mode pages of lowest F1 left out follow, each
with its site group: the average moved by 0.008 when one page's heuristic
labels changed (the line model refitted without each site learns from the
heuristics' output on the others), so a change is read page by page too.

Then every tuned choice is judged alone (unless --same-run-only): each
threshold of cleaner/data/heuristics.toml (in text mode, with the line model
refitted without the page's site), the line model itself, the HTML mode's
trafilatura options and steps. Each value gets its figures, and "chosen on
the other sites" is the figure of picking the value, for each site group, by
the F1 of the other groups: a value that wins only on the pages it is judged
on does not win there.

Rows:
  cleaner text        this project on text/<id>.txt (no URL: plain text has none)
  cleaner html        this project on html/<id>.html.gz
  c4 lines            C4's line rules on the text: keep lines ending in terminal
                      punctuation with at least 3 words, drop lines about
                      javascript or cookie/privacy/terms policies
  justext lines       jusText with one paragraph per line of the text, using the
                      stoplist of the page's language (langdetect, seeded)
  trafilatura         trafilatura.extract on the HTML with its defaults
  trafilatura precise trafilatura.extract with the options HTML mode passes it
                      (favor_precision, no comments: cleaner/steps/extract.py)
  text as is          the whole text, unchanged (the floor)
"""
from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

TOKEN = re.compile(r"\w+")
# Run from a checkout: the package beside this folder is the one measured.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


# --- the metric -------------------------------------------------------------------


def shingles(text: str, n: int = 4) -> Counter:
    tokens = TOKEN.findall(text or "")
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def page_counts(truth: str, prediction: str) -> tuple[float, float, float]:
    expected, got = shingles(truth), shingles(prediction)
    tp = sum((expected & got).values())
    fp = sum((got - expected).values())
    fn = sum((expected - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def figures(counts: list[tuple[float, float, float]]) -> dict[str, float]:
    """The benchmark's figures from pages' (tp, fp, fn)."""

    def ratio(a: float, b: float, exact: bool) -> float:
        return 1.0 if exact else (a / (a + b) if a + b else 0.0)

    precision = statistics.mean(ratio(tp, fp, fp == fn == 0) for tp, fp, fn in counts if tp + fp > 0)
    recall = statistics.mean(ratio(tp, fn, fp == fn == 0) for tp, fp, fn in counts if tp + fn > 0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall}


def score(truth: dict[str, str], predictions: dict[str, str]) -> dict[str, float]:
    return figures([page_counts(truth[k], predictions.get(k, "")) for k in truth])


# --- who is held out together -------------------------------------------------------

_CLASS_OR_ID = re.compile(rb"""\b(?:class|id)\s*=\s*["']([^"'<>]*)["']""", re.IGNORECASE)
# Hosts whose pages share at least this share of their class and id words
# (Jaccard) are one site group: one publisher's sites on one template. On the
# development pages the hosts of one publisher share 0.79 to 1.0 of them, and
# any other two hosts at most 0.14.
TEMPLATE_SHARE = 0.5


def host_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def site_groups(path: Path) -> dict[str, str]:
    """Page id -> its site group: the host of its URL, with hosts whose pages
    share a template joined ("a.com+b.com"); pages without a URL are each a
    group of their own."""
    _, urls = load(path)
    hosts = {k: host_of(u) or f"page {k}" for k, u in urls.items()}
    words: dict[str, set[bytes]] = {}
    for k, host in hosts.items():
        page = path / "html" / f"{k}.html.gz"
        found = words.setdefault(host, set())
        if page.is_file():
            found.update(w for m in _CLASS_OR_ID.findall(gzip.decompress(page.read_bytes())) for w in m.split())
    parent = {h: h for h in words}

    def root(h: str) -> str:
        while parent[h] != h:
            h = parent[h]
        return h

    names = sorted(words)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            union = words[a] | words[b]
            if union and len(words[a] & words[b]) / len(union) >= TEMPLATE_SHARE:
                parent[root(b)] = root(a)
    members: dict[str, list[str]] = {}
    for h in names:
        members.setdefault(root(h), []).append(h)
    name = {h: "+".join(members[root(h)]) for h in names}
    return {k: name[h] for k, h in hosts.items()}


def chosen_on_other_sites(
    counts: dict, site: dict[str, str], shipped: object = None
) -> tuple[dict[str, float], Counter]:
    """Each site group's pages as the value chosen on the other groups would
    leave them: `counts` is value -> page -> (tp, fp, fn); a tie goes to the
    `shipped` value. Also how often each value was chosen."""
    chosen: dict[str, tuple[float, float, float]] = {}
    picks: Counter = Counter()
    order = sorted(counts, key=lambda v: v != shipped)  # max() keeps the first of equals
    for group in sorted(set(site.values())):
        others = [k for k in site if site[k] != group]
        best = max(order, key=lambda v: figures([counts[v][k] for k in others])["f1"])
        picks[best] += 1
        chosen.update({k: counts[best][k] for k in site if site[k] == group})
    return figures([chosen[k] for k in site]), picks


# --- the methods --------------------------------------------------------------------

C4_POLICY = re.compile(r"javascript|cookie policy|privacy policy|terms of use|uses cookies|use of cookies", re.I)
C4_TERMINAL = re.compile(r"""[.!?"”]\s*$""")


def c4_lines(text: str) -> str:
    kept = []
    for line in text.split("\n"):
        line = line.strip()
        if len(line.split()) >= 3 and C4_TERMINAL.search(line) and not C4_POLICY.search(line):
            kept.append(line)
    return "\n".join(kept)


def justext_lines(text: str, detector) -> str:
    import justext

    from cleaner.steps.heuristics import STOPLIST_NAMES

    code = detector.detect(text, 4000).code or "en"
    stoplist = justext.get_stoplist(STOPLIST_NAMES.get(code, "English"))
    page = "<html><body>" + "".join(f"<p>{html.escape(l)}</p>" for l in text.split("\n") if l.strip()) + "</body></html>"
    return "\n".join(p.text for p in justext.justext(page.encode("utf-8"), stoplist, encoding="utf-8") if not p.is_boilerplate)


def justext_english_lines(text: str) -> str:
    """jusText with one paragraph per line and the English stoplist."""
    import justext

    page = "<html><body>" + "".join(f"<p>{html.escape(l)}</p>" for l in text.split("\n") if l.strip()) + "</body></html>"
    stoplist = justext.get_stoplist("English")
    return "\n".join(p.text for p in justext.justext(page.encode("utf-8"), stoplist, encoding="utf-8") if not p.is_boilerplate)


def trafilatura_default(page: bytes) -> str:
    import trafilatura

    return trafilatura.extract(page) or ""


class MemoExtractor:
    """HTML mode's extraction with some trafilatura options replaced, each
    page extracted once however many variants of the later steps read it."""

    def __init__(self, **overrides: object) -> None:
        self.overrides = overrides
        self.done: dict[tuple[str | None, str], str] = {}

    def __call__(self, page: str, url: str | None = None) -> str:
        from cleaner.steps.extract import trafilatura_text

        key = (url, page)
        if key not in self.done:
            self.done[key] = trafilatura_text(page, url, **self.overrides)
        return self.done[key]


# --- the tuned choices, one at a time ------------------------------------------------

# Values tried for each threshold of heuristics.toml besides the shipped one:
# about a third below and above it (whole words for counts); a threshold that
# is off by default (0) is tried on.
THRESHOLDS_OFF_TRIED = {"inline_headline_min_words": (12, 16)}


def threshold_values(name: str, value: float) -> list[float]:
    if name in THRESHOLDS_OFF_TRIED and not value:
        return [value, *THRESHOLDS_OFF_TRIED[name]]
    if isinstance(value, int):
        lower, higher = max(1, round(value * 0.7)), max(round(value * 1.4), value + 1)
        return sorted({value, lower, higher})
    return sorted({value, round(value * 0.7, 3), round(value * 1.4, 3)})


# HTML mode's alternatives: the extraction, and which line steps follow it.
HTML_STEPS = {
    "all": {},
    "no heuristics": {"heuristics": False},
    "no dedupe": {"dedupe": False},
    "no rules": {"builtin_rules": False},
    "none": {"heuristics": False, "dedupe": False, "builtin_rules": False},
}
TRAFILATURA_FOCUS = {"favor_precision": {}, "balanced": {"favor_precision": False}}
SHIPPED_HTML = ("block model", "all")


class BlockExtractor:
    """HTML mode's extraction from the pages' tables worked out once
    (bench/fit_block_model.py), with a model per page: the shipped one, or
    the one fitted without the page's site."""

    def __init__(self, tables, urls: dict[str, str], model_of) -> None:
        self.tables = tables
        self.page_of = {u: k for k, u in urls.items()}
        self.model_of = model_of

    def __call__(self, page: str, url: str | None = None) -> str:
        from cleaner.steps.extract import select_blocks

        k = self.page_of[url]
        return select_blocks(self.tables[k], self.model_of(k))


def judge_html(path: Path, truth, pages, urls, site) -> tuple[dict, list[dict]]:
    """Every combination of HTML mode's extraction and line steps on every
    page; the block model's left-out figures come from models fitted without
    the page's site. The 'cleaner html' left-out figure is the combination
    chosen on the other sites."""
    import fit_block_model

    import cleaner
    from cleaner.steps.blockmodel import load_block_model

    block_pages = fit_block_model.Pages(path)
    models = fit_block_model.fit_leaving_out_sites(block_pages)
    shipped = load_block_model()
    extractions = {"block model": (BlockExtractor(block_pages.tables, urls, lambda k: models[site[k]]),
                                   BlockExtractor(block_pages.tables, urls, lambda k: shipped))}
    for focus, overrides in TRAFILATURA_FOCUS.items():
        extractor = MemoExtractor(**overrides)
        extractions[f"trafilatura {focus}"] = (extractor, extractor)
    counts: dict[str, dict] = {}
    rows = []
    for extraction, (left_extractor, same_extractor) in extractions.items():
        for steps, config in HTML_STEPS.items():
            name = f"{extraction}, {steps}"
            figures_of = {}
            for kind, extractor in (("left_out", left_extractor), ("same_run", same_extractor)):
                if kind == "same_run" and extractor is left_extractor:
                    figures_of[kind] = figures_of["left_out"]
                    continue
                tool = cleaner.Cleaner(html_extractor=extractor, score_spun=False, **config)
                out = {k: tool.clean(pages[k], content_type="text/html", url=urls[k]).text for k in truth}
                page_figures = {k: page_counts(truth[k], out[k]) for k in truth}
                if kind == "left_out":
                    counts[name] = page_figures
                figures_of[kind] = figures(list(page_figures.values()))
            rows.append({"choice": "html: extraction, line steps", "value": name,
                         "shipped": (extraction, steps) == SHIPPED_HTML, **figures_of})
    left_out, picks = chosen_on_other_sites(counts, site, ", ".join(SHIPPED_HTML))
    rows.append({"choice": "html: extraction, line steps", "value": "chosen on the other sites",
                 "left_out": left_out, "picks": dict(picks)})
    return left_out, rows


def judge_text(path: Path, truth) -> tuple[dict, list[dict], dict]:
    """The line model and each threshold, in text mode. The line model is
    refitted for each site group without it (bench/fit_line_model.py); each
    threshold's values are then tried with those models (and with the shipped
    one, for the same-run figure), the model not refitted for the value.
    Also each page's (tp, fp, fn) left out, for --worst."""
    import fit_line_model

    import cleaner
    from cleaner.steps.linemodel import load_line_model, neutral_model

    pages = fit_line_model.Pages(path)
    site = pages.site
    models = fit_line_model.fit_leaving_out_sites(pages)
    shipped = load_line_model()

    def run(data, per_site: bool, model=None) -> dict[str, tuple[float, float, float]]:
        tool = cleaner.Cleaner(heuristics_data=data, score_spun=False)
        out = {}
        for k in pages.ids:
            tool.line_model = models[site[k]] if per_site else (model or shipped)
            out[k] = page_counts(truth[k], tool.clean(pages.texts[k], content_type="text/plain").text)
        return out

    rows = []
    base = pages.data
    left = run(base, True)
    left_out = figures(list(left.values()))
    rows.append({"choice": "text: line model", "value": "fitted (without the site / on all pages)", "shipped": True,
                 "left_out": left_out, "same_run": figures(list(run(base, False).values()))})
    none = figures(list(run(base, False, neutral_model()).values()))
    rows.append({"choice": "text: line model", "value": "none (keeps every prose line)", "left_out": none, "same_run": none})
    for name, value in sorted(base.thresholds.items()):
        counts = {}
        for v in threshold_values(name, value):
            data = base.with_thresholds(((name, v),))
            counts[v] = run(data, True) if v != value else left
            same = figures(list(run(data, False).values()))
            rows.append({"choice": f"text: {name}", "value": v, "shipped": v == value,
                         "left_out": figures(list(counts[v].values())), "same_run": same})
        chosen, picks = chosen_on_other_sites(counts, site, value)
        rows.append({"choice": f"text: {name}", "value": "chosen on the other sites", "left_out": chosen,
                     "picks": {str(k): n for k, n in picks.items()}})
    return left_out, rows, left


# --- running ----------------------------------------------------------------------------


def load(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    data = json.loads((path / "ground-truth.json").read_text(encoding="utf-8"))
    return {k: v.get("articleBody") or "" for k, v in data.items()}, {k: v.get("url") or "" for k, v in data.items()}


def _f(fig: dict | None, key: str = "f1") -> str:
    return f"{fig[key]:.3f}" if fig else "  -  "


def _page_figures(counts: tuple[float, float, float], page: str) -> tuple[float, float, float, str]:
    """(F1, precision, recall, page) of one page's shingle shares; a page
    with nothing kept and nothing to keep counts as right."""
    tp, fp, fn = counts
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall, page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path, help="benchmark folder (ground-truth.json, html/, text/)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these rows (e.g. 'cleaner text')")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures as JSON")
    parser.add_argument("--same-run-only", action="store_true",
                        help="skip the left-out figures and the tuned choices (seconds instead of minutes)")
    parser.add_argument("--worst", type=int, default=0, metavar="N",
                        help="also list the N pages of lowest F1 left out in text mode, with their site group: "
                             "a change that moves the average may move only one page")
    args = parser.parse_args(argv)

    if not (args.path / "ground-truth.json").is_file():
        parser.error(f"{args.path}: no ground-truth.json")
    truth, urls = load(args.path)
    has_text = (args.path / "text").is_dir()
    texts = {k: (args.path / "text" / f"{k}.txt").read_bytes() for k in truth} if has_text else {}
    pages = {k: gzip.decompress((args.path / "html" / f"{k}.html.gz").read_bytes()) for k in truth}
    site = site_groups(args.path)

    import cleaner
    from cleaner.steps.decode import decode
    from cleaner.steps.extract import trafilatura_text
    from cleaner.steps.language import LanguageDetector

    tool = cleaner.Cleaner()
    detector = LanguageDetector()
    methods = {
        "cleaner text": ("text", lambda k: tool.clean(texts[k], content_type="text/plain").text),
        "cleaner html": ("html", lambda k: tool.clean(pages[k], content_type="text/html", url=urls[k]).text),
        "c4 lines": ("text", lambda k: c4_lines(texts[k].decode("utf-8", "replace"))),
        "justext lines": ("text", lambda k: justext_lines(texts[k].decode("utf-8", "replace"), detector)),
        "trafilatura": ("html", lambda k: trafilatura_default(pages[k])),
        "trafilatura precise": ("html", lambda k: trafilatura_text(decode(pages[k])[0], urls[k])),
        "text as is": ("text", lambda k: texts[k].decode("utf-8", "replace")),
    }
    chosen = args.only or list(methods)
    unknown = set(chosen) - set(methods)
    if unknown:
        parser.error(f"unknown row(s): {', '.join(sorted(unknown))}; rows: {', '.join(methods)}")

    groups = sorted(set(site.values()))
    shared = [g for g in groups if "+" in g]
    print(f"{len(truth)} pages from {args.path}: {len(groups)} site groups of "
          f"{len(set(host_of(u) for u in urls.values()))} hosts" + (f" (sharing a template: {', '.join(shared)})" if shared else ""))
    choices: list[dict] = []
    left_out: dict[str, dict] = {}
    text_pages: dict[str, tuple] = {}
    if not args.same_run_only:
        # The choices first: the left-out figures of the rows come from them.
        if "cleaner text" in chosen and has_text:
            left_out["cleaner text"], rows, text_pages = judge_text(args.path, truth)
            choices += rows
        if "cleaner html" in chosen:
            left_out["cleaner html"], rows = judge_html(args.path, truth, pages, urls, site)
            choices += rows
        if "trafilatura precise" in chosen:
            # The options were chosen on these pages too: which focus, on the other sites?
            counts = {}
            for focus, overrides in TRAFILATURA_FOCUS.items():
                counts[focus] = {k: page_counts(truth[k], trafilatura_text(decode(pages[k])[0], urls[k], **overrides)) for k in truth}
            left_out["trafilatura precise"], _ = chosen_on_other_sites(counts, site, "favor_precision")

    # Warm every method up once so that import and loading time is not counted.
    first = next(iter(truth))
    rows = []
    print(f"{'input':5} {'method':19} {'F1 left out':>11} {'F1 same run':>11} {'P':>6} {'R':>6} {'docs/s':>8}")
    for name in chosen:
        kind, run = methods[name]
        if kind == "text" and not has_text:
            print(f"{kind:5} {name:19} skipped: no text/ folder")
            continue
        run(first)
        start = time.perf_counter()
        predictions = {k: run(k) for k in truth}
        elapsed = time.perf_counter() - start
        same = score(truth, predictions)
        held = left_out.get(name, same if name not in ("cleaner text", "cleaner html", "trafilatura precise") else None)
        rows.append({"input": kind, "method": name, **same, "left_out": held, "docs_per_s": len(truth) / elapsed})
        print(f"{kind:5} {name:19} {_f(held):>11} {same['f1']:11.3f} {same['precision']:6.3f} {same['recall']:6.3f} {len(truth) / elapsed:8.1f}")
        sys.stdout.flush()
    if choices:
        print("\ntuned choices, one at a time (* shipped): F1 left out / same run (P, R left out)")
        for c in choices:
            mark = "*" if c.get("shipped") else " "
            picks = f"  picked: {', '.join(f'{v} x{n}' for v, n in c['picks'].items())}" if "picks" in c else ""
            lo = c.get("left_out")
            extra = f" ({lo['precision']:.3f}, {lo['recall']:.3f})" if lo else ""
            print(f"{c['choice']:38} {mark}{str(c['value']):42} {_f(lo):>6} / {_f(c.get('same_run'))}{extra}{picks}")
    if args.worst and text_pages:
        print(f"\ntext mode, the {args.worst} pages of lowest F1 left out: F1 (P, R), page, site group")
        for f1, precision, recall, k in sorted(_page_figures(c, k) for k, c in text_pages.items())[: args.worst]:
            print(f"{f1:.3f} ({precision:.3f}, {recall:.3f})  {k}  {site[k]}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "choices": choices, "site_groups": site}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
