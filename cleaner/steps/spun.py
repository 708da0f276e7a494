"""spun: score passages for signs of an article spinner.

A spinner swaps words for thesaurus synonyms without regard to sense ("an
acute rise" for a sharp rise, "functionaries say" for officials say), inflects
them bluntly ("holded", "switchings") and leaves typographic scars ("COVID-1 9",
"R& D"). Each kept paragraph is read for these kinds of evidence:

``better_synonym_N``  a word one of whose synonyms fits its place at least e^N
                      times better (N = 1 to 6, 8 and 10: from about 3 to
                      22,000 times), judged by how often each forms a pair
                      with the word's neighbours in the reference table, or
                      by how common each is where the word has no neighbours
                      there. Writers mostly use the word that fits; a spinner
                      picks from the whole thesaurus: "district tribunal"
                      where "district court" is far more common. A word
                      counts once in each step it reaches, so the model
                      gives each step its own weight.
``malformed_word``    a word the table lacks that is a common word the
                      thesaurus knows plus a regular suffix ("holded")
``unknown_word``      a lowercase word of 4+ letters the table lacks that is
                      not one keystroke away from a listed word either
``filler``            spinner filler: "as well as", "and also", "undoubtedly"
``scar``              typographic scars (both from data/spun_artifacts.toml)

Typos leave little of this: a misspelt word is in no table, so it has no
synonyms, and it is one keystroke away from the word it spoils.

A logistic model weighs the counts against the number of words, of
content-word pairs and of words with synonyms they were found in, so evidence
adds up with length as a likelihood ratio does. Its weights are fitted by
``bench/spun_eval.py`` on clean paragraphs, typo-ridden and spun copies of
them, and ship as data/spun_model.json; the weight of scars is set by hand
there, since the evaluation's spinner leaves none.

A document is scored on all its kept text by how far its evidence lies above
clean text's, in standard deviations of clean text of its length (at least
30 words): a long article steadily above clean prose is spun although each
paragraph alone is too short to tell. A paragraph scores the higher of two
readings: its own evidence, read with up to ``shrink_words`` of its document
at the document's rates; and its document's score, lowered as far as its own
evidence falls below the document's (spinners rewrite whole articles, and a
heading carries too few words to judge alone).

Reference data: the unigram and bigram counts of a web corpus that ship in
the ``wordsegment`` package, and data/thesaurus.tsv.gz, built from WordNet
by scripts/build_thesaurus.py. They are English: other languages get no
score, with the reason.
"""
from __future__ import annotations

import gzip
import json
import math
import re
import tomllib
from array import array
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..prefilter import may_match, prefilter_literals
from ..result import Decision, Line, SpunPassage, SpunResult
from .base import Document
from ..tablecache import cached, join_arrays, split_arrays

