"""spun: score passages for signs of an article spinner.

A spinner swaps words for thesaurus entries without regard to sense ("an
acute rise" for a sharp rise, "functionaries say" for officials say,
"profound learning" for deep learning), inflects them bluntly ("holded",
"switchings") and leaves typographic scars ("COVID-1 9", "R& D"). No list of
spinners' thesauri is complete, so most of the evidence asks only how well
each word sits where it stands, against what its frequency predicts:

``unlisted_{function,content}_pair_K``
                      a content word and its neighbour (a function word
                      or another content word) that the reference table of
                      common pairs lacks although their frequencies, taken
                      as independent, expect them together e^K times or
                      more (K = 6, 9, 12; ``{function,content}_pairs_K``
                      counts every such pair, listed or not, for the model
                      to weigh them against). Writers put common words
                      together in common ways; a swapped word breaks its
                      pairs.
``rarer_than_K``      a content word seen fewer than e^K times in the
                      reference corpus (K = 10, 12, 14, 16): swaps drawn
                      from a whole thesaurus are rarer words than writers
                      choose.
``better_synonym_N``  a word that a word it could have replaced fits at
                      least e^N times better beside its neighbours (N = 3
                      to 6, 8, 10), allowing for how much more common that
                      word is: this names the likely original word. The
                      candidates come from two sources that ship with the
                      package: WordNet synonyms, and the nearest neighbours
                      in a space of static word vectors. One word of a
                      common two-word expression replaced ("district
                      tribunal", a broken collocation) shows here too.
``malformed_word``    a word the table lacks that is a common word plus a
                      regular suffix it does not take ("holded")
``tortured_phrase``   a phrase of the tortured-phrase list
                      (data/tortured_phrases.tsv): "counterfeit consciousness"
``filler``, ``scar``  spinner filler ("and also") and typographic scars
                      (data/spun_artifacts.toml)

Words that are not prose are not read at all: identifiers (``snake_case``,
``camelCase``, words against digits, dots, slashes or "@", as in host
names, paths and e-mail addresses, or followed by "("), capitalised words
inside a sentence (names of people, places and products), and words the
document uses three times or more (its topic and its technical terms,
whose sense there is not the everyday one a thesaurus knows: "kernel",
"canvas"). British and American spellings of one word are never each
other's evidence ("neighbour"/"neighbor"), nor are a word's own forms.

Typos leave little of this: a misspelt word is in no table, so it has no
pairs and no candidates. A word the table lacks is evidence only as a common
word with a suffix it does not take; other unknown words are not (they were
once: on the genre set's dev half, coinages in verse and jokes and
identifiers run together in manuals made them the main cause of false
alarms, for 0.03 of held-out AUC on one spinner).

A logistic model weighs the counts against the number of words, of content
word pairs and of words with candidates, so evidence adds up with length as
a likelihood ratio does. Its weights are fitted by ``bench/spun_eval.py`` on
clean paragraphs, typo-ridden and spun copies of them (five spinners with
three sources of words), and ship as data/spun_model.json; the weights of
scars and tortured phrases are set by hand there, since the evaluation's
spinners leave no scars and its tortured phrases are the list's own.

A document is scored on all its kept text by how far its evidence lies
above clean text's, in standard deviations of clean text of its length (at
least DOCUMENT_MIN_WORDS, at most DOCUMENT_MAX_WORDS): a long article steadily above
clean prose is spun although each paragraph alone is too short to tell. A
paragraph scores the higher of two readings: its own evidence, read with up
to ``shrink_words`` of its document at the document's rates; and its
document's score, lowered as far as its own evidence falls below the
document's.

Reference data: the unigram and bigram counts of a web corpus that ship in
the ``wordsegment`` package; data/thesaurus.tsv.gz, built from WordNet by
scripts/build_thesaurus.py; data/neighbours.tsv.gz, built from the word
vectors in the ``wordllama`` wheel by scripts/build_neighbours.py. They are
English: other languages get no score, with the reason.
"""
from __future__ import annotations

import gzip
import json
import math
import re
import tomllib
from array import array
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field, replace
from itertools import accumulate
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..prefilter import may_match, prefilter_literals
from ..result import Decision, Line, SpunPassage, SpunResult
from .base import Document
from ..tablecache import cached, join_arrays, split_arrays

