"""language: which language the document's prose is in, with langdetect.

langdetect samples n-grams at random; the process's factory, with a fixed
seed, makes the answer the same on every run, in every process and thread
(each `Detector` seeds its own `random.Random` from the factory's seed).

The detection is langdetect's own, on its own profiles, but its inner loops
are written here without the per-character method calls: the text's
preparation (`append`, `cleaning_text`) as regexes, then the n-gram
extraction and the random-walk update. The same text, the same n-grams in
the same order, the same random draws and the same arithmetic, so the same
probabilities, in about 0.62 of langdetect's time on the 80 development
pages' samples (median ratio of 9 paired runs; 0.71 with langdetect's own
text preparation). Tests hold each piece to langdetect's own.

The profiles are read here too, from langdetect's own files, into a sparse
form: of each n-gram's 55 language probabilities, 2 on average are not zero,
and langdetect keeps all 55 as Python floats in a list: a process grows by
63 MB as it loads them. Kept as its languages' indexes and values, the same
numbers grow it by 34 MB, and a worker process forked after loading them
(see batch.ProcessEngine) only reads them, so it keeps sharing their pages.
The random walk multiplies every language's probability by the smoothing
weight and then those few by the weight plus their value: the same products
as langdetect's.

It reads a bounded sample: the answer does not improve after a few
paragraphs, but the time grows with the length. The sample is the longest
lines the rule files kept, which are the article's paragraphs on any page
(menus and footers are short lines), so the language is known before the
heuristics run, which need it for their stoplist.
"""
from __future__ import annotations

import json
import os
import re
import threading
from array import array
from functools import lru_cache
from pathlib import Path

from ..result import Language, Line
from .base import Document
from ..tablecache import cached, join_arrays, split_arrays

SEED = 0
# Below this many letters the guess is noise (a title, a date).
MIN_LETTERS = 20
# Found where a text holds at least MIN_LETTERS letters: a letter, then each
# further one after a run of anything else. The two classes share no
# character and miss none, so the search never backtracks, and it stops at
# the letter that counts instead of listing them all.
_ENOUGH_LETTERS = re.compile(rf"[^\W\d_](?:[\W\d_]*[^\W\d_]){{{MIN_LETTERS - 1}}}")
# langdetect's own character tests, as regexes: 'A' <= ch <= 'z' is its
# "Latin", and every character from U+0300 on counts as not Latin (it means
# to spare Latin Extended Additional, but compares the block's number with
# its name, so spares nothing).
_LATIN = re.compile("[A-z]")
_NOT_LATIN = re.compile("[\u0300-\U0010ffff]")
_SPACES = re.compile(" {2,}")


def prose_sample(lines: list[Line], chars: int) -> str:
    """The longest lines, up to about `chars` characters, in document order
    (`lines` come in it)."""
    texts = [line.text for line in lines if not line.blank]
    lengths = list(map(len, texts))
    chosen: list[int] = []
    total = 0
    # Longest first; a sort with reverse=True keeps lines of one length in
    # document order, as the lines come.
    for k in sorted(range(len(texts)), key=lengths.__getitem__, reverse=True):
        if total >= chars:
            break
        chosen.append(k)
        total += lengths[k]
    return "\n".join(texts[k] for k in sorted(chosen))


_LOADING = threading.Lock()


@lru_cache(maxsize=1)
def _load_factory():
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.langlist, factory.word_lang_prob_map = cached(
        "language-profiles",
        lambda: _profile_inputs(PROFILES_DIRECTORY),
        lambda: load_profiles(PROFILES_DIRECTORY),
        _profiles_to_plain,
        _profiles_from_plain,
    )
    factory.set_seed(SEED)
    return factory


def _profile_inputs(folder: str) -> list[bytes]:
    """What `load_profiles(folder)` reads, in its order (which decides each
    language's index), and the code that reads it (see cleaner/tablecache.py)."""
    inputs = [Path(__file__).read_bytes()]
    for name, path in _profile_files(folder):
        inputs += [name.encode("utf-8", "surrogateescape"), Path(path).read_bytes()]
    return inputs


def _profile_files(folder: str):
    """(name, path) of each profile, in directory order, as langdetect reads them."""
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if not name.startswith(".") and os.path.isfile(path):
            yield name, path