COVERED_LANGUAGES = frozenset({"en"})
# How much better, in nats (natural log), a synonym must fit for each step of
# "better_synonym". Clean prose has such words at every step, fewer at each:
# of the words with synonyms in the evaluation's clean paragraphs, 25% reach
# 1 nat, 14% 2, 3.5% 4, 0.8% 6, 0.2% 8; of its 50%-spun copies 46%, 34%,
# 18%, 9% and 4%, and 1.7% reach 10, where clean ones practically never do.
SYNONYM_STEPS = (1, 2, 3, 4, 5, 6, 8, 10)
SYNONYM_FEATURES = tuple(f"better_synonym_{step}" for step in SYNONYM_STEPS)
# A passage's notes name the words whose synonym fits at least e^2 (about 7
# times) better. A word that reaches only 1 nat weighs about what any word
# with synonyms is expected to (in the shipped model +0.12 against -0.11), so
# naming it would explain nothing.
NOTED_GAIN = 2
FEATURES = SYNONYM_FEATURES + ("malformed_word", "unknown_word", "filler", "scar")
# The model's inputs: the evidence counts, and how many words, content-word
# pairs and words with synonyms they were found in (per 100), which carry the
# expected counts of clean text.
INPUTS = FEATURES + ("words", "content_pairs", "candidates")
# A possessive is read as its word ("agency's" as agency; the tables have no
# apostrophes) with no neighbour after it; other contractions ("don't") stay
# whole, and unread.
_WORD = re.compile(r"[A-Za-z]+(?:['’](?!s\b)[A-Za-z]+)?")
# Function words are never counted as swapped themselves (no spinner swaps
# "the"), and a pair of content words is read only between these.
FUNCTION_WORDS = frozenset(
    """a an the and or but nor if of to in on at by for with from as into onto over under about
    is are was were be been being am it its this that these those he she they we you i me him her
    them us his hers their our your my not no do does did done has have had will would can could
    should may might must shall there here than then so such what which who whom whose when where
    why how all any each every some also very just only too more most across through after before
    between during against without within among since until while up down out off per via upon""".split()
)
ARTIFACT_KINDS = ("scar", "filler")
# A document is judged by how far its evidence lies above clean text's, in
# standard deviations of clean text of its length (z). The paragraph model's
# boundary is set for a paragraph's few words; a long document that sits
# steadily above clean text is spun even below that boundary. On the
# evaluation's held-out pages, clean and typo-ridden pages reach z = 2.7 and
# 3.0 at most; at 4 the score is 0.5, and each further unit of z multiplies
# the odds by e^DOCUMENT_Z_SLOPE (4.5).
DOCUMENT_Z_AT_HALF = 4.0
DOCUMENT_Z_SLOPE = 1.5
# A passage starts from its document's logit, at most this (a score of
# 0.999, the highest shown), and loses DOCUMENT_Z_SLOPE per standard
# deviation its own evidence falls below the document's rate. Without the
# cap a heavily spun document would carry every line, however clean.
PASSAGE_PRIOR_MAX_LOGIT = 7.0
# "malformed_word": a regular suffix (as written, as the stem ends) on a stem
# at least this common. Spinners inflect their synonyms by rule ("holded",
# "switchings"); a typo rarely lands on a common stem plus a whole suffix.
SUFFIXES = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("d", ""), ("ing", ""), ("ing", "e"))
MALFORMED_MIN_STEM_COUNT = 1_000_000
_LOG_MALFORMED_MIN_STEM_COUNT = math.log(MALFORMED_MIN_STEM_COUNT)
# "unknown_word": a keyboard slip is one edit (a letter dropped, doubled,
# swapped or mistyped) from the word it spoils; a word with a neighbour that
# common is taken for a typo, not for a spinner's rare synonym.
TYPO_NEIGHBOUR_MIN_COUNT = 100_000
_LOG_TYPO_NEIGHBOUR_MIN_COUNT = math.log(TYPO_NEIGHBOUR_MIN_COUNT)
UNKNOWN_MIN_LETTERS = 4
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Artifact:
    name: str
    pattern: re.Pattern[str]
    weight: float
    kind: str  # "scar" or "filler"
    # One of these is in every match (read off the pattern, see
    # cleaner/prefilter.py): most passages hold none, and are not searched.
    literals: tuple[str, ...] | None = None

    def may_occur_in(self, text: str) -> bool:
        return may_match(self.literals, text)


@dataclass
class ReferenceTables:
    """Natural logs of the reference corpus's counts, and the thesaurus;
    loaded on the first English document."""

    log_unigrams: dict[str, float]
    # The pairs, both ways round: first -> second -> log count, and
    # second -> first -> log count. Looking a word's synonyms up next to one
    # neighbour is then one small dictionary, with no pair strings to build.
    # Only pairs whose inner word is on a slate (see load_reference_tables).
    followers: dict[str, dict[str, float]]
    preceders: dict[str, dict[str, float]]
    log_total: float
    # The table lists the pairs seen at least its smallest count of times, so
    # an unlisted pair was seen fewer: taken as half that, or as often as
    # chance would pair its words if that is rarer.
    log_unseen_pair: float
    # word -> (the word and then its synonyms, most frequent first; their log
    # counts): the slate a synonym is picked from, laid out for that. The
    # slates hold strings of their own and their counts in arrays, whose
    # numbers are read without writing to them (see load_reference_tables).
    choices: dict[str, tuple[tuple[str, ...], array]]


