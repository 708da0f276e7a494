#!/usr/bin/env python3
"""Article-extraction benchmark: this project against the tools a user would pick instead.

    python bench/aeb.py PATH [--only NAME ...] [--json OUT]

PATH is a folder with ``ground-truth.json`` (``{id: {"articleBody", "url"}}``),
``html/<id>.html.gz`` and, for the text-mode rows, ``text/<id>.txt`` (the page
rendered as plain text); a checkout of the public article-extraction-benchmark
works for the HTML rows. All methods run in this one process on the same pages
and are scored with the benchmark's metric: per page, the multiset of 4-token
shingles (``\\w+`` tokens, case kept) of the output against the ground truth's,
tp/fp/fn normalised per page; precision and recall averaged over pages; F1 of
the two averages.

Rows:
  cleaner text    this project on text/<id>.txt (no URL: plain text has none)
  cleaner html    this project on html/<id>.html.gz
  c4 lines        C4's line rules on the text: keep lines ending in terminal
                  punctuation with at least 3 words, drop lines about
                  javascript or cookie/privacy/terms policies
  justext lines   jusText with one paragraph per line of the text, using the
                  stoplist of the page's language (langdetect, seeded)
  trafilatura     trafilatura.extract on the HTML with its defaults
  text as is      the whole text, unchanged (the floor)
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


def score(truth: dict[str, str], predictions: dict[str, str]) -> dict[str, float]:
    counts = [page_counts(truth[k], predictions.get(k, "")) for k in truth]

    def ratio(a: float, b: float, exact: bool) -> float:
        return 1.0 if exact else (a / (a + b) if a + b else 0.0)

    precision = statistics.mean(ratio(tp, fp, fp == fn == 0) for tp, fp, fn in counts if tp + fp > 0)
    recall = statistics.mean(ratio(tp, fn, fp == fn == 0) for tp, fp, fn in counts if tp + fn > 0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall}


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


# --- running ----------------------------------------------------------------------------


def load(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    data = json.loads((path / "ground-truth.json").read_text(encoding="utf-8"))
    return {k: v.get("articleBody") or "" for k, v in data.items()}, {k: v.get("url") or "" for k, v in data.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path, help="benchmark folder (ground-truth.json, html/, text/)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these rows (e.g. 'cleaner text')")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures as JSON")
    args = parser.parse_args(argv)

    if not (args.path / "ground-truth.json").is_file():
        parser.error(f"{args.path}: no ground-truth.json")
    truth, urls = load(args.path)
    has_text = (args.path / "text").is_dir()
    texts = {k: (args.path / "text" / f"{k}.txt").read_bytes() for k in truth} if has_text else {}
    pages = {k: gzip.decompress((args.path / "html" / f"{k}.html.gz").read_bytes()) for k in truth}

    import cleaner
    from cleaner.steps.language import LanguageDetector

    tool = cleaner.Cleaner()
    detector = LanguageDetector()
    methods = {
        "cleaner text": ("text", lambda k: tool.clean(texts[k], content_type="text/plain").text),
        "cleaner html": ("html", lambda k: tool.clean(pages[k], content_type="text/html", url=urls[k]).text),
        "c4 lines": ("text", lambda k: c4_lines(texts[k].decode("utf-8", "replace"))),
        "justext lines": ("text", lambda k: justext_lines(texts[k].decode("utf-8", "replace"), detector)),
        "trafilatura": ("html", lambda k: trafilatura_default(pages[k])),
        "text as is": ("text", lambda k: texts[k].decode("utf-8", "replace")),
    }
    chosen = args.only or list(methods)
    unknown = set(chosen) - set(methods)
    if unknown:
        parser.error(f"unknown row(s): {', '.join(sorted(unknown))}; rows: {', '.join(methods)}")

    # Warm every method up once so that import and loading time is not counted.
    first = next(iter(truth))
    rows = []
    print(f"{len(truth)} pages from {args.path}")
    print(f"{'input':5} {'method':14} {'F1':>6} {'P':>6} {'R':>6} {'docs/s':>8}")
    for name in chosen:
        kind, run = methods[name]
        if kind == "text" and not has_text:
            print(f"{kind:5} {name:14} skipped: no text/ folder")
            continue
        run(first)
        start = time.perf_counter()
        predictions = {k: run(k) for k in truth}
        elapsed = time.perf_counter() - start
        figures = score(truth, predictions)
        rows.append({"input": kind, "method": name, **figures, "docs_per_s": len(truth) / elapsed})
        print(f"{kind:5} {name:14} {figures['f1']:6.3f} {figures['precision']:6.3f} {figures['recall']:6.3f} {len(truth) / elapsed:8.1f}")
        sys.stdout.flush()
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