def _profiles_to_plain(profiles: tuple[list[str], dict[str, tuple[bytearray, array]]]) -> tuple:
    languages, rows = profiles
    grams = list(rows)
    return languages, grams, [rows[gram][0] for gram in grams], join_arrays(rows[gram][1] for gram in grams)


def _profiles_from_plain(plain: tuple) -> tuple[list[str], dict[str, tuple[bytes, array]]]:
    """The rows as `load_profiles` gives them, but each row's language
    indexes are `bytes` (marshal reads a bytearray back as bytes): the same
    numbers, read the same way."""
    languages, grams, indexes, values = plain
    rows = dict(zip(grams, zip(indexes, split_arrays(values, map(len, indexes)), strict=True), strict=True))
    return languages, rows


def detector_factory():
    """The process's langdetect `DetectorFactory`, loaded on first use, whose
    profiles are `load_profiles`'s sparse rows: its detectors are for
    `probabilities`, not for their own `detect`. One per process, however
    many cleaners (configurations) it holds, as the spun scorer's tables are."""
    with _LOADING:  # threads asking at once load it once
        return _load_factory()


# Which detection runs: "rust" is langdetect-rs (a port of langdetect's
# random walk with the same results, bit for bit; tests/test_language.py
# holds the two to the same answers), "python" is langdetect itself with the
# inner loops written here. By default the first that is installed.
BACKEND_ENVIRONMENT = "CLEANER_LANGUAGE_BACKEND"
BACKENDS = ("rust", "python")


def backend() -> str:
    """The backend this process detects with (see `BACKENDS`)."""
    asked = os.environ.get(BACKEND_ENVIRONMENT, "")
    if asked:
        if asked not in BACKENDS:
            raise ValueError(f"{BACKEND_ENVIRONMENT}={asked!r}: not one of {', '.join(BACKENDS)}")
        return asked
    return "rust" if _rust_factory() is not None else "python"


@lru_cache(maxsize=1)
def _rust_factory():
    """langdetect-rs's factory, its built-in profiles (langdetect's, read in
    langdetect's order) loaded and seeded; None if it is not installed."""
    try:
        import langdetect_rs
    except ImportError:
        return None
    factory = langdetect_rs.DetectorFactory()
    factory.load_profile(langdetect_rs.PROFILES_DIRECTORY)
    factory.set_seed(SEED)
    return factory


class LanguageDetector:
    """Detects with the process's profiles, with `backend` ("rust" or
    "python"; None: `backend()`); holds nothing itself, so it is safe to
    share between threads and to pickle."""

    def __init__(self, backend: str | None = None) -> None:
        if backend is not None and backend not in BACKENDS:
            raise ValueError(f"language backend {backend!r}: not one of {', '.join(BACKENDS)}")
        self.backend = backend

    def _backend(self) -> str:
        return self.backend or backend()

    def load(self) -> None:
        """Load the profiles now rather than on the first detection."""
        if self._backend() == "rust":
            with _LOADING:
                _rust_factory()
        else:
            detector_factory()

    def detect(self, text: str, sample_chars: int) -> Language:
        sample = text[:sample_chars]
        if _ENOUGH_LETTERS.search(sample) is None:
            return Language(None, None, "too little text to tell")
        try:
            if self._backend() == "rust":
                from langdetect_rs import LangDetectException

                with _LOADING:
                    factory = _rust_factory()
                detector = factory.create()
                detector.append(sample)
                ranked = detector.get_probabilities()
            else:
                from langdetect.lang_detect_exception import LangDetectException

                detector = detector_factory().create()
                detector.text = appended_text(detector, sample)
                ranked = probabilities(detector)
            best = ranked[0]
        except (LangDetectException, IndexError):
            return Language(None, None, "no language recognised")
        return Language(best.lang, round(best.prob, 3))


def appended_text(detector, text: str) -> str:
    """What `detector.append(text)` leaves as the text of a new detector, with
    its per-character loop (which drops a space after a space) as one regex."""
    from langdetect.utils.ngram import NGram

    text = detector.MAIL_RE.sub(" ", detector.URL_RE.sub(" ", text))
    return _SPACES.sub(" ", NGram.normalize_vi(text)[: detector.max_text_length])


def cleaned_text(text: str) -> str:
    """`Detector.cleaning_text`: a text mostly not in Latin letters loses
    its Latin ones (a URL or an English name in a Russian article)."""
    if 2 * len(_LATIN.findall(text)) < len(_NOT_LATIN.findall(text)):
        return _LATIN.sub("", text)
    return text


