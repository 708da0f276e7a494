"""language: which language the document's prose is in, with langdetect.

langdetect samples n-grams at random; a private factory with a fixed seed
makes the answer the same on every run, in every process and thread (each
`Detector` seeds its own `random.Random` from the factory's seed).

It reads a bounded sample: the answer does not improve after a few
paragraphs, but the time grows with the length. The sample is the longest
lines the rule files kept, which are the article's paragraphs on any page
(menus and footers are short lines), so the language is known before the
heuristics run, which need it for their stoplist.
"""
from __future__ import annotations

import re
import threading

from ..result import Language, Line

SEED = 0
# Below this many letters the guess is noise (a title, a date).
MIN_LETTERS = 20
_LETTER = re.compile(r"[^\W\d_]")


def prose_sample(lines: list[Line], chars: int) -> str:
    """The longest lines, up to about `chars` characters, in document order."""
    chosen: list[Line] = []
    total = 0
    for line in sorted((l for l in lines if not l.blank), key=lambda l: -len(l.text)):
        if total >= chars:
            break
        chosen.append(line)
        total += len(line.text)
    return "\n".join(l.text for l in sorted(chosen, key=lambda l: l.number))


class LanguageDetector:
    """Loads langdetect's profiles once, on first use; safe to share between threads."""

    def __init__(self) -> None:
        self._factory = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        return {}  # the profiles are reloaded in the receiving process

    def __setstate__(self, state: dict) -> None:
        self.__init__()

    def _get_factory(self):
        if self._factory is None:
            with self._lock:
                if self._factory is None:
                    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

                    factory = DetectorFactory()
                    factory.load_profile(PROFILES_DIRECTORY)
                    factory.set_seed(SEED)
                    self._factory = factory
        return self._factory

    def detect(self, text: str, sample_chars: int) -> Language:
        sample = text[:sample_chars]
        if len(_LETTER.findall(sample)) < MIN_LETTERS:
            return Language(None, None, "too little text to tell")
        from langdetect.lang_detect_exception import LangDetectException

        detector = self._get_factory().create()
        detector.append(sample)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            return Language(None, None, "no language recognised")
        return Language(best.lang, round(best.prob, 3))
