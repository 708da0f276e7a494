"""The visual report: one self-contained HTML file built from a JSON report.

An adapter: it reads report records (what `cleaner clean --report` wrote)
and the original documents they name, and renders what was dropped and what
looks spun. No network: CSS, script and charts (SVG) are inline, the data is
embedded as JSON. The document table is paginated and a document's text is
rendered only when it is opened, so a report of ten thousand documents opens
quickly; texts are embedded for the first `max_texts` documents (the others
show their dropped lines from the report alone).
"""
from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .formats import ByteReader, format_of
from .outputs import Folder
from .pathnames import path_of
from .pipeline import numbered_lines
from .records import Record

DEFAULT_MAX_TEXTS = 1000
BAR_LIMIT = 15  # reasons shown in the bar chart; the rest are summed as "other"
ERRORS_LISTED = 50  # failed documents listed by path in the summary
# Originals larger than this are not read again for their text.
MAX_ORIGINAL_BYTES = 32_000_000


def read_records(path: Path) -> Iterator[Record]:
    """The records of a JSONL report, streamed; a line that is not a report
    record is a ValueError naming the file and line."""
    with ByteReader.open(path) as reader:
        for number, line in reader.lines(1 << 62):
            if not line.strip():
                continue
            try:
                yield Record.from_json(line)
            except (ValueError, RecursionError) as exc:
                message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                raise ValueError(f"{path}:{number}: not a report record: {message.removeprefix('not a report record: ')}") from None


def original_lines(records: list[Record], base: Path) -> dict[int, list[str] | str]:
    """The lines each record's line numbers refer to (the file's text, the
    extracted text of HTML, or the text of a JSONL record), by index in
    `records`; where they cannot be given, why not. Files are found from
    `base`, the report's folder, and read through their format."""
    texts: dict[int, list[str] | str] = {}
    wanted: dict[str, dict[int | None, list[int]]] = {}
    for index, record in enumerate(records):
        if record.file is None:
            texts[index] = "the report does not say which file it came from"
            continue
        wanted.setdefault(record.file, {}).setdefault(record.line, []).append(index)
    for file, by_line in wanted.items():
        path = base / path_of(file)
        input_format, compression = format_of(path)
        if input_format is None:  # only files of the kinds `clean` reads: a report may name any path
            for indexes in by_line.values():
                for index in indexes:
                    texts[index] = "the report names a file of no kind cleaner reads"
            continue
        try:
            with ByteReader.open(path, compression) as reader:
                for line, original in input_format.originals(reader, set(by_line), MAX_ORIGINAL_BYTES):
                    for index in by_line[line]:
                        record = records[index]
                        if original is None:
                            texts[index] = "the original is too large to show"
                        elif original.digest != record.digest:  # a report may name any file: only the one cleaned is shown
                            texts[index] = "the original has changed since it was cleaned"
                        else:
                            texts[index] = numbered_lines(original.data, extracted=record.extracted, url=original.url)
        except (OSError, ValueError) as exc:
            reason = f"the original cannot be read: {getattr(exc, 'strerror', None) or exc}"
            for indexes in by_line.values():
                for index in indexes:
                    texts.setdefault(index, reason)
        for indexes in by_line.values():
            for index in indexes:
                texts.setdefault(index, "the original no longer holds this document")
    return texts


def summarise(records: Iterable[Record]) -> dict:
    reasons: Counter = Counter()
    languages: Counter = Counter()
    histogram = [0] * 10
    totals: Counter = Counter()
    errors: list[dict] = []
    for record in records:
        totals["documents"] += 1
        totals["chars_in"] += record.chars_in
        totals["chars_out"] += record.chars_out
        totals["flagged"] += record.spun_flagged
        for dropped in record.dropped:
            reasons[dropped["reason"]] += 1
        if record.ok:
            totals["ok"] += 1
            languages[record.language or "unknown"] += 1
            score = record.spun.get("score")
            if score is None:
                totals["not_scored"] += 1
            else:
                histogram[min(int(float(score) * 10), 9)] += 1
        else:
            totals["failed"] += 1
            if len(errors) < ERRORS_LISTED:
                errors.append({"path": record.path, "error": record.error})
    return {
        "documents": totals["documents"],
        "ok": totals["ok"],
        "failed": totals["failed"],
        "errors": errors,
        "chars_in": totals["chars_in"],
        "chars_out": totals["chars_out"],
        "flagged": totals["flagged"],
        "reasons": reasons.most_common(),
        "languages": languages.most_common(),
        "histogram": histogram,
        "not_scored": totals["not_scored"],
    }