COVERED_LANGUAGES = frozenset({"en"})
# The sources of the words a swapped word may have replaced, and their files.
SOURCE_FILES = {"wordnet": "data/thesaurus.tsv.gz", "vectors": "data/neighbours.tsv.gz"}
ALL_SOURCES = tuple(SOURCE_FILES)
# Candidates per word at most, the most common first: past eight they are
# rare words that no writer was likely to have meant, and each costs a
# look-up (twelve took 2.7% more of the scorer's instructions than eight
# on 40 development pages).
MAX_CANDIDATES = 8
# How much better, in nats, a candidate must fit for each step of
# "better_synonym". A word's fit beside its neighbours is the log count of
# its pairs with them less FREQUENCY_DISCOUNT times its own log count per
# neighbour: without the discount a common word fits every slot better than
# a rarer synonym does ("excessively loud": "too loud" 1,000,000 times more
# often), which says the common word is common, not that a swap was made.
# (A full discount, 1.0, lost 0.02 of in-source AUC and the seeds.) Steps
# below 3 (20 times) fire often in literary prose: without them the
# quotations' paragraphs flagged on the genre set fell from 2.4% to 1.9%,
# for about 0.01 of held-out AUC.
SYNONYM_STEPS = (3, 4, 5, 6, 8, 10)
SYNONYM_FEATURES = tuple(f"better_synonym_{step}" for step in SYNONYM_STEPS)
FREQUENCY_DISCOUNT = 0.5
# A word seen e^19 (180 million) times or more ("said", "people", "year")
# is the usual word for its place: what replaced it would be rarer. Its
# candidates are not weighed (they were, on the development pages, a
# tenth of the look-ups for almost none of the evidence).
COMMONEST_SWAP_LOG_COUNT = 19.0
# A passage's notes name the words whose candidate fits at least e^3 (about
# 20 times) better: the first step of the evidence.
NOTED_GAIN = 3
# "unlisted_pair_K": the expected log count of a pair, from its words' log
# counts as if independent, at which each bin starts. The table lists every
# pair seen 100,000 times (e^11.5) or more: a pair expected e^12 times and
# not listed is rarer than chance, which writers avoid and swaps produce.
PAIR_BINS = (6, 9, 12)
PAIR_KINDS = ("function", "content")
_PAIR_NAMES = {
    kind: (tuple(f"unlisted_{kind}_pair_{k}" for k in PAIR_BINS), tuple(f"{kind}_pairs_{k}" for k in PAIR_BINS))
    for kind in PAIR_KINDS
}
PAIR_FEATURES = tuple(name for kind in PAIR_KINDS for names in _PAIR_NAMES[kind] for name in names)
RARITY_BINS = (10, 12, 14, 16)
RARITY_FEATURES = tuple(f"rarer_than_{k}" for k in RARITY_BINS)
FEATURES = SYNONYM_FEATURES + PAIR_FEATURES + RARITY_FEATURES + (
    "malformed_word", "tortured_phrase", "filler", "scar",
)
# The model's inputs: the evidence counts, and how many words, content-word
# pairs and words with candidates they were found in (per 100).
INPUTS = FEATURES + ("words", "content_pairs", "candidates")
# The document model reads only evidence whose rate in clean text is low and
# much the same from one kind of text to another: a document adds up its
# evidence over thousands of words, and a small difference of genre in the
# pairs and the rarity of its words (a manual's, a book of verse's) would
# add up to false proof, as it did on the genre set before this split.
DOCUMENT_INPUTS = SYNONYM_FEATURES + (
    "malformed_word", "tortured_phrase", "filler", "scar", "words", "candidates",
)
# Weights set by hand, not fitted (see bench/spun_eval.py): the evaluation's
# spinners leave no scars, and its tortured phrases are the list's own. A
# strong scar (weight 2 in data/spun_artifacts.toml) multiplies the odds of
# spinning by e^2; one phrase of the tortured list by e^7, enough to flag a
# paragraph of 80 otherwise clean words: people do not write them.
HAND_SET_WEIGHTS = {"scar": 1.0, "tortured_phrase": 7.0}
# A possessive is read as its word ("agency's" as agency); other
# contractions ("don't") stay whole, and unread.
_WORD = re.compile(r"[A-Za-z]+(?:['’](?!s\b)[A-Za-z]+)?")
# A character against a word that makes it part of an identifier, a path, a
# host or an address rather than prose (a hyphen and an apostrophe do not).
_CODE_BEFORE = frozenset("_/\\@#$%&*+=<>|~^`[{0123456789")
_CODE_AFTER = frozenset("_/\\@#$%&*+=<>|~^`[{(0123456789")
# Where a sentence may start: a capitalised word after these (or at the
# start of a passage) may be any word; elsewhere it is taken for a name.
_SENTENCE_END = frozenset(".!?:;\"“”'‘’(—–-")
# Any of the characters above against a letter, or a dot between two.
_CODE_NEAR = re.compile(r"[_/\\@#$%&*+=<>|~^`\[{0-9][A-Za-z]|[A-Za-z][_/\\@#$%&*+=<>|~^`\[{(0-9]|\w\.\w")
# Function words are never counted as swapped (no spinner swaps "the") nor
# offered as candidates, and a pair of content words is read only between them.
FUNCTION_WORDS = frozenset(
    """a an the and or but nor if of to in on at by for with from as into onto over under about
    is are was were be been being am it its this that these those he she they we you i me him her
    them us his hers their our your my not no do does did done has have had will would can could
    should may might must shall there here than then so such what which who whom whose when where
    why how all any each every some also very just only too more most across through after before
    between during against without within among since until while up down out off per via upon""".split()
)
# A word the document uses this often is one of its topic or technical
# terms: read in its own sense, not as a swap.
TOPIC_WORD_MIN_USES = 3
ARTIFACT_KINDS = ("scar", "filler")
# A document is judged by how far its evidence lies above clean text's, in
# standard deviations of clean text of its length (z). At 4 the score is
# 0.5, and each further unit of z multiplies the odds by e^DOCUMENT_Z_SLOPE.
DOCUMENT_Z_AT_HALF = 4.0
DOCUMENT_Z_SLOPE = 1.5
# z grows with the square root of length for any text whose rate sits a
# little above news prose: a document counts as at most this many words
# (a long article), at its own rate, so that a small difference of genre
# in a manual or a book never adds up to proof. Spinners rewrite whole
# articles at rates far above clean text's, which 3,000 words show.
DOCUMENT_MAX_WORDS = 3000
# A document of fewer words counts as this many, the rest at no evidence: a
# paragraph or two is judged by the paragraph model, which was fitted on
# such, not by the document model's few features. (At 30 words, 40-80-word
# clean paragraphs scored alone were flagged 4.4% of the time in the
# leave-one-out rows without WordNet; at 200, 1.5%; on the seeds and in
# the shipped model's rows it changes nothing but those paragraphs.)
DOCUMENT_MIN_WORDS = 200
PASSAGE_PRIOR_MAX_LOGIT = 7.0
# "malformed_word": a regular suffix (as written, as the stem ends) on a stem
# at least this common.
# A bare "d" only after a stem that ends in "e" ("maked"): after any other
# stem it names a daemon ("systemd", "networkd"), not a past tense.
SUFFIXES = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("d", ""), ("ing", ""), ("ing", "e"))
MALFORMED_MIN_STEM_COUNT = 1_000_000
_LOG_MALFORMED_MIN_STEM_COUNT = math.log(MALFORMED_MIN_STEM_COUNT)
# British and American spellings of one word: each rewrite turns a British
# ending or infix into the American one; two words that meet are one word.
_SPELLING_REWRITES = (
    ("isation", "ization"), ("ise", "ize"), ("ising", "izing"), ("ised", "ized"), ("yse", "yze"),
    ("our", "or"), ("tre", "ter"), ("tres", "ters"), ("ogue", "og"), ("ence", "ense"), ("lled", "led"),
    ("lling", "ling"), ("ller", "ler"), ("ae", "e"), ("oe", "e"), ("grey", "gray"), ("mme", "m"),
)