@dataclass(frozen=True)
class SpunModel:
    artifacts: tuple[Artifact, ...]
    weights: dict[str, float]
    bias: float
    min_words: int
    shrink_words: int
    # The model's logit less its bias, per 100 words of clean and typo-ridden
    # text: its mean, and its spread from page to page (per square root of
    # 100 words), measured by bench/spun_eval.py.
    clean_margin: float
    clean_spread: float

    @property
    def tables(self) -> ReferenceTables:
        # Not a field: the tables are large, so a pickled model (sent to a
        # worker) leaves them behind and each process loads its own, once.
        return load_reference_tables()


def _read_log_counts(name: str):
    """(key, log count) for each "key<TAB>count" line of one of wordsegment's
    count files, read line by line: the files whole, split, raised each
    process's peak memory by about 65 MB while it loaded them."""
    log = math.log
    with resources.files("wordsegment").joinpath(name).open(encoding="utf-8") as handle:
        for line in handle:
            key, _, count = line.rpartition("\t")
            yield key, log(int(count))


@lru_cache(maxsize=1)
def load_reference_tables() -> ReferenceTables:
    """The process's tables: from the cache if they were built before from
    the same files (see cleaner/tablecache.py), else built."""
    return cached("spun-tables", _table_inputs, build_reference_tables, _tables_to_plain, _tables_from_plain)


def _table_inputs() -> list[bytes]:
    wordsegment = resources.files("wordsegment")
    return [
        wordsegment.joinpath("unigrams.txt").read_bytes(),
        wordsegment.joinpath("bigrams.txt").read_bytes(),
        resources.files("cleaner").joinpath("data/thesaurus.tsv.gz").read_bytes(),
        Path(__file__).read_bytes(),  # the code that builds them
    ]


def _tables_to_plain(tables: ReferenceTables) -> tuple:
    # marshal keeps an object that is reached twice as one object, so the
    # strings the tables share stay shared when they are read back.
    slates = {word: slate for word, (slate, _) in tables.choices.items()}
    counts = join_arrays(counts for _, counts in tables.choices.values())
    return (tables.log_unigrams, tables.followers, tables.preceders, tables.log_total, tables.log_unseen_pair,
            slates, counts)


def _tables_from_plain(plain: tuple) -> ReferenceTables:
    unigrams, followers, preceders, log_total, log_unseen_pair, slates, counts = plain
    rows = split_arrays(counts, map(len, slates.values()))
    choices = {word: (slate, next(rows)) for word, slate in slates.items()}
    if next(rows, None) is not None:
        raise ValueError("spun tables: more counts than slates")
    return ReferenceTables(unigrams, followers, preceders, log_total, log_unseen_pair, choices)


