"""A false-alarm set for the spun scorer: real, unspun English text of
genres other than news, as it lies on a Debian machine.

    python bench/genre_set.py [--out FILE.json]      # prints the counts

=============  ==============================================================
genre          documents
=============  ==============================================================
docstrings     the docstrings of a Python standard-library module (its own,
               its classes' and functions'), one document per module
man            a manual page as ``man`` renders it (sections 1, 5, 7 and 8;
               Debian's ``manpages`` and the tools installed)
debian         a package's long description from dpkg's status file (the
               packages installed on the machine)
fortunes       20 entries in a row of one of Debian's ``fortunes`` files
               (quotations, literature, jokes), each entry a paragraph
web            an article-extraction benchmark page's article body (the
               English pages the scorer's weights were not fitted on: odd ones)
man3           a library manual page (section 3), rendered as above
readme         a README under /usr/share/doc (plain or gzip'd), of 150+ words
=============  ==============================================================

The last two were added once the scorer was settled and measured once, so
no choice was made while looking at them: all their documents count (both
halves).

A document is a list of paragraphs, each joined onto one line, as the
pipeline's lines are. Every genre is split in two by a hash of the
document's name: "dev" documents may be read while working on the scorer,
"test" documents are only counted; the figures that matter are the test
ones. The documents are drawn the same way on every run (spread evenly over
the sorted names, a fixed number per genre), so two runs on one machine
give the same set.
"""
from __future__ import annotations

import argparse
import ast
import gzip
import hashlib
import json
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

FORTUNES = Path("/usr/share/games/fortunes")
MAN = Path("/usr/share/man")
DPKG_STATUS = Path("/var/lib/dpkg/status")
DOC = Path("/usr/share/doc")
MAN_SECTIONS = ("man1", "man5", "man7", "man8")
# Documents per genre at most (the first of a sorted list): enough for a
# rate of 1% to mean something, few enough to score in a minute.
MAX_DOCUMENTS = 400
# A man page is rendered at this width, then its lines rejoined.
MAN_WIDTH = "200"
MIN_PARAGRAPH_WORDS = 30
# Library man pages rendered for the unseen genres (the same number as the
# one-off measurement that first counted them).
UNSEEN_DOCUMENTS = 300
# Genres whose every document is a test document (see the docstring).
UNSEEN_GENRES = frozenset({"man3", "readme"})
# A fortune file holds hundreds of entries; a document is a run of this
# many of them, about a page of quotations.
FORTUNES_PER_DOCUMENT = 20


