#!/usr/bin/env python3
"""Throughput benchmark: this project's batch command against the passes a user
would otherwise run, each as a whole command over the same documents.

    python bench/throughput.py PATH [--copies N] [--jobs N] [--stream-mb MB] [--rounds N] [--json OUT]

PATH is a folder with ``text/<id>.txt`` and ``html/<id>.html.gz`` (the
development pages of the article benchmark). The script writes them as JSONL
(``{"id", "text"}`` and ``{"id", "html"}`` records, the pages `--copies`
times over) and times each row as a separate process, start-up and imports
included, reading that JSONL and writing one:

  cleaner --jobs 1        `cleaner clean pages.jsonl -o OUT --jobs 1`
  cleaner --jobs N        the same on N worker processes (default: all cores)
  cleaner, spun off       --jobs 1 with `--no-spun`: what scoring spun text costs
  ftfy.fix_text           a bare `ftfy.fix_text` of each document's text
  c4 lines                C4's line rules (bench/aeb.py's `c4_lines`)
  justext english         jusText with one paragraph per line and the English
                          stoplist: the peer a user would run instead
  justext lines           the same with each page's language detected by
                          langdetect (seeded) for its stoplist
  trafilatura html        `trafilatura.extract` of each page's HTML

With `--rounds N` every row runs N times, the rows in turn, and the figures
are each row's median time. The headline ratios follow: how fast each
cleaner row is against jusText (English stoplist, and with the language
detected), --jobs N against --jobs 1, and --jobs 1 against bare ftfy (the
long-run goal), each the median of the rounds' ratios, both sides of a
ratio run in the same round; and what spun scoring adds.

Before the rows, this checkout's package and the scripts here are
byte-compiled, as pip compiles an installed package (and the peers').

The cleaner rows read their tables from a table cache (cleaner/tablecache.py)
of the run's own, filled before the first row, as any run after a machine's
first does; with `--cold` every process builds them, as the first run does.

MB/s is the documents' text in UTF-8 (for the HTML row, the HTML) over wall
time. Peak memory is the most the whole process tree held at once (the sum of
every process's resident set, sampled every 0.1 s), in brackets the most any
one process held, and then the most the tree held by proportional set size
(PSS: a page that processes share, such as a library's code or the tables
forked workers share with their parent, divided among them rather than
counted in each): what the run takes from the machine.

`--stream-mb` then cleans one JSONL file of about that many megabytes with
--jobs 1 and --jobs N (or `--stream-jobs`) and prints the same figures: the
memory of a long stream. The default is small so the script runs in minutes;
`--only stream --stream-mb 1000 --stream-jobs 2` is the gigabyte run.
"""
from __future__ import annotations

import argparse
import compileall
import gzip
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))


# --- one pass of a peer, run as its own process: `throughput.py --pass NAME IN OUT`


def run_pass(name: str, source: Path, target: Path) -> None:
    """Read JSONL records, apply one tool to each, write JSONL records."""
    import aeb

    if name == "ftfy":
        import ftfy

        apply = ftfy.fix_text
    elif name == "c4":
        apply = aeb.c4_lines
    elif name == "justext":
        apply = lambda text: aeb.justext_lines(text, _Langdetect())  # noqa: E731
    elif name == "justext-en":
        apply = aeb.justext_english_lines
    elif name == "trafilatura":
        apply = lambda page: aeb.trafilatura_default(page.encode("utf-8"))  # noqa: E731
    else:
        raise SystemExit(f"unknown pass {name!r}")
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        for line in lines:
            record = json.loads(line)
            body = record.get("text") if "text" in record else record["html"]
            out.write(json.dumps({"id": record["id"], "text": apply(body)}, ensure_ascii=False) + "\n")


class _Langdetect:
    """langdetect itself (seeded), as a peer's pipeline detects a language."""

    def detect(self, text: str, chars: int):
        from langdetect import DetectorFactory, detect
        from langdetect.lang_detect_exception import LangDetectException

        from cleaner.result import Language

        DetectorFactory.seed = 0
        try:
            return Language(detect(text[:chars]), None)
        except LangDetectException:
            return Language(None, None)