def build_reference_tables() -> ReferenceTables:
    """The tables, laid out to be shared. The batch loads them before it forks
    its workers, which share these pages with it until they write to one.
    Reading a table writes: a value looked up, or a slate read, gets its
    reference count raised, and the page it lies on is copied into the
    worker. So fewer objects are read: a slate's counts are an array, whose
    numbers are read without writing to it, and the slates hold strings of
    their own (43,000 words), not the word table's keys (333,000 words,
    which lookups only compare)."""
    unigrams = dict(_read_log_counts("unigrams.txt"))
    raw = resources.files("cleaner").joinpath("data/thesaurus.tsv.gz").read_bytes()
    choices: dict[str, tuple[tuple[str, ...], array]] = {}
    candidates: dict[str, str] = {}  # every word on a slate, one string each, shared by the slates
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        form, _, synonyms = line.partition("\t")
        slate = tuple(candidates.setdefault(word, word) for word in (form, *synonyms.split()) if word in unigrams)
        if slate[:1] == (form,) and len(slate) > 1:
            choices[slate[0]] = (slate, array("d", map(unigrams.__getitem__, slate)))
    # A pair is only ever looked up with a slate's word in it, so each
    # direction keeps the pairs whose looked-up word is on a slate (60% of
    # them); the smallest count is that of the whole table.
    followers: dict[str, dict[str, float]] = {}
    preceders: dict[str, dict[str, float]] = {}
    same = {word: word for word in unigrams}  # one string per neighbour, shared by the tables
    smallest = math.inf
    for pair, count in _read_log_counts("bigrams.txt"):
        first, _, second = pair.partition(" ")
        if second in candidates:
            followers.setdefault(same.get(first, first), {})[candidates[second]] = count
        if first in candidates:
            preceders.setdefault(same.get(second, second), {})[candidates[first]] = count
        if count < smallest:
            smallest = count
    # The corpus the counts come from has this many tokens (wordsegment's documentation).
    log_total = math.log(1_024_908_267_229.0)
    return ReferenceTables(unigrams, followers, preceders, log_total, smallest - math.log(2), choices)


@lru_cache(maxsize=1)
def load_spun_data() -> SpunModel:
    data = resources.files("cleaner").joinpath("data")
    raw = tomllib.loads(data.joinpath("spun_artifacts.toml").read_text(encoding="utf-8"))
    artifacts = []
    for a in raw["artifact"]:
        kind = a.get("kind", "scar")
        if kind not in ARTIFACT_KINDS:
            raise ValueError(f"spun_artifacts.toml: {a['name']}: kind {kind!r}, expected one of {ARTIFACT_KINDS}")
        pattern = re.compile(a["pattern"])
        artifacts.append(Artifact(a["name"], pattern, float(a["weight"]), kind, prefilter_literals(pattern)))
    model = json.loads(data.joinpath("spun_model.json").read_text(encoding="utf-8"))
    return model_from(tuple(artifacts), model)


def model_from(artifacts: tuple[Artifact, ...], model: dict) -> SpunModel:
    if set(model["weights"]) != set(INPUTS):
        raise ValueError(f"spun model: weights for {sorted(model['weights'])}, expected {sorted(INPUTS)}")
    clean = model["clean_per_100_words"]
    return SpunModel(
        artifacts,
        dict(model["weights"]),
        float(model["bias"]),
        int(model["min_words"]),
        int(model["shrink_words"]),
        float(clean["margin"]),
        float(clean["spread"]),
    )


@dataclass
class PassageEvidence:
    """What one passage shows: counts per feature and the words behind them."""

    words: int = 0
    content_pairs: int = 0
    candidates: int = 0
    counts: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FEATURES, 0.0))
    notes: list[str] = field(default_factory=list)

    def add(self, other: "PassageEvidence") -> None:
        self.words += other.words
        self.content_pairs += other.content_pairs
        self.candidates += other.candidates
        for name in FEATURES:
            self.counts[name] += other.counts[name]


_NONE: dict[str, float] = {}  # no listed pairs with that neighbour