def load_profiles(folder: str) -> tuple[list[str], dict[str, tuple[bytearray, array]]]:
    """langdetect's profiles as `DetectorFactory.load_profile` reads them (the
    files in directory order, one language each), with each n-gram's
    probabilities kept sparse: (the indexes of the languages where it is
    not zero, their probabilities).

    Each row grows in place as the languages are read: building lists first
    and converting them at the end leaves their freed memory scattered among
    the rows, and the process keeps it (about 20 MB more)."""
    languages: list[str] = []
    rows: dict[str, tuple[bytearray, array]] = {}
    for _, path in _profile_files(folder):
        with open(path, encoding="utf-8") as handle:
            profile = json.load(handle)
        index = len(languages)
        if index > 255:
            raise ValueError(f"{folder}: more language profiles than a byte can index")
        languages.append(profile["name"])
        n_words = profile["n_words"]
        for gram, count in profile["freq"].items():
            row = rows.get(gram)
            if row is None:
                row = rows[gram] = (bytearray(), array("d"))
            if 1 <= len(gram) <= 3 and count:
                row[0].append(index)
                row[1].append(count / n_words[len(gram) - 1])
    return languages, rows


# langdetect's per-character normalisation, memoised: it depends on the
# character alone, and a page uses a few dozen distinct characters.
_NORMALISED: dict[str, str] = {}


def _ngrams(text: str, known: dict) -> list[str]:
    """langdetect's `Detector._extract_ngrams`, inlined: the 1-, 2- and
    3-grams of `text` that the profiles know, in the same order."""
    from langdetect.utils.ngram import NGram

    normalised = _NORMALISED
    result: list[str] = []
    grams = " "
    capital = False
    for ch in text:
        c = normalised.get(ch)
        if c is None:
            c = normalised[ch] = NGram.normalize(ch)
        last = grams[-1]
        if last == " ":
            grams = " "
            capital = False
            if c == " ":
                continue
        elif len(grams) >= 3:
            grams = grams[1:]
        grams += c
        if c.isupper():
            if last.isupper():
                capital = True
        else:
            capital = False
        if capital:
            continue
        if c != " " and c in known:
            result.append(c)
        size = len(grams)
        if size >= 2:
            gram = grams[-2:]
            if gram in known:
                result.append(gram)
            if size >= 3 and grams in known:
                result.append(grams)
    return result


def probabilities(detector) -> list:
    """`detector.get_probabilities()`, with the inner loops inlined (see the
    module's docstring); raises LangDetectException as it does."""
    from langdetect.lang_detect_exception import ErrorCode, LangDetectException

    detector.text = cleaned_text(detector.text)
    known = detector.word_lang_prob_map
    ngrams = _ngrams(detector.text, known)
    if not ngrams:
        raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
    languages = len(detector.langlist)
    total = [0.0] * languages
    rng = detector.random
    rng.seed(detector.seed)
    for _ in range(detector.n_trial):
        prob = list(detector.prior_map) if detector.prior_map is not None else [1.0 / languages] * languages
        alpha = detector.alpha + rng.gauss(0.0, 1.0) * detector.ALPHA_WIDTH
        weight = alpha / detector.BASE_FREQ
        i = 0
        while True:
            indexes, values = known[rng.choice(ngrams)]
            # p * (weight + 0.0) is p * weight: the zeros need no row.
            before, prob = prob, [p * weight for p in prob]
            for j, q in zip(indexes, values):
                prob[j] = before[j] * (weight + q)
            if i % 5 == 0:
                norm = sum(prob)
                prob = [p / norm for p in prob]
                if max(prob) > detector.CONV_THRESHOLD or i >= detector.ITERATION_LIMIT:
                    break
            i += 1
        for j in range(languages):
            total[j] += prob[j] / detector.n_trial
    detector.langprob = total
    return detector._sort_probability(total)


class LanguageStep:
    """Detects the language of the prose the earlier steps left undecided."""

    name = "language"

    def __init__(self, detector: LanguageDetector, sample_chars: int) -> None:
        self.detector = detector
        self.sample_chars = sample_chars

    def __call__(self, document: Document) -> dict:
        decisions = document.decisions
        undecided = [line for line in document.lines if line.number not in decisions]
        document.language = self.detector.detect(prose_sample(undecided, self.sample_chars), self.sample_chars)
        return {}