def spelling_key(word: str) -> str:
    """`word` with British spellings made American ("neighbour" ->
    "neighbor", "centre" -> "center"): equal keys are one word."""
    for british, american in _SPELLING_REWRITES:
        if british in word:
            word = word.replace(british, american)
    return word


_ENDINGS = ("ings", "ing", "ies", "ied", "es", "ed", "ly", "s", "d", "e")


def _stem(word: str) -> str:
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            return word[: -len(ending)]
    return word


def same_word(a: str, b: str) -> bool:
    """Spellings or forms of one word ("neighbour", "neighbor"; "uses",
    "using"; "official", "officially"): never evidence of a swap."""
    a, b = spelling_key(a), spelling_key(b)
    if _stem(a) == _stem(b):
        return True
    prefix = max(min(len(a), len(b), 5) - 1, 3)
    return a[:prefix] == b[:prefix]


@dataclass(frozen=True)
class Artifact:
    name: str
    pattern: re.Pattern[str]
    weight: float
    kind: str  # "scar" or "filler"
    literals: tuple[str, ...] | None = None

    def may_occur_in(self, text: str) -> bool:
        return may_match(self.literals, text)


@dataclass
class ReferenceTables:
    """Natural logs of the reference corpus's counts, and the candidates;
    loaded on the first English document."""

    log_unigrams: dict[str, float]
    # Every listed pair, first -> second -> log count; and for the pairs
    # whose first word is a candidate, second -> first -> log count (the
    # right-hand look-up of a candidate).
    followers: dict[str, dict[str, float]]
    preceders: dict[str, dict[str, float]]
    log_total: float
    # An unlisted pair was seen fewer times than the table's smallest count:
    # taken as half that, or as often as chance would pair its words if rarer.
    log_unseen_pair: float
    # word -> (the word and then its candidates, most frequent first; their
    # log counts). The slates hold strings of their own and their counts in
    # arrays, read without writing to them (see build_reference_tables).
    choices: dict[str, tuple[tuple[str, ...], array]]


