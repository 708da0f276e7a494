"""spun: score passages for signs of an article spinner.

A spinner swaps words for thesaurus synonyms without regard to sense ("an
acute rise" for a sharp rise, "functionaries say" for officials say) and
leaves typographic scars ("COVID-1 9", "R& D"). Each kept paragraph is read
for six kinds of evidence:

``broken_pair``  a word whose neighbour (a content word) forms a common pair in
                 the reference table with one of its synonyms, never with it:
                 "acute rise" where "sharp rise" is common
``weak_pair``    the same with a function-word neighbour, which says less
                 ("their merchandises" where "their wares" is common)
``rarer_word``   a word with a synonym at least 30 times as common: spinners
                 pick from the whole thesaurus, writers mostly the usual word
``unseen_pair``  the share of adjacent content-word pairs the table lacks
``filler``       spinner filler: "as well as", "and also", "undoubtedly"
``scar``         typographic scars (both from data/spun_artifacts.toml)

Typos leave none of this: a misspelt word is in neither table, so it forms no
pair and has no synonyms.

A logistic model weighs the counts against the number of words and word
pairs they were found in, so evidence adds up with length as a likelihood
ratio does. Its weights are fitted by ``bench/spun_eval.py`` on clean
paragraphs, typo-ridden and spun copies of them, and ship as
data/spun_model.json; the weight of scars is set by hand there, since the
evaluation's spinner leaves none. A paragraph is read together with up to
``shrink_words`` of its document at the document's rates (spinners rewrite
whole articles, and a heading carries too few words to judge alone); the
document is scored on all its kept text.

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
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ..result import Line, SpunPassage, SpunResult

COVERED_LANGUAGES = frozenset({"en"})
FEATURES = ("broken_pair", "weak_pair", "rarer_word", "unseen_pair", "filler", "scar")
# The model's inputs: the evidence counts, and how many words and content-word
# pairs they were found in (per 100), which carry the expected counts of clean text.
INPUTS = FEATURES + ("words", "content_pairs")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
# Function words: pairs with these are weak evidence, and they are never
# counted as swapped themselves (no spinner swaps "the").
FUNCTION_WORDS = frozenset(
    """a an the and or but nor if of to in on at by for with from as into onto over under about
    is are was were be been being am it its this that these those he she they we you i me him her
    them us his hers their our your my not no do does did done has have had will would can could
    should may might must shall there here than then so such what which who whom whose when where
    why how all any each every some also very just only too more most across through after before
    between during against without within among since until while up down out off per via upon""".split()
)
# "rarer_word": the commonest synonym is at least this many times as frequent
# (10^1.5, about 30x). At 10x a fifth of the words of clean news prose
# qualify; at 30x about one in twenty.
RARER_RATIO = 10**1.5
ARTIFACT_KINDS = ("scar", "filler")
# "weak_pair": with a function word only a strong collocation counts
# (pointwise mutual information, natural log, of the synonym pair).
WEAK_PAIR_MIN_PMI = 2.0


@dataclass(frozen=True)
class Artifact:
    name: str
    pattern: re.Pattern[str]
    weight: float
    kind: str  # "scar" or "filler"


@dataclass
class ReferenceTables:
    """Counts from the reference corpus and the thesaurus; loaded on first English document."""

    unigrams: dict[str, int]
    bigrams: dict[str, int]
    total: float
    thesaurus: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class SpunModel:
    artifacts: tuple[Artifact, ...]
    weights: dict[str, float]
    bias: float
    min_words: int
    shrink_words: int

    @property
    def tables(self) -> ReferenceTables:
        # Not a field: the tables are large, so a pickled model (sent to a
        # worker) leaves them behind and each process loads its own, once.
        return load_reference_tables()


def _read_counts(name: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    with resources.files("wordsegment").joinpath(name).open(encoding="utf-8") as handle:
        for line in handle:
            key, _, count = line.rstrip("\n").rpartition("\t")
            counts[key] = int(count)
    return counts


@lru_cache(maxsize=1)
def load_reference_tables() -> ReferenceTables:
    unigrams = _read_counts("unigrams.txt")
    bigrams = {key: count for key, count in _read_counts("bigrams.txt").items() if " " in key}
    raw = resources.files("cleaner").joinpath("data/thesaurus.tsv.gz").read_bytes()
    thesaurus: dict[str, tuple[str, ...]] = {}
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        form, _, synonyms = line.partition("\t")
        if form in unigrams:
            thesaurus[form] = tuple(s for s in synonyms.split() if s in unigrams)
    # The corpus the counts come from has this many tokens (wordsegment's documentation).
    return ReferenceTables(unigrams, bigrams, 1_024_908_267_229.0, thesaurus)


@lru_cache(maxsize=1)
def load_spun_data() -> SpunModel:
    data = resources.files("cleaner").joinpath("data")
    raw = tomllib.loads(data.joinpath("spun_artifacts.toml").read_text(encoding="utf-8"))
    artifacts = tuple(
        Artifact(a["name"], re.compile(a["pattern"]), float(a["weight"]), a.get("kind", "scar")) for a in raw["artifact"]
    )
    for artifact in artifacts:
        if artifact.kind not in ARTIFACT_KINDS:
            raise ValueError(f"spun_artifacts.toml: {artifact.name}: kind {artifact.kind!r}, expected one of {ARTIFACT_KINDS}")
    model = json.loads(data.joinpath("spun_model.json").read_text(encoding="utf-8"))
    return model_from(artifacts, model)


def model_from(artifacts: tuple[Artifact, ...], model: dict) -> SpunModel:
    if set(model["weights"]) != set(INPUTS):
        raise ValueError(f"spun model: weights for {sorted(model['weights'])}, expected {sorted(INPUTS)}")
    return SpunModel(artifacts, dict(model["weights"]), float(model["bias"]), int(model["min_words"]), int(model["shrink_words"]))


@dataclass
class PassageEvidence:
    """What one passage shows: counts per feature and the words behind them."""

    words: int = 0
    content_pairs: int = 0
    counts: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FEATURES, 0.0))
    notes: list[str] = field(default_factory=list)

    def add(self, other: "PassageEvidence") -> None:
        self.words += other.words
        self.content_pairs += other.content_pairs
        for name in FEATURES:
            self.counts[name] += other.counts[name]


def _pair_evidence(
    tables: ReferenceTables, words: list[str], adjacent: list[bool], i: int, synonyms: tuple[str, ...]
) -> tuple[str, str, str] | None:
    """(feature, pair as written, usual pair) if one of the `synonyms` of
    words[i] forms a listed pair with a neighbour that words[i] does not;
    a content-word neighbour ("broken_pair") wins over a function word ("weak_pair")."""
    found = None
    unigrams, bigrams = tables.unigrams, tables.bigrams
    for side in (-1, 1):
        j = i + side
        if not (0 <= j < len(words) and adjacent[min(i, j)] and words[j] in unigrams):
            continue
        neighbour = words[j]
        pair = f"{neighbour} {words[i]}" if side < 0 else f"{words[i]} {neighbour}"
        if pair in bigrams:
            continue
        weak = neighbour in FUNCTION_WORDS
        best, best_pmi = None, WEAK_PAIR_MIN_PMI if weak else 0.0
        for synonym in synonyms:  # the best pointwise mutual information (natural log) of a synonym pair
            count = bigrams.get(f"{neighbour} {synonym}" if side < 0 else f"{synonym} {neighbour}")
            if count is None:
                continue
            pmi = math.log(count * tables.total / (unigrams[neighbour] * unigrams[synonym]))
            if pmi >= best_pmi:
                best, best_pmi = synonym, pmi
        if best is None:
            continue
        usual = f"{neighbour} {best}" if side < 0 else f"{best} {neighbour}"
        if not weak:
            return "broken_pair", pair, usual
        found = found or ("weak_pair", pair, usual)
    return found


def passage_evidence(text: str, model: SpunModel) -> PassageEvidence:
    tables = model.tables
    unigrams, bigrams, thesaurus = tables.unigrams, tables.bigrams, tables.thesaurus
    matches = list(_WORD.finditer(text))
    words = [m.group().lower() for m in matches]
    adjacent = [text[a.end() : b.start()] == " " for a, b in zip(matches, matches[1:])]
    evidence = PassageEvidence(words=len(words))
    counts, notes = evidence.counts, evidence.notes
    pairs_seen: set[str] = set()
    last = len(words) - 1
    for i, word in enumerate(words):
        if word in FUNCTION_WORDS or word not in unigrams:
            continue
        if i < last and adjacent[i]:
            following = words[i + 1]
            if following not in FUNCTION_WORDS and following in unigrams:
                evidence.content_pairs += 1
                counts["unseen_pair"] += f"{word} {following}" not in bigrams
        synonyms = thesaurus.get(word)
        if not synonyms:
            continue
        pair = _pair_evidence(tables, words, adjacent, i, synonyms)
        if pair and pair[1] not in pairs_seen:  # one pair is one piece of evidence, whichever word of it is read
            feature, seen, usual = pair
            pairs_seen.add(seen)
            counts[feature] += 1
            notes.append(f"{feature}: {seen!r} (usual: {usual!r})")
        ratio = unigrams[synonyms[0]] / unigrams[word]
        if ratio >= RARER_RATIO:
            counts["rarer_word"] += 1
            notes.append(f"rarer_word: {matches[i].group()!r} ({synonyms[0]!r} is {ratio:.0f}x as common)")
    for artifact in model.artifacts:
        for match in artifact.pattern.finditer(text):
            counts[artifact.kind] += artifact.weight
            notes.append(f"{artifact.name}: {match.group(0).strip()!r}")
    return evidence


def feature_values(evidence: PassageEvidence, prior: PassageEvidence | None, model: SpunModel) -> dict[str, float]:
    """The model's inputs: each kind of evidence counted, with the number of
    words and of content-word pairs (per 100) that they are weighed against.

    Counts rather than rates, so evidence adds up as a log-likelihood ratio
    does: 3 swaps in 60 words are a hint, 50 in 1,000 are proof. With a
    `prior` (the passage's document), the passage is read as if it had
    `shrink_words` more words at the document's rates.
    """
    words, pairs = float(max(evidence.words, model.min_words)), float(evidence.content_pairs)
    counts = dict(evidence.counts)
    # Never more of the document than there is besides the passage itself.
    borrowed = min(model.shrink_words, prior.words - evidence.words) if prior is not None else 0
    if borrowed > 0:
        share = borrowed / prior.words
        for name in counts:
            counts[name] += share * prior.counts[name]
        words += borrowed
        pairs += share * prior.content_pairs
    return {**counts, "words": words / 100.0, "content_pairs": pairs / 100.0}


def probability(values: dict[str, float], model: SpunModel) -> float:
    """The model's probability, truncated to 3 decimals: never 1.0, so a
    threshold of 1.0 flags nothing."""
    logit = model.bias + sum(model.weights[name] * values[name] for name in INPUTS)
    return math.floor(1000.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))) / 1000.0


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
    found = [(line, passage_evidence(line.text, model)) for line in lines]
    document = PassageEvidence()
    for _, evidence in found:
        document.add(evidence)
    if document.words == 0:
        return SpunResult(0.0, False, ())
    document_score = probability(feature_values(document, None, model), model)
    passages = tuple(
        SpunPassage(
            line.number,
            probability(feature_values(evidence, document, model), model),
            tuple(evidence.notes) or (f"no evidence of its own; read with its document (score {document_score:.2f})",),
        )
        for line, evidence in found
        if evidence.words
    )
    return SpunResult(document_score, document_score >= threshold, passages)