def half(name: str) -> str:
    """"dev" or "test", by a hash of the document's name; every document of
    an unseen genre is a test one."""
    if name.split("/", 1)[0] in UNSEEN_GENRES:
        return "test"
    return "test" if hashlib.sha256(name.encode()).digest()[0] % 2 else "dev"


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks, each joined onto one line."""
    blocks = re.split(r"\n\s*\n", text)
    return [" ".join(block.split()) for block in blocks if block.strip()]


def docstrings() -> dict[str, list[str]]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    documents = {}
    for path in sorted(stdlib.glob("*.py")) + sorted(stdlib.glob("*/__init__.py")):
        if path.name.startswith("_") and path.name != "__init__.py":
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        paragraphs = []
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                text = ast.get_docstring(node)
                if text:
                    paragraphs.extend(_paragraphs(text))
        if paragraphs:
            documents[f"docstrings/{path.relative_to(stdlib)}"] = paragraphs
    return documents


def man_pages() -> dict[str, list[str]]:
    pages = sorted(p for section in MAN_SECTIONS for p in (MAN / section).glob("*.gz"))
    pages = _evenly(pages, MAX_DOCUMENTS * 2)  # twice: short pages are left out
    documents = {}
    for path in pages:
        paragraphs = _render(path)
        if paragraphs and sum(len(p.split()) for p in paragraphs) >= 300:  # long pages: a short one has no prose
            documents[f"man/{path.parent.name}/{path.name}"] = paragraphs
    return documents


def _render(path: Path) -> list[str] | None:
    try:
        raw = subprocess.run(
            ["man", "-l", str(path)], capture_output=True, timeout=20, check=False,
            env={"MANWIDTH": MAN_WIDTH, "MAN_KEEP_FORMATTING": "0", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        ).stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return None
    return _paragraphs(re.sub(r".\x08", "", raw))  # overstrike bold and underline


def library_man_pages() -> dict[str, list[str]]:
    pages = _evenly(sorted((MAN / "man3").glob("*.gz")), UNSEEN_DOCUMENTS)
    documents = {}
    for path in pages:
        paragraphs = _render(path)
        if paragraphs and sum(len(p.split()) for p in paragraphs) >= 300:
            documents[f"man3/{path.name}"] = paragraphs
    return documents


def readmes() -> dict[str, list[str]]:
    documents = {}
    for path in sorted(DOC.glob("*/README*")):
        try:
            raw = path.read_bytes()
            text = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8", "replace")
        except (OSError, EOFError, gzip.BadGzipFile):
            continue
        paragraphs = _paragraphs(text)
        if sum(len(p.split()) for p in paragraphs) >= 150:
            documents[f"readme/{path.parent.name}/{path.name}"] = paragraphs
    return documents


def debian_descriptions() -> dict[str, list[str]]:
    documents = {}
    package = None
    lines: list[str] = []
    reading = False

    def flush():
        if package and lines:
            text = "\n".join(" " if line == "." else line for line in lines)
            documents[f"debian/{package}"] = _paragraphs(text)

    for line in DPKG_STATUS.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("Package: "):
            flush()
            package, lines, reading = line.split(": ", 1)[1], [], False
        elif line.startswith("Description: "):
            reading = True
        elif reading and line.startswith(" "):
            lines.append(line.strip())
        else:
            reading = False
    flush()
    return documents


def fortunes() -> dict[str, list[str]]:
    documents = {}
    for path in sorted(FORTUNES.glob("*")):
        if path.suffix or path.is_dir() or not (path.parent / (path.name + ".dat")).exists():
            continue
        entries = path.read_text(encoding="utf-8", errors="replace").split("\n%\n")
        paragraphs = [" ".join(entry.split()) for entry in entries if entry.strip()]
        for start in range(0, len(paragraphs), FORTUNES_PER_DOCUMENT):
            documents[f"fortunes/{path.name}/{start // FORTUNES_PER_DOCUMENT:04d}"] = paragraphs[start : start + FORTUNES_PER_DOCUMENT]
    return documents


def web(bench: Path) -> dict[str, list[str]]:
    """The benchmark's English pages that bench/spun_eval.py holds out of the
    fit (the odd ones); the others are not scored by the pipeline."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from cleaner.steps.language import LanguageDetector

    detector = LanguageDetector()
    truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
    documents = {}
    for page, key in enumerate(sorted(truth)):
        body = truth[key]["articleBody"]
        if page % 2 == 1 and detector.detect(body, 2000).code == "en":
            documents[f"web/{key}"] = [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]
    return documents


def build(bench: Path | None) -> dict[str, dict[str, list[str]]]:
    """genre -> {document name: paragraphs}."""
    genres = {
        "docstrings": docstrings(),
        "man": man_pages(),
        "debian": debian_descriptions(),
        "fortunes": fortunes(),
    }
    if bench is not None and (bench / "ground-truth.json").is_file():
        genres["web"] = web(bench)
    genres["man3"] = library_man_pages()
    genres["readme"] = readmes()
    return {genre: dict(_evenly(sorted(docs.items()), MAX_DOCUMENTS)) for genre, docs in genres.items()}


def _evenly(items: list, count: int) -> list:
    """`count` of `items` spread evenly over the sorted list (all if fewer),
    so that every file and section of a genre has its share."""
    if len(items) <= count:
        return items
    return [items[i * len(items) // count] for i in range(count)]


def load(path: Path | None, bench: Path | None) -> dict[str, dict[str, list[str]]]:
    """The set from `path` (written by --out) if given and present, else built."""
    if path is not None and path.is_file():
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return json.load(handle)
    return build(bench)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "bench" / "aeb-dev")
    parser.add_argument("--out", type=Path, help="write the set here (gzip JSON)")
    args = parser.parse_args(argv)
    genres = build(args.bench)
    for genre, documents in genres.items():
        paragraphs = [p for doc in documents.values() for p in doc if len(p.split()) >= MIN_PARAGRAPH_WORDS]
        print(f"{genre:11} {len(documents):4} documents, {len(paragraphs):5} paragraphs of {MIN_PARAGRAPH_WORDS}+ words")
    if args.out:
        with gzip.open(args.out, "wt", encoding="utf-8") as handle:
            json.dump(genres, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