def _best_synonym(
    tables: ReferenceTables, words: tuple[str, ...], counts: array, left: str | None, right: str | None
) -> tuple[str, float]:
    """The synonym that fits between `left` and `right` (None: no listed
    neighbour there) best, and by how much better than the word, in nats;
    `words` and `counts` are the word's choices (see ReferenceTables).

    A word's fit is the log of its count in that slot, up to a constant shared
    by every word there: log c(left x) + log c(x right) - log c(x) with both
    neighbours, one pair's count with one, the word's own count with none.
    Written out per case, since it runs for every synonym of every word.
    """
    unigrams, unseen, total = tables.log_unigrams, tables.log_unseen_pair, tables.log_total
    # Every listed pair has a log count above 11 (100,000 times), so `or`
    # falls through only for an unlisted one, whose estimate is the smaller of
    # `unseen` and chance (`lead`/`tail` + the word's count).
    if left and right:
        after, before = tables.followers.get(left, _NONE), tables.preceders.get(right, _NONE)
        lead, tail = unigrams[left] - total, unigrams[right] - total
        lead_cut, tail_cut = unseen - lead, unseen - tail
        fits = [
            (after.get(x) or (lead + c if c < lead_cut else unseen))
            + (before.get(x) or (tail + c if c < tail_cut else unseen))
            - c
            for x, c in zip(words, counts)
        ]
    elif left:
        after = tables.followers.get(left, _NONE)
        lead = unigrams[left] - total
        lead_cut = unseen - lead
        fits = [after.get(x) or (lead + c if c < lead_cut else unseen) for x, c in zip(words, counts)]
    elif right:
        before = tables.preceders.get(right, _NONE)
        tail = unigrams[right] - total
        tail_cut = unseen - tail
        fits = [before.get(x) or (tail + c if c < tail_cut else unseen) for x, c in zip(words, counts)]
    else:
        fits = list(counts)
    own, fits[0] = fits[0], -math.inf
    best = max(fits)
    return words[fits.index(best)], best - own


def _malformed_stem(tables: ReferenceTables, word: str) -> str | None:
    """The common stem, if `word` is one with a suffix it should not take."""
    for suffix, ending in SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)] + ending
            if tables.log_unigrams.get(stem, -math.inf) >= _LOG_MALFORMED_MIN_STEM_COUNT and stem in tables.choices:
                return stem
    return None


def _one_edit_away(word: str):
    """Every string one deletion, transposition, substitution or insertion from `word`."""
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        if tail:
            yield head + tail[1:]
            if len(tail) > 1:
                yield head + tail[1] + tail[0] + tail[2:]
        for letter in _LETTERS:
            if tail:
                yield head + letter + tail[1:]
            yield head + letter + tail


def _looks_like_typo(tables: ReferenceTables, word: str) -> bool:
    unigrams = tables.log_unigrams
    return any(unigrams.get(near, -math.inf) >= _LOG_TYPO_NEIGHBOUR_MIN_COUNT for near in _one_edit_away(word))


def passage_evidence(text: str, model: SpunModel, artifacts: tuple[Artifact, ...] | None = None) -> PassageEvidence:
    """The evidence of one passage. `artifacts`: those worth searching for
    (a document's caller knows which its text may hold); by default, the
    model's that `text` may hold."""
    tables = model.tables
    unigrams, choices = tables.log_unigrams, tables.choices
    matches = list(_WORD.finditer(text))
    written = [m.group() for m in matches]
    words = [w.lower() for w in written]
    # Neighbours count only when a single space separates them: a comma or a
    # full stop ends the pair.
    adjacent = [b.start() - a.end() == 1 and text[a.end()] == " " for a, b in zip(matches, matches[1:])]
    listed = [word in unigrams for word in words]
    evidence = PassageEvidence(words=len(words))
    counts, notes = evidence.counts, evidence.notes
    last = len(words) - 1
    for i, word in enumerate(words):
        if word in FUNCTION_WORDS:
            continue
        if not listed[i]:
            if not (written[i].isalpha() and written[i].islower()):
                continue  # names, acronyms and contractions are missing from the table for other reasons
            stem = _malformed_stem(tables, word)
            if stem:
                counts["malformed_word"] += 1
                notes.append(f"malformed_word: {written[i]!r} ({stem!r} with a suffix it does not take)")
            elif len(word) >= UNKNOWN_MIN_LETTERS and not _looks_like_typo(tables, word):
                counts["unknown_word"] += 1
                notes.append(f"unknown_word: {written[i]!r}")
            continue
        left = words[i - 1] if i > 0 and adjacent[i - 1] and listed[i - 1] else None
        right = words[i + 1] if i < last and adjacent[i] and listed[i + 1] else None
        if right and right not in FUNCTION_WORDS:
            evidence.content_pairs += 1
        slate = choices.get(word)
        if slate is None:
            continue
        evidence.candidates += 1
        best, gain = _best_synonym(tables, *slate, left, right)
        if gain < SYNONYM_STEPS[0]:
            continue
        for step, feature in zip(SYNONYM_STEPS, SYNONYM_FEATURES):
            if gain >= step:
                counts[feature] += 1
        if gain < NOTED_GAIN:
            continue
        as_written = " ".join(x for x in (left, written[i], right) if x)
        usual = " ".join(x for x in (left, best, right) if x)
        notes.append(f"better_synonym: {as_written!r} ({usual!r} fits {math.exp(gain):,.0f}x better)")
    for artifact in model.artifacts if artifacts is None else artifacts:
        if not artifact.may_occur_in(text):
            continue
        for match in artifact.pattern.finditer(text):
            counts[artifact.kind] += artifact.weight
            notes.append(f"{artifact.name}: {match.group(0).strip()!r}")
    return evidence