# --- measuring a command -----------------------------------------------------------


def _tree_memory(root: int) -> tuple[int, int, int]:
    """(resident sum, largest resident, proportional sum) in bytes of `root`
    and all its descendants.

    The resident sets count a page shared by several processes (a library's
    code, the tables a forked worker shares with its parent) once in each;
    the proportional set size (PSS) divides each page among the processes
    that share it, so its sum is what the tree takes from the machine."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
                parents.setdefault(int(fields[1]), []).append(int(entry))
            except (OSError, IndexError):
                continue
    total = largest = proportional = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        stack.extend(parents.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                rss = int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError):  # gone since the listing
            continue
        proportional += _pss(pid)
        total += rss
        largest = max(largest, rss)
    return total, largest, proportional


def _pss(pid: int) -> int:
    """A process's proportional set size in bytes (0 where the kernel does
    not say: before Linux 4.14, or the process has gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment for a row's command: this checkout's
    package first, and `extra` (the table cache's folder)."""
    return {**os.environ, "PYTHONPATH": str(ROOT), **(extra or {})}


def measure(command: list[str], env: dict[str, str] | None = None) -> dict:
    """Wall seconds and peak memory of a command (run to completion), with
    `env` added to this process's environment."""
    peak = {"tree": 0, "process": 0, "pss": 0}
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env=child_env(env))
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            total, largest, proportional = _tree_memory(process.pid)
            peak["tree"] = max(peak["tree"], total)
            peak["process"] = max(peak["process"], largest)
            peak["pss"] = max(peak["pss"], proportional)
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode not in (0, 1):  # 1: some documents failed, which is data, not a crash
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{err}")
    return {
        "seconds": seconds,
        "peak_tree_mb": peak["tree"] / 1e6,
        "peak_process_mb": peak["process"] / 1e6,
        "peak_pss_mb": peak["pss"] / 1e6,
    }


# --- the corpus ---------------------------------------------------------------------------


def write_corpus(path: Path, folder: Path, copies: int) -> dict[str, dict]:
    ids = sorted(p.stem for p in (path / "text").glob("*.txt"))
    texts = {k: (path / "text" / f"{k}.txt").read_bytes().decode("utf-8", "replace") for k in ids}
    pages = {k: gzip.decompress((path / "html" / f"{k}.html.gz").read_bytes()).decode("utf-8", "replace") for k in ids}
    sizes = {}
    for name, field, bodies in (("pages.jsonl", "text", texts), ("html.jsonl", "html", pages)):
        with (folder / name).open("w", encoding="utf-8") as out:
            for copy in range(copies):
                for k in ids:
                    out.write(json.dumps({"id": f"{k}-{copy}", field: bodies[k]}, ensure_ascii=False) + "\n")
        sizes[name] = {"docs": len(ids) * copies, "bytes": copies * sum(len(b.encode("utf-8")) for b in bodies.values())}
    return sizes


def write_stream(source: Path, target: Path, megabytes: float) -> dict:
    """A JSONL of about `megabytes`, the records of `source` over and over."""
    records = source.read_text(encoding="utf-8").splitlines(keepends=True)
    docs = size = 0
    with target.open("w", encoding="utf-8") as out:
        while size < megabytes * 1e6:
            for line in records:
                record = json.loads(line)
                record["id"] = f"{record['id']}-{docs}"
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                docs += 1
                size += len(record["text"].encode("utf-8"))
    return {"docs": docs, "bytes": size, "file_bytes": target.stat().st_size}