@dataclass(frozen=True)
class SpunModel:
    artifacts: tuple[Artifact, ...]
    weights: dict[str, float]
    bias: float
    min_words: int
    shrink_words: int
    # The document model (DOCUMENT_INPUTS), and its logit less bias per 100
    # words of clean and typo-ridden text: the mean, and the spread from
    # page to page (per square root of 100 words), measured by
    # bench/spun_eval.py.
    document_weights: dict[str, float]
    clean_margin: float
    clean_spread: float
    # first word -> ((the phrase's words, the term it replaced), ...)
    phrases: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = field(default_factory=dict)
    # The candidate sources whose tables this model reads (the evaluation
    # leaves one out at a time).
    sources: tuple[str, ...] = ALL_SOURCES

    @property
    def tables(self) -> ReferenceTables:
        # Not a field: the tables are large, so a pickled model (sent to a
        # worker) leaves them behind and each process loads its own, once.
        return load_reference_tables(self.sources)


def _read_log_counts(name: str):
    """(key, log count) for each "key<TAB>count" line of one of wordsegment's
    count files, read line by line (the files whole, split, raised each
    process's peak memory by about 65 MB)."""
    log = math.log
    with resources.files("wordsegment").joinpath(name).open(encoding="utf-8") as handle:
        for line in handle:
            key, _, count = line.rpartition("\t")
            yield key, log(int(count))


def load_reference_tables(sources: tuple[str, ...] = ALL_SOURCES) -> ReferenceTables:
    """The process's tables: from the cache if they were built before from
    the same files (see cleaner/tablecache.py), else built. One copy for
    each set of sources however it is asked for: `lru_cache` keys a call
    by how its arguments are passed, so `load_reference_tables()` and
    `load_reference_tables(ALL_SOURCES)` were two copies of 74 MB, the
    first loaded before the workers were forked and shared, the second
    loaded again in each worker."""
    return _reference_tables(tuple(sources))


@lru_cache(maxsize=4)
def _reference_tables(sources: tuple[str, ...]) -> ReferenceTables:
    return cached(
        "spun-tables",
        lambda: _table_inputs(sources),
        lambda: build_reference_tables(sources),
        _tables_to_plain,
        _tables_from_plain,
    )


def _table_inputs(sources: tuple[str, ...]) -> list[bytes]:
    wordsegment = resources.files("wordsegment")
    data = resources.files("cleaner")
    return [
        wordsegment.joinpath("unigrams.txt").read_bytes(),
        wordsegment.joinpath("bigrams.txt").read_bytes(),
        *(name.encode() + data.joinpath(SOURCE_FILES[name]).read_bytes() for name in sources),
        Path(__file__).read_bytes(),  # the code that builds them
    ]


def _tables_to_plain(tables: ReferenceTables) -> tuple:
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


def read_candidates(sources: tuple[str, ...], unigrams: dict[str, float]) -> dict[str, set[str]]:
    """word -> the words it may have replaced, from each source; a vector
    neighbour counts both ways (a spinner that wrote B for A drew B from
    A's neighbours, while B's own may not hold A)."""
    found: dict[str, set[str]] = {}
    for name in sources:
        raw = resources.files("cleaner").joinpath(SOURCE_FILES[name]).read_bytes()
        for line in gzip.decompress(raw).decode("utf-8").splitlines():
            form, _, others = line.partition("\t")
            for other in others.split():
                found.setdefault(form, set()).add(other)
                if name == "vectors":
                    found.setdefault(other, set()).add(form)
    return found