def feature_values(
    evidence: PassageEvidence, prior: PassageEvidence | None, model: SpunModel, min_words: int | None = None
) -> dict[str, float]:
    """The model's inputs: each kind of evidence counted, with the numbers of
    words, content-word pairs and words with synonyms (per 100) that they
    are weighed against.

    Counts rather than rates, so evidence adds up as a log-likelihood ratio
    does: 3 swaps in 60 words are a hint, 50 in 1,000 are proof. With a
    `prior` (the passage's document), the passage is read as if it had
    `shrink_words` more words at the document's rates. A passage counts at
    least `min_words` (the model's, by default) words: fewer are too few to
    set a rate against.
    """
    floor = model.min_words if min_words is None else min_words
    words, pairs = float(max(evidence.words, floor)), float(evidence.content_pairs)
    candidates = float(evidence.candidates)
    counts = dict(evidence.counts)
    # Never more of the document than there is besides the passage itself.
    borrowed = min(model.shrink_words, prior.words - evidence.words) if prior is not None else 0
    if borrowed > 0:
        share = borrowed / prior.words
        for name in counts:
            counts[name] += share * prior.counts[name]
        words += borrowed
        pairs += share * prior.content_pairs
        candidates += share * prior.candidates
    return {**counts, "words": words / 100.0, "content_pairs": pairs / 100.0, "candidates": candidates / 100.0}


def _squash(logit: float) -> float:
    """A probability truncated to 3 decimals: never 1.0, so a threshold of
    1.0 flags nothing."""
    return math.floor(1000.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))) / 1000.0


def probability(values: dict[str, float], model: SpunModel) -> float:
    """The paragraph model's probability."""
    return _squash(model.bias + margin(values, model))


def margin(values: dict[str, float], model: SpunModel) -> float:
    """The paragraph model's logit less its bias: the evidence, weighed
    against what clean text of that length would show."""
    return sum(model.weights[name] * values[name] for name in INPUTS)


def _clean_z(evidence: PassageEvidence, model: SpunModel, per_100_words: float, min_words: int = 0) -> float:
    """How many standard deviations of clean text `evidence` lies above
    `per_100_words` (a margin per 100 words) for its length, counted as at
    least `min_words` words."""
    hundreds = max(evidence.words, min_words) / 100.0
    values = feature_values(evidence, None, model, min_words=min_words)
    return (margin(values, model) - per_100_words * hundreds) / (model.clean_spread * math.sqrt(hundreds))


def _read_document(lines: list[Line], model: SpunModel) -> tuple[list[tuple[Line, PassageEvidence]], PassageEvidence]:
    """Each line's evidence, and all of it added up as the document's."""
    # The artifacts the document may hold at all: most hold few or none.
    joined = "\n".join(line.text for line in lines)
    artifacts = tuple(artifact for artifact in model.artifacts if artifact.may_occur_in(joined))
    found = [(line, passage_evidence(line.text, model, artifacts)) for line in lines]
    document = PassageEvidence()
    for _, evidence in found:
        document.add(evidence)
    return found, document


