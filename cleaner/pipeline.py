"""The pipeline: the steps in order, from bytes to a `CleanResult`.

    decode → (extract, for HTML) → split → repair → rules → language
           → heuristics → dedupe → spun → assemble

Each line's fate is decided by the first step that claims it; later steps see
earlier decisions as context. Repair runs after extraction so that every line
number in the result refers to the text the line steps saw: the input file for
text, trafilatura's output for HTML.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from .config import Config, make_config
from .result import CleanResult, Decision, LineLabel
from .rulefile import builtin_rules_dir, load_rule_dirs
from .steps.assemble import assemble, split_lines
from .steps.base import KEPT, Document, Step
from .steps.decode import decode
from .steps.dedupe import DedupeStep
from .steps.extract import extract_html, looks_like_html
from .steps.heuristics import HeuristicsData, HeuristicsStep, load_heuristics_data
from .steps.language import LanguageDetector, LanguageStep
from .steps.linemodel import LineModel, load_line_model
from .steps.repair import RepairStep, ftfy_settings
from .steps.rules import RulesStep
from .steps.spun import SpunStep, load_reference_tables, load_spun_data

# Passes of the context steps at most; each drops lines or ends the loop. On
# the 80 development pages, 78 ended after two passes (the second found
# nothing) and 2 after three.
MAX_CONTEXT_PASSES = 5


class Cleaner:
    """A configured pipeline. Rule files are read and checked once, here.

    The steps, in order (each a `steps.base.Step`, named for the counts):

    * before the context: repair, rules, language;
    * in context, repeated on what they leave until they drop nothing more:
      heuristics, dedupe;
    * after: spun.

    Safe to share between threads and to send to worker processes (it pickles;
    the language profiles and word tables are each process's own, loaded once
    there on first use, whichever cleaners it holds).
    """

    def __init__(
        self,
        config: Config | None = None,
        *,
        line_model: LineModel | None = None,
        heuristics_data: HeuristicsData | None = None,
        html_extractor: Callable[[str, str | None], str] | None = None,
        **overrides: object,
    ) -> None:
        """`line_model`, `heuristics_data` and `html_extractor` replace the
        shipped weights, thresholds and HTML extraction (the benchmark scripts
        pass the variants they measure); options go in `config`/`overrides`."""
        self.config = config = make_config(config, **overrides)
        dirs = ([builtin_rules_dir()] if config.builtin_rules else []) + list(config.rules_dirs)
        self.rule_sets = load_rule_dirs(dirs)
        self._line_model = line_model if line_model is not None else load_line_model()
        self._extract_html = html_extractor or extract_html
        self._language = LanguageDetector()
        before: list[Step] = [RepairStep(ftfy_settings(config.repair))] if config.repair is not False else []
        before.append(RulesStep(self.rule_sets, config.rule_timeout))
        if config.detect_language:
            before.append(LanguageStep(self._language, config.language_sample_chars))
        heuristics = heuristics_data or load_heuristics_data()
        context: list[Step] = [HeuristicsStep(heuristics, self._line_model)] if config.heuristics else []
        if config.dedupe:
            context.append(DedupeStep())
        after: list[Step] = []
        if config.score_spun:
            after.append(SpunStep(load_spun_data(), config.spun_threshold, config.drop_spun))
        self.steps_before_context = tuple(before)
        self.context_steps = tuple(context)
        self.steps_after_context = tuple(after)

    @property
    def line_model(self) -> LineModel:
        return self._line_model

    @line_model.setter
    def line_model(self, model: LineModel) -> None:
        """Another line model for the heuristics (bench/fit_line_model.py tries several)."""
        self._line_model = model
        for step in self.context_steps:
            if isinstance(step, HeuristicsStep):
                step.model = model

    def load_tables(self) -> None:
        """Load now what is otherwise loaded on first use: the process's
        language profiles, and its spun word tables if spun text is scored.
        (The batch loads them once in its main process, so the worker
        processes it forks share them instead of each loading a copy.)"""
        if self.config.detect_language:
            self._language.load()
        if self.config.score_spun:
            load_reference_tables()

    def clean(
        self,
        data: str | bytes,
        *,
        url: str | None = None,
        source: str | None = None,
        content_type: str | None = None,
    ) -> CleanResult:
        """Clean one document: `str`, or `bytes` (`bytearray` and `memoryview`
        too). Raises `TypeError` for anything else (or a `url`, `source` or
        `content_type` that is not a `str`), `NotTextError` for binary
        input, `ValueError` for an unknown `source` and `PageTooRepetitive`
        (a `ValueError`) for a page too repetitive to read in bounded time
        (see `htmlblocks.coverage`); anything else comes back as data."""
        for name, value in (("url", url), ("source", source), ("content_type", content_type)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{name} is a str or None, not {type(value).__name__}")
        document = self.front_steps(_document_data(data), url=url, source=source, content_type=content_type)
        claimed_by: dict[int, str] = {}
        found = self._label_in_context(document, claimed_by=claimed_by)
        document.claim_each(found, map(claimed_by.__getitem__, found))
        for step in self.steps_after_context:
            document.claim(step.name, step(document))
        return _result(document)

    def front_steps(
        self, data: str | bytes, *, url: str | None = None, source: str | None = None, content_type: str | None = None
    ) -> Document:
        """The document read and taken through the steps before the context:
        decode, extract, split, then repair, rules, language. (Also what
        bench/fit_line_model.py fits on.)"""
        text, decoding = decode(data)
        chars_in = len(text)
        warnings: list[str] = []
        if decoding.method == "fallback":
            warnings.append(f"not valid in any known encoding: {decoding.replaced} characters replaced")
        extracted = looks_like_html(text, content_type)
        if extracted:
            text = self._extract_html(text, url)
            if not text.strip():
                warnings.append("no article text found in the HTML")
        lines = split_lines(text)
        document = Document(
            text, lines, {line.number: line.text for line in lines}, decoding, extracted, chars_in, url, source,
            warnings=warnings,
        )
        for step in self.steps_before_context:
            document.claim(step.name, step(document))
        return document

    def _label_in_context(
        self, document: Document, passes: int = 0, claimed_by: dict[int, str] | None = None
    ) -> dict[int, Decision]:
        """The context steps' decisions, the steps repeated on the lines still
        kept until they drop nothing more (or `passes` times, for
        bench/fit_line_model.py); `claimed_by` gets each decision's step.

        The first pass reads the rule-dropped lines as context; later passes
        see only what is left, as cleaning the output again would. Each pass
        only drops lines, so this ends, and its result is what a second
        cleaning leaves unchanged (cleaning is idempotent).
        """
        decided = dict(document.decisions)
        protected = {n: d for n, d in decided.items() if d.keep}  # rule `keep`s hold in every pass
        lines = document.lines
        new: dict[int, Decision] = {}
        names: dict[int, str] = {} if claimed_by is None else claimed_by
        for _ in range(passes or MAX_CONTEXT_PASSES):
            found: dict[int, Decision] = {}
            for step in self.context_steps:
                view = replace(document, lines=lines, decisions={**decided, **found})
                for number, decision in step(view).items():
                    found[number] = decision
                    names[number] = step.name
            if not found:
                break
            new.update(found)
            now = {**decided, **found}
            lines = [l for l in lines if not l.blank and now.get(l.number, KEPT).keep]
            decided = dict(protected)
        return new


def _result(document: Document) -> CleanResult:
    decisions, original = document.decisions, document.original
    labels = tuple(
        LineLabel(l.number, original[l.number], d.keep, d.reason, d.detail)
        for l in document.lines
        if original[l.number].strip()
        for d in (decisions.get(l.number, KEPT),)
    )
    by_step: dict[str, int] = {}
    for (step, _), count in document.drops.items():
        by_step[step] = by_step.get(step, 0) + count
    return CleanResult(
        text=assemble(document.lines, decisions),
        source=document.source_rules.id if document.source_rules else None,
        language=document.language,
        spun=document.spun,
        labels=labels,
        cuts=tuple(document.cuts),
        repairs=tuple(document.repairs),
        decoding=document.decoding,
        extracted=document.extracted,
        chars_in=document.chars_in,
        warnings=tuple(document.warnings),
        dropped_by_step=tuple(by_step.items()),
    )


def _document_data(data: object) -> str | bytes:
    if isinstance(data, str | bytes):
        return data
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    raise TypeError(f"a document is str or bytes (or bytearray, memoryview), not {type(data).__name__}")


def numbered_lines(data: bytes | str, *, extracted: bool, url: str | None = None) -> list[str]:
    """The lines of a document as `clean` numbered them (a result's line
    numbers refer to these): its text, or the text extracted from HTML when
    the result says it `extracted`."""
    text, _ = decode(data)
    if extracted:
        text = extract_html(text, url)
    return [line.text for line in split_lines(text)]


@lru_cache(maxsize=8)
def _shared_cleaner(config: Config) -> Cleaner:
    return Cleaner(config)


def clean(
    data: str | bytes,
    *,
    url: str | None = None,
    source: str | None = None,
    content_type: str | None = None,
    config: Config | None = None,
    **overrides: object,
) -> CleanResult:
    """Clean one document with a shared `Cleaner` for this configuration (rules
    are read once per configuration, not once per call).

    >>> clean("Skip to main content\\n\\nThe council met on Tuesday and approved the budget.").text
    'The council met on Tuesday and approved the budget.\\n'
    """
    return _shared_cleaner(make_config(config, **overrides)).clean(
        data, url=url, source=source, content_type=content_type
    )