def build_reference_tables(sources: tuple[str, ...] = ALL_SOURCES) -> ReferenceTables:
    """The tables, laid out to be shared. The batch loads them before it forks
    its workers, which share these pages with it until they write to one.
    Reading a table writes (a value looked up gets its reference count
    raised, and its page is copied into the worker), so fewer objects are
    read: a slate's counts are an array, and the slates hold strings of their
    own (about 45,000 words), not the word table's keys (333,000 words)."""
    unigrams = dict(_read_log_counts("unigrams.txt"))
    choices: dict[str, tuple[tuple[str, ...], array]] = {}
    candidates: dict[str, str] = {}  # every word on a slate, one string each
    for form, others in sorted(read_candidates(sources, unigrams).items()):
        if form not in unigrams or form in FUNCTION_WORDS:
            continue
        usable = sorted(
            (w for w in others if w in unigrams and w not in FUNCTION_WORDS and not same_word(form, w)),
            key=lambda w: (-unigrams[w], w),
        )[:MAX_CANDIDATES]
        if usable:
            slate = tuple(candidates.setdefault(word, word) for word in (form, *usable))
            choices[slate[0]] = (slate, array("d", map(unigrams.__getitem__, slate)))
    followers: dict[str, dict[str, float]] = {}
    preceders: dict[str, dict[str, float]] = {}
    same = {word: word for word in unigrams}
    smallest = math.inf
    for pair, count in _read_log_counts("bigrams.txt"):
        first, _, second = pair.partition(" ")
        followers.setdefault(same.get(first, first), {})[candidates.get(second) or same.get(second, second)] = count
        if first in candidates:
            preceders.setdefault(same.get(second, second), {})[candidates[first]] = count
        if count < smallest:
            smallest = count
    # The corpus the counts come from has this many tokens (wordsegment's documentation).
    log_total = math.log(1_024_908_267_229.0)
    return ReferenceTables(unigrams, followers, preceders, log_total, smallest - math.log(2), choices)


def phrase_table(pairs: dict[str, str]) -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    """The tortured phrases by their first word: {phrase: replaced term} ->
    first word -> ((its words, replaced term), ...), longest first."""
    table: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for phrase, original in pairs.items():
        words = tuple(w.lower() for w in _WORD.findall(phrase))
        table.setdefault(words[0], []).append((words, original))
    return {first: tuple(sorted(found, key=lambda item: -len(item[0]))) for first, found in table.items()}


def read_tortured_phrases(text: str) -> dict[str, str]:
    pairs = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        tortured, tab, original = line.partition("\t")
        if not tab or not tortured.strip() or not original.strip():
            raise ValueError(f"tortured_phrases.tsv:{number}: expected 'phrase<TAB>term', got {line!r}")
        pairs[tortured.strip().lower()] = original.strip()
    return pairs


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
    phrases = phrase_table(read_tortured_phrases(data.joinpath("tortured_phrases.tsv").read_text(encoding="utf-8")))
    model = json.loads(data.joinpath("spun_model.json").read_text(encoding="utf-8"))
    return model_from(tuple(artifacts), model, phrases)


def model_from(
    artifacts: tuple[Artifact, ...], model: dict, phrases: dict | None = None, sources: tuple[str, ...] = ALL_SOURCES
) -> SpunModel:
    if set(model["weights"]) != set(INPUTS):
        raise ValueError(f"spun model: weights for {sorted(model['weights'])}, expected {sorted(INPUTS)}")
    document = model["document"]
    if set(document["weights"]) != set(DOCUMENT_INPUTS):
        raise ValueError(f"spun model: document weights for {sorted(document['weights'])}, expected {sorted(DOCUMENT_INPUTS)}")
    clean = document["clean_per_100_words"]
    return SpunModel(
        artifacts,
        dict(model["weights"]),
        float(model["bias"]),
        int(model["min_words"]),
        int(model["shrink_words"]),
        dict(document["weights"]),
        float(clean["margin"]),
        float(clean["spread"]),
        phrases or {},
        sources,
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


_NONE: dict[str, float] = {}


def _best_synonym(
    tables: ReferenceTables, words: tuple[str, ...], counts: array, left: str | None, right: str | None
) -> tuple[str, float]:
    """The candidate that fits between `left` and `right` (None: no listed
    neighbour there; at least one is given) best, and by how much better
    than the word, in nats; `words` and `counts` are the word's slate.

    A word's fit is the log count of its pair with each neighbour less
    FREQUENCY_DISCOUNT times its own log count per neighbour. An unlisted
    pair's count is the smaller of `unseen` and chance (`lead`/`tail` plus
    the word's count). Written out per case: it runs for every candidate of
    every word.
    """
    unigrams, unseen, total = tables.log_unigrams, tables.log_unseen_pair, tables.log_total
    if left and right:
        after, before = tables.followers.get(left, _NONE), tables.preceders.get(right, _NONE)
        lead, tail = unigrams[left] - total, unigrams[right] - total
        lead_cut, tail_cut = unseen - lead, unseen - tail
        discount = 2 * FREQUENCY_DISCOUNT
        fits = [
            (after.get(x) or (lead + c if c < lead_cut else unseen))
            + (before.get(x) or (tail + c if c < tail_cut else unseen))
            - discount * c
            for x, c in zip(words, counts)
        ]
    elif left:
        after = tables.followers.get(left, _NONE)
        lead = unigrams[left] - total
        lead_cut = unseen - lead
        fits = [(after.get(x) or (lead + c if c < lead_cut else unseen)) - FREQUENCY_DISCOUNT * c for x, c in zip(words, counts)]
    else:
        before = tables.preceders.get(right, _NONE)  # type: ignore[arg-type]
        tail = unigrams[right] - total  # type: ignore[index]
        tail_cut = unseen - tail
        fits = [(before.get(x) or (tail + c if c < tail_cut else unseen)) - FREQUENCY_DISCOUNT * c for x, c in zip(words, counts)]
    own, fits[0] = fits[0], -math.inf
    best = max(fits)
    return words[fits.index(best)], best - own


def _malformed_stem(tables: ReferenceTables, word: str) -> str | None:
    """The common stem, if `word` is one with a suffix it should not take."""
    for suffix, ending in SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)] + ending
            if suffix == "d" and not stem.endswith("e"):
                continue
            if tables.log_unigrams.get(stem, -math.inf) >= _LOG_MALFORMED_MIN_STEM_COUNT and stem in tables.choices:
                return stem
    return None