def _document_z(document: PassageEvidence, model: SpunModel) -> float:
    # A document of a few words counts as the paragraph model's least (30):
    # one odd word in a headline is not a spun article.
    return _clean_z(document, model, model.clean_margin, model.min_words)


def document_z(lines: list[Line], model: SpunModel | None = None) -> float:
    """How far the evidence of `lines`, read as one document, lies above
    clean text's, in standard deviations of clean text of that length."""
    model = model or load_spun_data()
    _, document = _read_document(lines, model)
    return _document_z(document, model) if document.words else 0.0


def score_text(text: str, model: SpunModel | None = None) -> float:
    """The score of `text` taken as one passage (what the evaluation measures)."""
    model = model or load_spun_data()
    return probability(feature_values(passage_evidence(text, model), None, model), model)


def score_spun(
    lines: list[Line], language: str | None, threshold: float, model: SpunModel | None = None
) -> SpunResult:
    """Score the kept `lines`; `language` is the detected language code."""
    if language is not None and language not in COVERED_LANGUAGES:
        return SpunResult(None, False, (), f"not applicable: language {language!r} is not covered (English only)")
    if language is None:
        return SpunResult(None, False, (), "not applicable: language unknown")
    model = model or load_spun_data()
    found, document = _read_document(lines, model)
    if document.words == 0:
        return SpunResult(0.0, False, ())
    document_logit = DOCUMENT_Z_SLOPE * (_document_z(document, model) - DOCUMENT_Z_AT_HALF)
    document_rate = margin(feature_values(document, None, model, min_words=0), model) / (document.words / 100.0)
    document_score = _squash(document_logit)
    prior = min(document_logit, PASSAGE_PRIOR_MAX_LOGIT)

    def passage_score(evidence: PassageEvidence) -> float:
        # On its own evidence (read with some of its document), or as part of
        # its document unless its evidence falls clearly below the
        # document's: a quotation left as written in a spun article.
        logit = model.bias + margin(feature_values(evidence, document, model), model)
        if prior > logit:  # else the document's reading, which only lowers the prior, cannot win
            logit = max(logit, prior + DOCUMENT_Z_SLOPE * min(0.0, _clean_z(evidence, model, document_rate)))
        return _squash(logit)

    passages = tuple(
        SpunPassage(
            line.number,
            passage_score(evidence),
            tuple(evidence.notes) or (f"no evidence of its own; read with its document (score {document_score:.3f})",),
        )
        for line, evidence in found
        if evidence.words
    )
    return SpunResult(document_score, document_score >= threshold, passages)


# The longest line the scorer reads whole (see SpunStep.readable). The
# longest line of the development pages, seeds and fixtures is 1,223.
SPUN_LINE_CHARS = 20_000


class SpunStep:
    """Scores the kept lines; each passage is `flagged` here, once, from the
    threshold. With `drop`, a flagged document's flagged passages are dropped
    (those no earlier step claimed)."""

    name = "spun"

    def __init__(self, data: SpunModel, threshold: float, drop: bool) -> None:
        self.data = data
        self.threshold = threshold
        self.drop = drop

    def __call__(self, document: Document) -> dict[int, Decision]:
        spun = score_spun(self.readable(document.kept()), document.language.code, self.threshold, self.data)
        passages = tuple(replace(p, flagged=p.score >= self.threshold) for p in spun.passages)
        document.spun = replace(spun, passages=passages)
        if not (self.drop and spun.flagged):
            return {}
        return {p.line: Decision(False, "spun", "; ".join(p.evidence)) for p in passages if p.flagged}

    @staticmethod
    def readable(lines: list[Line]) -> list[Line]:
        """The lines as the scorer reads them: each at most `SPUN_LINE_CHARS`
        long (cut at a space). A paragraph is a few thousand characters at
        most; a longer line is no paragraph, and scoring all of a 20 MB line
        held 60 times its size in memory."""
        return [
            l if len(l.text) <= SPUN_LINE_CHARS else Line(l.number, l.text[:SPUN_LINE_CHARS].rsplit(" ", 1)[0])
            for l in lines
        ]
