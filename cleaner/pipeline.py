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
from dataclasses import dataclass
from functools import lru_cache

from .config import Config, make_config
from .result import CleanResult, Cut, Decision, Decoding, Language, Line, LineLabel, Repair, SpunResult
from .rulefile import RuleSet, builtin_rules_dir, load_rule_dirs
from .steps.assemble import assemble, split_lines
from .steps.decode import decode
from .steps.dedupe import label_duplicates
from .steps.extract import extract_html, looks_like_html
from .steps.heuristics import HeuristicsData, LineMemo, label_heuristics, load_heuristics_data, stoplist_for
from .steps.language import LanguageDetector, prose_sample
from .steps.linemodel import LineModel, load_line_model
from .steps.repair import repair_lines
from .steps.rules import apply_rules, select_source, url_host
from .steps.spun import load_reference_tables, load_spun_data, score_spun

KEPT = Decision(True, "content")
# Passes of the context steps at most; each drops lines or ends the loop. On
# the 80 development pages, 78 ended after two passes (the second found
# nothing) and 2 after three.
MAX_CONTEXT_PASSES = 5


@dataclass(slots=True)
class FrontResult:
    """The document after the steps that come before the heuristics."""

    lines: list[Line]
    original: dict[int, str]
    decisions: dict[int, Decision]
    cuts: list[Cut]
    repairs: list[Repair]
    source_rules: RuleSet | None
    language: Language
    decoding: Decoding
    extracted: bool
    chars_in: int
    warnings: list[str]


class Cleaner:
    """A configured pipeline. Rule files are read and checked once, here.

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
        self.config = make_config(config, **overrides)
        dirs = ([builtin_rules_dir()] if self.config.builtin_rules else []) + list(self.config.rules_dirs)
        self.rule_sets: list[RuleSet] = load_rule_dirs(dirs)
        self.generic_rules = [r for r in self.rule_sets if r.generic]
        self._heuristics = (heuristics_data or load_heuristics_data()) if self.config.heuristics else None
        self._extract_html = html_extractor or extract_html
        self.line_model = line_model if line_model is not None else load_line_model()
        self._spun = load_spun_data()
        self._language = LanguageDetector()

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
        """Clean one document. Raises `NotTextError` for binary input and
        `ValueError` for an unknown `source`; anything else comes back as data."""
        config = self.config
        front = self.front_steps(data, url=url, source=source, content_type=content_type)
        lines, decisions, language, source_rules = front.lines, front.decisions, front.language, front.source_rules
        decisions.update(self._label_in_context(front))
        kept = [l for l in lines if not l.blank and decisions.get(l.number, KEPT).keep]
        if config.score_spun:
            spun = score_spun(kept, language.code, config.spun_threshold, self._spun)
        else:
            spun = SpunResult(None, False, (), "not scored: spun scoring turned off")
        if config.drop_spun and spun.flagged:
            for passage in spun.passages:
                if passage.score >= config.spun_threshold and decisions.get(passage.line, KEPT).reason == "content":
                    decisions[passage.line] = Decision(False, "spun", "; ".join(passage.evidence))

        labels = tuple(
            LineLabel(l.number, front.original[l.number], d.keep, d.reason, d.detail)
            for l in lines
            if front.original[l.number].strip()
            for d in (decisions.get(l.number, KEPT),)
        )
        return CleanResult(
            text=assemble(lines, decisions),
            source=source_rules.id if source_rules else None,
            language=language,
            spun=spun,
            labels=labels,
            cuts=tuple(front.cuts),
            repairs=tuple(front.repairs),
            decoding=front.decoding,
            extracted=front.extracted,
            chars_in=front.chars_in,
            warnings=tuple(front.warnings),
        )

    def _label_in_context(self, front: FrontResult, passes: int = 0) -> dict[int, Decision]:
        """The heuristics and dedupe, repeated on the lines still kept until
        they drop nothing more (or `passes` times, for bench/fit_line_model.py).

        The first pass reads the rule-dropped lines as context; later passes
        see only what is left, as cleaning the output again would. Each pass
        only drops lines, so this ends, and its result is what a second
        cleaning leaves unchanged (cleaning is idempotent).
        """
        decided = dict(front.decisions)
        protected = {n: d for n, d in decided.items() if d.keep}  # rule `keep`s hold in every pass
        lines = front.lines
        heuristics = None
        if self._heuristics is not None:
            heuristics = self._heuristics.with_thresholds(front.source_rules.heuristics if front.source_rules else ())
        stoplist = stoplist_for(front.language.code)
        memo = LineMemo()  # the passes read the same lines again
        new: dict[int, Decision] = {}
        for _ in range(passes or MAX_CONTEXT_PASSES):
            found: dict[int, Decision] = {}
            if heuristics is not None:
                found.update(
                    label_heuristics(
                        lines, decided, heuristics, stoplist, self.line_model, not front.extracted, memo
                    )
                )
            if self.config.dedupe:
                found.update(label_duplicates(lines, {**decided, **found}, memo.sentences))
            if not found:
                break
            new.update(found)
            now = {**decided, **found}
            lines = [l for l in lines if not l.blank and now.get(l.number, KEPT).keep]
            decided = dict(protected)
        return new

    def front_steps(
        self, data: str | bytes, *, url: str | None = None, source: str | None = None, content_type: str | None = None
    ) -> FrontResult:
        """The steps before the heuristics: decode, extract, split, repair,
        rules, language. (Also what bench/fit_line_model.py fits on.)"""
        config = self.config
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
        original = {line.number: line.text for line in lines}  # what `explain` shows
        repairs = []
        if config.repair:
            lines, repairs = repair_lines(lines)

        host = url_host(url) if url else None
        if url and host is None:
            warnings.append(f"URL not understood, so no rule file is chosen by host: {url!r}")
        source_rules = select_source(self.rule_sets, text, host, source)
        active = ([source_rules] if source_rules else []) + self.generic_rules
        decisions, lines, cuts, rule_warnings = apply_rules(lines, active, config.rule_timeout)
        warnings.extend(rule_warnings)
        for line in lines:  # a line that repair emptied is accounted for, not lost
            if line.blank and original[line.number].strip():
                decisions[line.number] = Decision(False, "repair:emptied", "nothing left after repair")
        if config.detect_language:
            undecided = [l for l in lines if l.number not in decisions]
            sample = prose_sample(undecided, config.language_sample_chars)
            language = self._language.detect(sample, config.language_sample_chars)
        else:
            language = Language(None, None, "detection turned off")
        return FrontResult(
            lines, original, decisions, cuts, repairs, source_rules, language, decoding, extracted, chars_in, warnings
        )


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