def _is_prose(text: str, match: re.Match) -> bool:
    """Whether a word is prose, to be read: not part of an identifier, path,
    host or address, and not a name (see the module docstring)."""
    word = match.group()
    start, stop = match.span()
    if not word.islower():
        if not word[0].isupper() or not (len(word) == 1 or word[1:].islower()):
            return False  # camelCase, ACRONYM
        # A capital at the start of a sentence may be any word; else a name.
        back = start - 1
        while back >= 0 and text[back] == " ":
            back -= 1
        if back >= 0 and text[back] not in _SENTENCE_END:
            return False
    before = text[start - 1] if start else " "
    after = text[stop : stop + 1] or " "
    return not (
        before in _CODE_BEFORE or after in _CODE_AFTER
        or (before == "." and start > 1 and text[start - 2].isalnum())  # os.path
        or (after == "." and text[stop + 1 : stop + 2].isalnum())  # example.com
    )


def topic_words(texts) -> frozenset[str]:
    """The words a document uses TOPIC_WORD_MIN_USES times or more."""
    return _topics(Counter(w.lower() for text in texts for w in _WORD.findall(text)))


def _topics(uses: Counter) -> frozenset[str]:
    return frozenset(w for w, n in uses.items() if n >= TOPIC_WORD_MIN_USES)


def passage_evidence(
    text: str, model: SpunModel, artifacts: tuple[Artifact, ...] | None = None, topics: frozenset[str] | None = None
) -> PassageEvidence:
    """The evidence of one passage. `artifacts`: those worth searching for
    (by default the model's that `text` may hold); `topics`: the document's
    topic words (by default the passage's own)."""
    matches = list(_WORD.finditer(text))
    written = [m.group() for m in matches]
    words = [w.lower() for w in written]
    if topics is None:
        topics = _topics(Counter(words))
    return _evidence(text, matches, written, words, model, artifacts, topics)