# --- the run ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--pass"]:
        run_pass(argv[1], Path(argv[2]), Path(argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path, help="folder with text/ and html/ (the development pages)")
    parser.add_argument("--copies", type=int, default=10, help="how many times over the pages are cleaned (default 10)")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)), help="the parallel row's workers")
    parser.add_argument("--stream-mb", type=float, default=20.0, help="size of the long JSONL stream (default 20)")
    parser.add_argument("--stream-jobs", type=int, nargs="+", metavar="N",
                        help="clean the stream with these --jobs (default: 1 and --jobs)")
    parser.add_argument("--only", nargs="+", metavar="ROW", help="run only rows whose name starts with these")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the rows this many times, in turn, and report each row's median time "
                        "(a shared machine's speed drifts; rows run in turn drift together)")
    parser.add_argument("--cold", action="store_true",
                        help="every cleaner process builds its tables (the table cache turned off), "
                        "as on a machine's first run; by default they are read from a cache filled before the rows")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if not (args.path / "text").is_dir() or not (args.path / "html").is_dir():
        parser.error(f"{args.path}: needs text/ and html/ folders")

    python = sys.executable
    me = str(Path(__file__).resolve())
    rows = []
    with tempfile.TemporaryDirectory(prefix="cleaner-throughput-") as tmp:
        work = Path(tmp)
        sizes = write_corpus(args.path, work, args.copies)
        pages, html = str(work / "pages.jsonl"), str(work / "html.jsonl")
        clean = [python, "-m", "cleaner.cli", "clean"]
        # The rows' table cache (cleaner/tablecache.py) is the run's own, so
        # what the user's cache holds does not change the figures.
        cache = {"CLEANER_CACHE_DIR": "" if args.cold else str(work / "table-cache")}
        if not args.cold:
            subprocess.run([python, "-c", "from cleaner import Cleaner; Cleaner().load_tables()"], check=True,
                           env=child_env(cache))
        # Byte-compile this checkout's package and these scripts, as pip does
        # for an installed package (and had done for the peers'): where
        # PYTHONDONTWRITEBYTECODE is set, every row's process would otherwise
        # compile the modules it imports from source (0.06 s a process for this
        # package).
        compileall.compile_dir(ROOT / "cleaner", quiet=1)
        compileall.compile_dir(HERE, quiet=1, maxlevels=0)
        plan = [
            ("cleaner --jobs 1", "pages.jsonl", clean + [pages, "-o", str(work / "o1"), "--jobs", "1"]),
            (f"cleaner --jobs {args.jobs}", "pages.jsonl", clean + [pages, "-o", str(work / "oN"), "--jobs", str(args.jobs)]),
            ("cleaner, spun off", "pages.jsonl", clean + [pages, "-o", str(work / "o0"), "--jobs", "1", "--no-spun"]),
            ("ftfy.fix_text", "pages.jsonl", [python, me, "--pass", "ftfy", pages, str(work / "ftfy.jsonl")]),
            ("c4 lines", "pages.jsonl", [python, me, "--pass", "c4", pages, str(work / "c4.jsonl")]),
            ("justext english", "pages.jsonl", [python, me, "--pass", "justext-en", pages, str(work / "je.jsonl")]),
            ("justext lines", "pages.jsonl", [python, me, "--pass", "justext", pages, str(work / "jt.jsonl")]),
            ("trafilatura html", "html.jsonl", [python, me, "--pass", "trafilatura", html, str(work / "tr.jsonl")]),
        ]
        print(f"{sizes['pages.jsonl']['docs']} documents ({args.copies} x the pages of {args.path}): "
              f"{sizes['pages.jsonl']['bytes'] / 1e6:.1f} MB of text, {sizes['html.jsonl']['bytes'] / 1e6:.1f} MB of HTML; "
              f"{len(os.sched_getaffinity(0))} cores; tables "
              + ("built by every process (--cold)" if args.cold else "read from a cache filled before the rows"))
        print(f"{'row':22} {'docs/s':>8} {'MB/s':>7} {'seconds':>8} {'peak MB (one process)':>22} {'peak PSS MB':>11}")

        def wanted(row: str) -> bool:
            return not args.only or any(row.startswith(prefix) for prefix in args.only)

        selected = [(name, corpus, command) for name, corpus, command in plan if wanted(name)]
        runs: dict[str, list[dict]] = {name: [] for name, _, _ in selected}
        for round_number in range(args.rounds):
            for name, corpus, command in selected:
                if args.rounds > 1:
                    print(f"  round {round_number + 1}/{args.rounds}: {name}", file=sys.stderr, flush=True)
                runs[name].append(measure(command, cache))
                if round_number == args.rounds - 1:  # the row's last run: print it now
                    rows.append(_row(name, sizes[corpus], _median_run(runs[name])))
        # Round by round, so that both sides of each ratio ran at the same speed.
        headline = [
            ("cleaner --jobs 1", "justext english", "of jusText's speed (English stoplist)"),
            ("cleaner, spun off", "justext english", "of jusText's speed (English stoplist), spun scoring off"),
            ("cleaner --jobs 1", "justext lines", "of jusText's speed (language detected)"),
            (f"cleaner --jobs {args.jobs}", "cleaner --jobs 1", f"--jobs {args.jobs} against --jobs 1"),
            ("cleaner --jobs 1", "ftfy.fix_text", "of bare ftfy's speed (the long-run goal: 1.0)"),
        ]
        for ours, theirs, what in headline:
            if ours in runs and theirs in runs and ours != theirs:
                # The same bytes, so speed is the other row's time over ours.
                ratios = sorted(b["seconds"] / a["seconds"] for a, b in zip(runs[ours], runs[theirs]))
                print(f"{ours}: {ratios[len(ratios) // 2]:.2f}x {what} ({_spread(ratios)})")
        if "cleaner --jobs 1" in runs and "cleaner, spun off" in runs:
            ratios = sorted(a["seconds"] / b["seconds"] for a, b in zip(runs["cleaner --jobs 1"], runs["cleaner, spun off"]))
            print(f"spun scoring adds {ratios[len(ratios) // 2] - 1:.0%} to --jobs 1 ({_spread(ratios)})")

        if wanted("stream"):
            stream = write_stream(work / "pages.jsonl", work / "stream.jsonl", args.stream_mb)
            print(f"stream: one JSONL file of {stream['file_bytes'] / 1e6:.0f} MB, {stream['docs']} documents")
            for jobs in args.stream_jobs or sorted({1, args.jobs}):
                command = clean + [str(work / "stream.jsonl"), "-o", str(work / f"s{jobs}"), "--jobs", str(jobs)]
                rows.append(_row(f"stream --jobs {jobs}", stream, measure(command, cache)))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