def document_entry(index: int, record: Record, lines: list[str] | str | None) -> dict:
    """What the page knows of one document. Dropped lines are given by number
    and reason only: their text is in `lines` where the text is embedded, and
    left out where it is not, so a large report stays small. `lines` is the
    text, or why it is not there (None: beyond the texts embedded)."""
    spun = record.spun
    dropped = record.dropped
    embedded = isinstance(lines, list)
    entry = {
        "i": index,
        "path": record.path,
        "status": record.status,
        "error": record.error,
        "source": record.source or "",
        "language": record.language or "",
        "score": spun.get("score"),
        "flagged": record.spun_flagged,
        "chars_in": record.chars_in,
        "chars_out": record.chars_out,
        "n_dropped": len(dropped),
        "dropped": {str(d["line"]): [d["reason"], d.get("detail", "")] for d in dropped} if embedded else {},
        "reasons": Counter(d["reason"] for d in dropped).most_common() if not embedded else [],
        "spun": {str(p["line"]): [p["score"], p["evidence"]] for p in spun.get("passages") or []},
        "cuts": {},
        "lines": lines if embedded else None,
        "why_no_text": lines if isinstance(lines, str) else None,
    }
    for cut in record.cuts:
        entry["cuts"].setdefault(str(cut["line"]), []).append([cut["text"], cut["reason"]])
    return entry


def report_pieces(records: Callable[[], Iterable[Record]], base: Path, *, max_texts: int = DEFAULT_MAX_TEXTS,
                  title: str = "cleaner report") -> Iterator[str]:
    """The page, a piece at a time: `records()` is read twice (once for the
    summary, once for the documents), and no more than `max_texts` records
    are held at once, so memory stays flat however many there are."""
    summary = summarise(records())
    data_start = json.dumps({"summary": summary}, ensure_ascii=False)[:-1] + ', "docs": ['
    page_start, page_end = _PAGE.replace("%TITLE%", html.escape(title)).replace("%SUMMARY%", _summary_html(summary)).split("%DATA%")
    yield page_start
    yield _script_safe(data_start)
    first: list[Record] = []
    stream = iter(records())
    for record in stream:
        first.append(record)
        if len(first) >= max_texts:
            break
    texts = original_lines(first, base)
    index = 0
    for index, record in enumerate(first):
        yield ("," if index else "") + _script_safe(json.dumps(document_entry(index, record, texts.get(index)), ensure_ascii=False))
    for index, record in enumerate(stream, start=len(first)):
        yield ("," if index else "") + _script_safe(json.dumps(document_entry(index, record, None), ensure_ascii=False))
    yield "]}"
    yield page_end


def build_report(records: list[Record], base: Path = Path("."), **options) -> str:
    """The whole page as one string (for a list of records in memory)."""
    return "".join(report_pieces(lambda: records, base, **options))


def write_report(records: Callable[[], Iterable[Record]], base: Path, out: Path, *, max_texts: int = DEFAULT_MAX_TEXTS) -> None:
    """Write the page to `out`, atomically, a piece at a time."""
    with Folder.open(out.parent) as folder, folder.writer(out.name) as writer:
        for piece in report_pieces(records, base, max_texts=max_texts, title=f"cleaner report: {out.stem}"):
            writer.write(piece)