def _evidence(
    text: str, matches: list[re.Match], written: list[str], words: list[str], model: SpunModel,
    artifacts: tuple[Artifact, ...] | None, topics: frozenset[str], phrases: dict | None = None,
) -> PassageEvidence:
    """passage_evidence, given the passage's words (read once per document);
    `phrases` empty: the document holds no tortured phrase's first word."""
    tables = model.tables
    unigrams, choices, followers = tables.log_unigrams, tables.choices, tables.followers
    log_total = tables.log_total
    # Only the words that are read as possible swaps are checked for being
    # prose (_is_prose); a neighbour is any listed word, next to the word
    # with a single space between them (looked at only for those words).
    evidence = PassageEvidence(words=len(words))
    counts, notes = evidence.counts, evidence.notes
    # Histograms by how many of a feature's steps a value reaches, turned
    # into the features' counts ("reaches step k or more") at the end: one
    # increment per pair or word instead of one per step.
    steps = len(PAIR_BINS) + 1
    low, middle, high = PAIR_BINS
    rare1, rare2, rare3, rare4 = RARITY_BINS
    pairs = [0] * (2 * steps)  # function-word pairs, then content pairs
    unlisted = [0] * (2 * steps)
    rarity = [0] * (len(RARITY_BINS) + 1)
    gains = [0] * (len(SYNONYM_STEPS) + 1)
    last = len(words) - 1
    content_pairs = candidates = 0
    for i, word in enumerate(words):
        if word in FUNCTION_WORDS or word in topics or not _is_prose(text, matches[i]):
            continue
        log_count = unigrams.get(word)
        if log_count is None:
            if not written[i].isalpha():
                continue  # a contraction
            stem = _malformed_stem(tables, word)
            if stem:
                counts["malformed_word"] += 1
                notes.append(f"malformed_word: {written[i]!r} ({stem!r} with a suffix it does not take)")
            continue
        rarity[0 if log_count < rare1 else 1 if log_count < rare2 else 2 if log_count < rare3 else 3 if log_count < rare4 else 4] += 1
        left = right = None
        if i:
            end = matches[i - 1].end()
            if matches[i].start() - end == 1 and text[end] == " " and words[i - 1] in unigrams:
                left = words[i - 1]
        if i < last:
            end = matches[i].end()
            if matches[i + 1].start() - end == 1 and text[end] == " " and words[i + 1] in unigrams:
                right = words[i + 1]
        # The word's pairs: with the word after it, and with a function word
        # before it (a content word before it counts this pair as its own).
        # (A pair expected fewer than e^low times is in no feature: not looked up.)
        if right:
            content = right not in FUNCTION_WORDS
            content_pairs += content
            expected = log_count + unigrams[right] - log_total
            if expected >= low:
                slot = (1 if expected < middle else 2 if expected < high else 3) + (steps if content else 0)
                pairs[slot] += 1
                if right not in followers.get(word, _NONE):
                    unlisted[slot] += 1
        if left and left in FUNCTION_WORDS:
            expected = log_count + unigrams[left] - log_total
            if expected >= low:
                slot = 1 if expected < middle else 2 if expected < high else 3
                pairs[slot] += 1
                if word not in followers.get(left, _NONE):
                    unlisted[slot] += 1
        slate = choices.get(word) if log_count < COMMONEST_SWAP_LOG_COUNT else None
        if slate is None or not (left or right):
            continue
        candidates += 1
        best, gain = _best_synonym(tables, *slate, left, right)
        if gain < SYNONYM_STEPS[0]:
            continue
        gains[bisect_right(SYNONYM_STEPS, gain)] += 1
        if gain < NOTED_GAIN:
            continue
        as_written = " ".join(x for x in (left, written[i], right) if x)
        usual = " ".join(x for x in (left, best, right) if x)
        notes.append(f"better_synonym: {as_written!r} ({usual!r} fits {math.exp(gain):,.0f}x better)")
    evidence.content_pairs, evidence.candidates = content_pairs, candidates
    for kind_start, kind in ((0, "function"), (steps, "content")):
        unlisted_names, pair_names = _PAIR_NAMES[kind]
        counts.update(zip(pair_names, _at_least(pairs[kind_start + 1 : kind_start + steps])))
        counts.update(zip(unlisted_names, _at_least(unlisted[kind_start + 1 : kind_start + steps])))
    counts.update(zip(RARITY_FEATURES, accumulate(rarity)))
    counts.update(zip(SYNONYM_FEATURES, _at_least(gains[1:])))
    _tortured(words, model.phrases if phrases is None else phrases, counts, notes)
    for artifact in model.artifacts if artifacts is None else artifacts:
        if not artifact.may_occur_in(text):
            continue
        for match in artifact.pattern.finditer(text):
            counts[artifact.kind] += artifact.weight
            notes.append(f"{artifact.name}: {match.group(0).strip()!r}")
    return evidence


def _at_least(histogram: list[int]) -> list[int]:
    """For each bin, the count in it and every bin above it."""
    return list(accumulate(reversed(histogram)))[::-1]


def _tortured(words: list[str], phrases: dict, counts: dict[str, float], notes: list[str]) -> None:
    """Count the list's phrases in `words`, longest first at each place; a
    phrase inside a longer one found ("neural organization" in "profound
    neural organization") is not counted again."""
    covered = 0  # words before this belong to a phrase already counted
    for i in [i for i, word in enumerate(words) if word in phrases] if phrases else ():
        if i < covered:
            continue
        for phrase, original in phrases[words[i]]:
            if tuple(words[i : i + len(phrase)]) == phrase:
                counts["tortured_phrase"] += 1
                notes.append(f"tortured_phrase: {' '.join(phrase)!r} (a paraphrase of {original!r})")
                covered = i + len(phrase)
                break