def _spread(ratios: list[float]) -> str:
    if len(ratios) == 1:
        return "one round"
    return f"median of {len(ratios)} rounds; {ratios[0]:.2f} to {ratios[-1]:.2f}"


def _median_run(runs: list[dict]) -> dict:
    """The median time of a row's runs (the upper one of an even count) and the most memory any held."""
    times = sorted(run["seconds"] for run in runs)
    return {
        "seconds": times[len(times) // 2],
        "peak_tree_mb": max(run["peak_tree_mb"] for run in runs),
        "peak_process_mb": max(run["peak_process_mb"] for run in runs),
        "peak_pss_mb": max(run["peak_pss_mb"] for run in runs),
    }


def _row(name: str, size: dict, figures: dict) -> dict:
    row = {
        "row": name,
        "docs_per_s": size["docs"] / figures["seconds"],
        "mb_per_s": size["bytes"] / 1e6 / figures["seconds"],
        **figures,
    }
    print(f"{name:22} {row['docs_per_s']:8.1f} {row['mb_per_s']:7.3f} {figures['seconds']:8.1f} "
          f"{figures['peak_tree_mb']:9.0f} ({figures['peak_process_mb']:.0f}) {figures['peak_pss_mb']:9.0f}")
    sys.stdout.flush()
    return row


if __name__ == "__main__":
    sys.exit(main())
