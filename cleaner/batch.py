"""Batch adapter: clean files and JSONL records, write outputs, make report records.

No cleaning logic lives here: each document goes through `Cleaner.clean`.
Every document yields one report record, `ok` or `error`; one bad document
never stops the others.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .config import Config
from .files import CONTENT_TYPES, AtomicWriter, InputFile, write_atomically
from .pipeline import Cleaner
from .result import CleanResult
from .steps.decode import NotTextError


def ok_record(path: str, result: CleanResult, output: Path | None, **extra: object) -> dict:
    return {"path": path, "status": "ok", "error": None, **extra, "output": str(output) if output else None, **result.to_dict()}


def error_record(path: str, message: str, **extra: object) -> dict:
    return {
        "path": path,
        "status": "error",
        "error": message,
        **extra,
        "output": None,
        "source": None,
        "language": None,
        "dropped": [],
        "spun": None,
        "chars_in": 0,
        "chars_out": 0,
    }


def clean_bytes(cleaner: Cleaner, data: bytes, *, content_type: str | None, url: str | None = None) -> CleanResult:
    """`Cleaner.clean` with the batch's idea of bad input: empty and blank
    documents are errors here (a library caller may want them back as '')."""
    if not data:
        raise NotTextError("empty file")
    result = cleaner.clean(data, content_type=content_type, url=url)
    if not result.text and not result.dropped:
        raise NotTextError(result.warnings[0] if result.warnings else "blank: no text in it")
    return result


def clean_file(cleaner: Cleaner, item: InputFile, out_dir: Path | None) -> list[dict]:
    """Clean one input file; write its output under `out_dir` (if given)."""
    if item.kind == "jsonl":
        return _clean_jsonl(cleaner, item, out_dir)
    path = str(item.path)
    try:
        data = item.path.read_bytes()
    except OSError as exc:
        return [error_record(path, f"cannot read: {exc.strerror or exc}")]
    try:
        result = clean_bytes(cleaner, data, content_type=CONTENT_TYPES[item.kind])
    except (NotTextError, ValueError) as exc:
        return [error_record(path, str(exc))]
    except Exception as exc:  # a bug must not stop the batch; the report names it
        return [error_record(path, f"internal error: {type(exc).__name__}: {exc}")]
    output = None
    if out_dir is not None:
        output = out_dir / item.output_relative
        try:
            write_atomically(output, result.text)
        except OSError as exc:
            return [error_record(path, f"cannot write {output}: {exc.strerror or exc}")]
    return [ok_record(path, result, output)]


def _clean_jsonl(cleaner: Cleaner, item: InputFile, out_dir: Path | None) -> list[dict]:
    """One record per line, with a `text` or `html` string and optional `url`
    and `id`. The output record keeps the input's other fields, replaces the
    text with the cleaned text, and adds the result under `cleaner`."""
    records: list[dict] = []
    output = out_dir / item.output_relative if out_dir is not None else None
    writer = None
    try:
        handle = item.path.open("rb")
    except OSError as exc:
        return [error_record(str(item.path), f"cannot read: {exc.strerror or exc}")]
    try:
        writer = AtomicWriter(output) if output is not None else None
        for number, raw in enumerate(handle, start=1):
            where = f"{item.path}:{number}"
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                records.append(error_record(where, "not UTF-8"))
                continue
            except json.JSONDecodeError as exc:
                records.append(error_record(where, f"not valid JSON: {exc.msg} at column {exc.colno}"))
                continue
            if not isinstance(record, dict):
                records.append(error_record(where, "not a JSON object"))
                continue
            doc_id = record.get("id")
            body, content_type = _record_body(record)
            if body is None:
                records.append(error_record(where, "record has no 'text' or 'html' string", id=doc_id))
                continue
            url = record.get("url") if isinstance(record.get("url"), str) else None
            try:
                result = clean_bytes(cleaner, body.encode("utf-8"), content_type=content_type, url=url)
            except (NotTextError, ValueError) as exc:
                records.append(error_record(where, str(exc), id=doc_id))
                continue
            except Exception as exc:
                records.append(error_record(where, f"internal error: {type(exc).__name__}: {exc}", id=doc_id))
                continue
            if writer is not None:
                kept = {k: v for k, v in record.items() if k not in ("text", "html")}
                out = {**kept, "text": result.text, "cleaner": result.to_dict()}
                writer.write(json.dumps(out, ensure_ascii=False) + "\n")
            records.append(ok_record(where, result, output, id=doc_id))
        if writer is not None:
            writer.commit()
    except OSError as exc:
        if writer is not None:
            writer.abort()
        records.append(error_record(str(item.path), f"cannot read or write: {exc.strerror or exc}"))
    finally:
        handle.close()
    return records


def _record_body(record: dict) -> tuple[str | None, str | None]:
    if isinstance(record.get("text"), str):
        return record["text"], "text/plain"
    if isinstance(record.get("html"), str):
        return record["html"], "text/html"
    return None, None


# --- running many files -----------------------------------------------------

_worker_cleaner: Cleaner | None = None


def _init_worker(config: Config) -> None:
    global _worker_cleaner
    _worker_cleaner = Cleaner(config)  # rules are read once per worker process


def _clean_in_worker(item: InputFile, out_dir: Path | None) -> list[dict]:
    assert _worker_cleaner is not None
    return clean_file(_worker_cleaner, item, out_dir)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def run_files(cleaner: Cleaner, items: list[InputFile], out_dir: Path | None, jobs: int) -> Iterator[list[dict]]:
    """Each file's report records, in input order, cleaned by `jobs` processes."""
    if jobs <= 1 or len(items) <= 1:
        for item in items:
            yield clean_file(cleaner, item, out_dir)
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(items)), initializer=_init_worker, initargs=(cleaner.config,)) as pool:
        yield from pool.map(_clean_in_worker, items, [out_dir] * len(items), chunksize=1)