def feature_values(
    evidence: PassageEvidence, prior: PassageEvidence | None, model: SpunModel, min_words: int | None = None
) -> dict[str, float]:
    """The model's inputs: each kind of evidence counted, with the numbers of
    words, content-word pairs and words with candidates (per 100) that they
    are weighed against.

    Counts rather than rates, so evidence adds up as a log-likelihood ratio
    does. With a `prior` (the passage's document), the passage is read as if
    it had `shrink_words` more words at the document's rates. A passage
    counts at least `min_words` (the model's, by default) words.
    """
    floor = model.min_words if min_words is None else min_words
    words, pairs = float(max(evidence.words, floor)), float(evidence.content_pairs)
    candidates = float(evidence.candidates)
    counts = dict(evidence.counts)
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
    """The paragraph model's logit less its bias."""
    return sum(model.weights[name] * values[name] for name in INPUTS)


def document_margin(values: dict[str, float], model: SpunModel) -> float:
    """The document model's logit less its bias."""
    weights = model.document_weights
    return sum(weights[name] * values[name] for name in DOCUMENT_INPUTS)


def _clean_z(evidence: PassageEvidence, model: SpunModel, per_100_words: float, min_words: int = 0) -> float:
    """How many standard deviations of clean text `evidence` lies above
    `per_100_words` (a document-model margin per 100 words) for its
    length, counted as at least `min_words` words."""
    hundreds = max(evidence.words, min_words) / 100.0
    values = feature_values(evidence, None, model, min_words=min_words)
    return (document_margin(values, model) - per_100_words * hundreds) / (model.clean_spread * math.sqrt(hundreds))


def _read_document(lines: list[Line], model: SpunModel) -> tuple[list[tuple[Line, PassageEvidence]], PassageEvidence]:
    """Each line's evidence, and all of it added up as the document's."""
    joined = "\n".join(line.text for line in lines)
    artifacts = tuple(artifact for artifact in model.artifacts if artifact.may_occur_in(joined))
    read = []
    uses: Counter = Counter()
    for line in lines:
        matches = list(_WORD.finditer(line.text))
        written = [m.group() for m in matches]
        words = [w.lower() for w in written]
        uses.update(words)
        read.append((matches, written, words))
    topics = _topics(uses)
    # The tortured phrases the document may hold: most hold none.
    phrases = {first: found for first, found in model.phrases.items() if first in uses}
    found = [(line, _evidence(line.text, *words, model, artifacts, topics, phrases)) for line, words in zip(lines, read)]
    document = PassageEvidence()
    for _, evidence in found:
        document.add(evidence)
    return found, document


def _document_z(document: PassageEvidence, model: SpunModel) -> float:
    # A document of a few words counts as DOCUMENT_MIN_WORDS; a long one as
    # DOCUMENT_MAX_WORDS at its own rate.
    z = _clean_z(document, model, model.clean_margin, DOCUMENT_MIN_WORDS)
    if document.words > DOCUMENT_MAX_WORDS:
        z *= math.sqrt(DOCUMENT_MAX_WORDS / document.words)
    return z


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
    document_rate = document_margin(feature_values(document, None, model, min_words=0), model) / (document.words / 100.0)
    document_score = _squash(document_logit)
    prior = min(document_logit, PASSAGE_PRIOR_MAX_LOGIT)

    def passage_score(evidence: PassageEvidence) -> float:
        logit = model.bias + margin(feature_values(evidence, document, model), model)
        if prior > logit:
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


# The longest line the scorer reads whole, and the most text of a document
# it reads (see SpunStep.readable). The longest line of the development
# pages, seeds and fixtures is 1,223 characters, the longest page 28,000.
SPUN_LINE_CHARS = 20_000
SPUN_DOCUMENT_CHARS = 400_000


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
        long (cut at a space), and the document's first `SPUN_DOCUMENT_CHARS`
        characters of them. A paragraph is a few thousand characters at most
        and an article some tens of thousands; the scorer holds about sixty
        times what it reads (a 20 MB line held 1.3 GB, 90,000 paragraphs
        1.6 GB), and longer text tells it nothing more."""
        read: list[Line] = []
        total = 0
        for l in lines:
            if len(l.text) > SPUN_LINE_CHARS:
                l = Line(l.number, l.text[:SPUN_LINE_CHARS].rsplit(" ", 1)[0])
            total += len(l.text)
            if total > SPUN_DOCUMENT_CHARS:
                break
            read.append(l)
        return read