def _script_safe(text: str) -> str:
    """JSON inside a <script> element. The HTML parser reads a script's text
    for "</script" and for "<!--" (after which even "</script>" does not end
    it): every "<" is written as the JSON escape \\u003c (and ">" and "&"
    too), which no parser reads as markup and JSON.parse reads back."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- static parts: the summary and its charts are plain HTML and SVG ----------


def _summary_html(s: dict) -> str:
    ratio = f"{100 * s['chars_out'] / s['chars_in']:.0f}%" if s["chars_in"] else "-"
    figures = [
        ("documents", f"{s['documents']:,}"),
        ("cleaned", f"{s['ok']:,}"),
        ("errors", f"{s['failed']:,}"),
        ("flagged as spun", f"{s['flagged']:,}"),
        ("characters in", f"{s['chars_in']:,}"),
        ("characters out", f"{s['chars_out']:,} ({ratio})"),
    ]
    cards = "".join(f'<div class="card"><b>{v}</b><span>{k}</span></div>' for k, v in figures)
    languages = ", ".join(f"{html.escape(code)} {n}" for code, n in s["languages"]) or "-"
    errors = "".join(
        f"<li><code>{html.escape(e['path'])}</code>: {html.escape(str(e['error']))}</li>" for e in s["errors"]
    )
    more = f"<li>… and {s['failed'] - len(s['errors'])} more (filter the table by status)</li>" if s["failed"] > len(s["errors"]) else ""
    return (
        f'<section id="summary"><div class="cards">{cards}</div>'
        f'<div class="charts"><figure><figcaption>Dropped lines by reason</figcaption>{_bar_chart(s["reasons"])}</figure>'
        f'<figure><figcaption>Spun score of documents ({s["not_scored"]} not scored)</figcaption>'
        f'{_histogram(s["histogram"])}</figure></div>'
        f"<p><b>Languages:</b> {languages}</p>"
        + (f'<details open><summary>Errors</summary><ul class="errors">{errors}{more}</ul></details>' if errors else "")
        + "</section>"
    )


def _bar_chart(reasons: list[tuple[str, int]]) -> str:
    if not reasons:
        return '<p class="empty">nothing dropped</p>'
    shown = reasons[:BAR_LIMIT]
    if len(reasons) > BAR_LIMIT:
        shown.append(("other", sum(n for _, n in reasons[BAR_LIMIT:])))
    top = max(n for _, n in shown)
    row, label_w, bar_w = 22, 300, 320
    bars = []
    for k, (reason, n) in enumerate(shown):
        y = k * row
        width = max(1, round(bar_w * n / top))
        bars.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{html.escape(reason)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{width}" height="{row - 6}"><title>{html.escape(reason)}: {n}</title></rect>'
            f'<text x="{label_w + width + 4}" y="{y + 15}">{n}</text>'
        )
    height = row * len(shown)
    return f'<svg class="chart" viewBox="0 0 {label_w + bar_w + 60} {height}" width="{label_w + bar_w + 60}" height="{height}">{"".join(bars)}</svg>'


def _histogram(counts: list[int]) -> str:
    top = max(counts) or 1
    w, h, bar = 360, 160, 36
    parts = []
    for b, n in enumerate(counts):
        height = round((h - 44) * n / top)  # room above the tallest bar for its count
        x = b * bar
        parts.append(
            f'<rect class="bin{" hot" if b >= 5 else ""}" x="{x + 2}" y="{h - 20 - height}" width="{bar - 4}" height="{height}">'
            f"<title>{b / 10:.1f}–{(b + 1) / 10:.1f}: {n}</title></rect>"
            f'<text x="{x + bar / 2}" y="{h - 5}" text-anchor="middle">{b / 10:.1f}</text>'
            + (f'<text x="{x + bar / 2}" y="{h - 24 - height}" text-anchor="middle">{n}</text>' if n else "")
        )
    return f'<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}">{"".join(parts)}</svg>'


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%TITLE%</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
header{background:#1d3557;color:#fff;padding:10px 20px}header h1{font-size:18px;margin:0}
main{padding:12px 20px;max-width:1300px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0}
.card{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:8px 14px;min-width:120px}
.card b{display:block;font-size:20px}.card span{color:#5c6670;font-size:12px}
.charts{display:flex;flex-wrap:wrap;gap:20px}figure{background:#fff;border:1px solid #dde1e6;border-radius:6px;margin:0;padding:10px}
figcaption{font-weight:600;margin-bottom:6px}.chart text{font-size:12px;fill:#333}
rect.bar{fill:#e76f51}rect.bin{fill:#8ab17d}rect.bin.hot{fill:#e9c46a}
.filters{display:flex;flex-wrap:wrap;gap:8px;margin:14px 0 6px}.filters input,.filters select{padding:4px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border-bottom:1px solid #e5e8eb;padding:4px 8px;text-align:left;font-size:13px}
th{cursor:pointer;background:#eef1f4;user-select:none}th.sorted-asc:after{content:" ▲"}th.sorted-desc:after{content:" ▼"}
tr.doc:hover{background:#f0f5ff;cursor:pointer}tr.error td{color:#a4161a}td.num{text-align:right}
.pager{margin:6px 0}.pager button{margin-right:4px}
#doc{background:#fff;border:1px solid #dde1e6;border-radius:6px;margin:16px 0;padding:10px}
#doc h2{font-size:16px;margin:0 0 6px}.line{display:flex;gap:8px;padding:1px 0;white-space:pre-wrap;word-break:break-word}
.line .n{color:#8a949e;min-width:42px;text-align:right;flex:none;font-variant-numeric:tabular-nums}
.line.dropped del{color:#8a949e;text-decoration:line-through;text-decoration-color:#c1121f}
.reason{flex:none;font-size:11px;background:#fde2e4;color:#8d0801;border-radius:3px;padding:0 5px;height:17px;align-self:flex-start}
mark.spun{border-radius:2px;padding:0 1px}s.cut{color:#c1121f;background:#ffe5e5}
.evidence{font-size:11px;color:#7a5a00;flex:none}.empty{color:#8a949e}
</style></head><body>
<header><h1>%TITLE%</h1></header>
<main>
%SUMMARY%
<section id="doc" hidden></section>
<section id="documents">
<div class="filters">
<input id="f-path" placeholder="filter by path">
<select id="f-source"><option value="">any source</option></select>
<select id="f-language"><option value="">any language</option></select>
<select id="f-flagged"><option value="">spun or not</option><option value="yes">flagged as spun</option><option value="no">not flagged</option></select>
<select id="f-status"><option value="">ok or error</option><option value="ok">ok</option><option value="error">error</option></select>
</div>
<div class="pager" id="pager"></div>
<table id="table"><thead><tr>
<th data-key="i">#</th><th data-key="path">document</th><th data-key="status">status</th><th data-key="source">source</th>
<th data-key="language">language</th><th data-key="n_dropped">dropped lines</th><th data-key="score">spun score</th>
<th data-key="chars_in">chars in</th><th data-key="chars_out">chars out</th></tr></thead><tbody></tbody></table>
</section>
</main>
<script type="application/json" id="data">%DATA%</script>
<script>
"use strict";
const DATA = JSON.parse(document.getElementById("data").textContent);
const DOCS = DATA.docs, PAGE = 100;
let view = DOCS, page = 0, sortKey = "i", sortDir = 1;
const $ = id => document.getElementById(id);
const el = (tag, attrs, ...kids) => { const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) { if (k === "class") e.className = v; else e.setAttribute(k, v); }
  for (const kid of kids) e.append(kid); return e; };
function fillSelect(id, key) { const values = [...new Set(DOCS.map(d => d[key]).filter(Boolean))].sort();
  for (const v of values) $(id).append(el("option", {value: v}, v)); }
function applyFilters() {
  const path = $("f-path").value.toLowerCase(), source = $("f-source").value, language = $("f-language").value,
        flagged = $("f-flagged").value, status = $("f-status").value;
  view = DOCS.filter(d => (!path || d.path.toLowerCase().includes(path)) && (!source || d.source === source)
    && (!language || d.language === language) && (!flagged || (flagged === "yes") === d.flagged)
    && (!status || d.status === status));
  sortView(); page = 0; renderTable(); }
function sortView() { view = view.slice().sort((a, b) => { const x = a[sortKey], y = b[sortKey];
  if (x === y) return a.i - b.i; if (x === null) return 1; if (y === null) return -1; return (x < y ? -1 : 1) * sortDir; }); }
function renderTable() {
  const body = document.querySelector("#table tbody"); body.replaceChildren();
  for (const d of view.slice(page * PAGE, (page + 1) * PAGE)) {
    const row = el("tr", {class: "doc" + (d.status === "ok" ? "" : " error"), "data-i": d.i},
      el("td", {class: "num"}, String(d.i)), el("td", {}, d.path), el("td", {}, d.status === "ok" ? "ok" : "error: " + d.error),
      el("td", {}, d.source), el("td", {}, d.language), el("td", {class: "num"}, String(d.n_dropped)),
      el("td", {class: "num"}, d.score === null ? "n/a" : d.score.toFixed(2) + (d.flagged ? " ⚑" : "")),
      el("td", {class: "num"}, d.chars_in.toLocaleString()), el("td", {class: "num"}, d.chars_out.toLocaleString()));
    row.addEventListener("click", () => { location.hash = "doc=" + d.i; });
    body.append(row); }
  const pages = Math.max(1, Math.ceil(view.length / PAGE));
  const prev = el("button", {}, "‹ previous"), next = el("button", {}, "next ›");
  prev.disabled = page === 0; next.disabled = page >= pages - 1;
  prev.onclick = () => { page--; renderTable(); }; next.onclick = () => { page++; renderTable(); };
  $("pager").replaceChildren(prev, next, ` page ${page + 1} of ${pages}, ${view.length} documents`);
  for (const th of document.querySelectorAll("th")) th.className = th.dataset.key === sortKey ? (sortDir > 0 ? "sorted-asc" : "sorted-desc") : ""; }
function spunColour(score) { return `rgba(255, ${Math.round(200 - 120 * score)}, 0, ${0.15 + 0.55 * score})`; }
function markCuts(text, cuts) { const out = []; let rest = text;
  for (const [phrase, reason] of cuts || []) { const at = rest.toLowerCase().indexOf(phrase.toLowerCase());
    if (at < 0) continue; out.push(rest.slice(0, at), el("s", {class: "cut", title: "cut: " + reason}, rest.slice(at, at + phrase.length)));
    rest = rest.slice(at + phrase.length); }
  out.push(rest); return out; }
function renderDoc(i) {
  const d = DOCS[i], box = $("doc"); if (!d) { box.hidden = true; return; }
  box.replaceChildren(el("h2", {}, d.path));
  box.append(el("p", {}, `status ${d.status}${d.error ? ": " + d.error : ""} · source ${d.source || "-"} · language ${d.language || "-"} · `
    + `spun score ${d.score === null ? "n/a" : d.score.toFixed(2)}${d.flagged ? " (flagged)" : ""} · ${d.n_dropped} lines dropped`));
  if (!d.lines) {
    box.append(el("p", {class: "empty"}, (d.why_no_text ? "The text of this document is not shown: " + d.why_no_text + "."
      : "The text of this document is not embedded in the report (see --max-texts).") + " Its dropped lines, by reason:"));
    box.append(el("ul", {}, ...d.reasons.map(([reason, n]) => el("li", {}, `${reason}: ${n}`))));
    box.hidden = false; return; }
  const lines = d.lines;
  for (let n = 1; n <= lines.length; n++) {
    const text = lines[n - 1];
    if (!text.trim()) continue;
    const drop = d.dropped[n], spun = d.spun[n], row = el("div", {class: "line", id: "line-" + n}, el("span", {class: "n"}, String(n)));
    if (drop) { row.classList.add("dropped"); row.append(el("del", {title: drop[0] + (drop[1] ? ": " + drop[1] : "")}, text),
      el("span", {class: "reason"}, drop[0])); }
    else if (spun) { row.classList.add("spun");
      row.append(el("mark", {class: "spun", style: "background:" + spunColour(spun[0]), title: "spun score " + spun[0].toFixed(2) + "\\n" + spun[1].join("\\n")}, ...markCuts(text, d.cuts[n])),
        el("span", {class: "evidence"}, spun[0].toFixed(2))); }
    else row.append(el("span", {class: "text"}, ...markCuts(text, d.cuts[n])));
    box.append(row); }
  box.hidden = false; }
function route(scroll) { const m = /doc=(\\d+)/.exec(location.hash); if (m) { renderDoc(Number(m[1])); if (scroll) $("doc").scrollIntoView(); } }
for (const th of document.querySelectorAll("th")) th.addEventListener("click", () => {
  sortDir = sortKey === th.dataset.key ? -sortDir : 1; sortKey = th.dataset.key; sortView(); renderTable(); });
for (const id of ["f-path", "f-source", "f-language", "f-flagged", "f-status"]) $(id).addEventListener("input", applyFilters);
fillSelect("f-source", "source"); fillSelect("f-language", "language");
window.addEventListener("hashchange", () => route(true));
applyFilters(); route(false);
</script></body></html>
"""
