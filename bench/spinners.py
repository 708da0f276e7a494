"""Structurally different article spinners, for the spun scorer's evaluation.

Each spinner takes a paragraph and a share of its replaceable words and
returns a spun copy. They differ in where their words come from (the
"source", which the evaluation keeps out of the scorer's tables when that
spinner is held out), in how they inflect, and in what they swap:

==========  ========  ============================================================
spinner     source    what it does
==========  ========  ============================================================
wordnet     wordnet   random-sense WordNet synonyms, multi-word lemmas, blunt
                      re-inflection, filler (bench/spinner.py)
hypernym    wordnet   WordNet hypernyms and related adjectives ("dog" -> "canine",
                      "court" -> "assembly"), correctly re-inflected
moby        moby      related terms from Aiksaurus's lists (Debian
                      ``libaiksaurus-1.2-data``, built from the public-domain
                      Moby thesaurus; a different source from WordNet),
                      multi-word phrase swaps, correctly re-inflected
tortured    moby      tortured-phrase style: both words of a common two-word
                      expression swapped ("big data" -> "colossal information"),
                      correctly re-inflected
vectors     vectors   nearest neighbours in the static word vectors that ship
                      in the ``wordllama`` wheel, suffixes glued on with no
                      spelling rule ("studyed", "boxs")
==========  ========  ============================================================

"Correct" re-inflection picks the form that a word list (Debian's
``wamerican``) spells, with WordNet's lists of irregular forms; "blunt" and
"glued" forms are whatever the rule makes, as cheap spinners leave them.

Nothing in this file is used by the package.
"""
from __future__ import annotations

import os
import random
import re
import struct
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from spinner import KEEP, TOKEN, WordNet, _match_case, spin as wordnet_spin  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from build_neighbours import read_word_vectors, vector_neighbours  # noqa: E402

WORDNET = Path("/usr/share/wordnet")
AIKSAURUS = Path("/usr/share/aiksaurus")
WORD_LIST = Path("/usr/share/dict/american-english")
DEBIAN_PACKAGES = {
    "wordnet": "wordnet-base",
    "moby": "libaiksaurus-1.2-data",
    "word list": "wamerican",
}
# Suffix-stripping rules per slot, tried in order (as WordNet's morphy does).
DETACH = {
    "plural": [("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("xes", "x"), ("ses", "s"), ("s", "")],
    "past": [("ied", "y"), ("ed", "e"), ("ed", "")],
    "ing": [("ing", "e"), ("ing", "")],
}
# A paragraph's words a spinner leaves alone: as bench/spinner.py, and words
# of fewer letters (function words, abbreviations).
MIN_LETTERS = 3


def require(path: Path, what: str) -> Path:
    if not path.exists():
        raise SystemExit(f"{path}: not found (apt-get install {DEBIAN_PACKAGES[what]})")
    return path


class Morphology:
    """Lemmas of inflected words, and inflected forms of lemmas: correct ones
    (spelt as the word list spells them, irregular ones from WordNet's
    exception lists) and glued ones (the suffix stuck on)."""

    def __init__(self, wordnet: Path = WORDNET, word_list: Path = WORD_LIST):
        require(wordnet / "verb.exc", "wordnet")
        self.words = {w.strip() for w in require(word_list, "word list").read_text(encoding="utf-8").splitlines()}
        self.irregular: dict[tuple[str, str], str] = {}  # (lemma, slot) -> form
        self.lemma_of_irregular: dict[str, tuple[str, str]] = {}
        for name, slot in (("noun.exc", "plural"), ("verb.exc", "past")):
            for line in (wordnet / name).read_text(encoding="utf-8").splitlines():
                form, *lemmas = line.split()
                if not lemmas or "_" in form or form.endswith("ing"):
                    continue
                key = (lemmas[0], slot)
                # verb.exc lists past participles too ("gone", "taken",
                # "done"): the simple past is a form that does not end in
                # "n" or "ne", where there is one.
                participle = lambda w: w.endswith(("n", "ne"))  # noqa: E731
                if key not in self.irregular or (participle(self.irregular[key]) and not participle(form)):
                    self.irregular[key] = form
                self.lemma_of_irregular.setdefault(form, key)

    def analyses(self, word: str, known) -> list[tuple[str, str]]:
        """(lemma, slot) readings of a lowercased word whose lemma `known` holds."""
        found = [(word, "base")] if word in known else []
        irregular = self.lemma_of_irregular.get(word)
        if irregular and irregular[0] in known:
            found.append(irregular)
        for slot, rules in DETACH.items():
            for suffix, ending in rules:
                if word.endswith(suffix):
                    lemma = word[: -len(suffix)] + ending
                    if len(lemma) >= MIN_LETTERS and lemma in known:
                        found.append((lemma, slot))
                        break
        return found

    def correct(self, lemma: str, slot: str) -> str | None:
        """The form of `lemma` in `slot` as the word list spells it (None if
        it spells none of the candidates); multi-word lemmas inflect their
        last word."""
        head, _, last = lemma.rpartition(" ")
        if slot == "base":
            form = last
        elif (last, slot) in self.irregular:
            form = self.irregular[(last, slot)]
        else:
            form = next((c for c in self._candidates(last, slot) if c in self.words), None)
            if form is None:
                return None
        return f"{head} {form}" if head else form

    @staticmethod
    def _candidates(word: str, slot: str) -> list[str]:
        if slot == "plural":
            return [word[:-1] + "ies", word + "s", word + "es"] if word.endswith("y") else [word + "s", word + "es"]
        doubled = word + word[-1] if len(word) > 2 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" else word
        if slot == "past":
            return [word + "d", word[:-1] + "ied", word + "ed", doubled + "ed"]
        if slot == "ing":
            return [word[:-1] + "ing", word + "ing", doubled + "ing"]
        return [word]

    @staticmethod
    def glued(lemma: str, slot: str) -> str:
        suffix = {"base": "", "plural": "s", "past": "ed", "ing": "ing"}[slot]
        return lemma + suffix


class Spinner:
    """Swaps about `share` of a paragraph's replaceable words. Subclasses say
    which words are replaceable and what they become."""

    name = ""
    source = ""

    def replacement(self, word: str, rng: random.Random) -> str | None:
        raise NotImplementedError

    def replaceable(self, word: str) -> bool:
        raise NotImplementedError

    def spin(self, text: str, share: float, rng: random.Random) -> str:
        matches = list(TOKEN.finditer(text))
        candidates = [i for i, m in enumerate(matches) if self._eligible(m.group())]
        chosen = set(rng.sample(candidates, round(share * len(candidates))))
        pieces, last = [], 0
        for i, match in enumerate(matches):
            word = match.group()
            new = self.replacement(word.lower(), rng) if i in chosen else None
            pieces.append(text[last : match.start()])
            pieces.append(_match_case(word, new) if new else word)
            last = match.end()
        pieces.append(text[last:])
        return "".join(pieces)

    def _eligible(self, word: str) -> bool:
        lower = word.lower()
        return len(lower) >= MIN_LETTERS and lower not in KEEP and self.replaceable(lower)


class WordNetSpinner:
    """The original spinner (bench/spinner.py)."""

    name, source = "wordnet", "wordnet"

    def __init__(self, wordnet: WordNet | None = None):
        self.wordnet = wordnet or WordNet(require(WORDNET, "wordnet"))

    def spin(self, text: str, share: float, rng: random.Random) -> str:
        return wordnet_spin(text, share, self.wordnet, rng)


def read_wordnet_relations(folder: Path = WORDNET) -> dict[str, list[list[str]]]:
    """lemma -> lists of lemmas one hypernym ("@"), similar-to ("&") or
    also-see ("^") pointer away from one of its synsets."""
    synsets: dict[tuple[str, str], list[str]] = {}
    pointers: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for pos_name in ("noun", "verb", "adj", "adv"):
        with open(require(folder / f"data.{pos_name}", "wordnet"), encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("  "):
                    continue
                fields = line.split()
                offset, pos = fields[0], fields[2].replace("s", "a")
                count = int(fields[3], 16)
                lemmas = [fields[4 + 2 * i].split("(")[0].lower().replace("_", " ") for i in range(count)]
                at = 4 + 2 * count
                links = []
                for k in range(int(fields[at])):
                    symbol, target, target_pos = fields[at + 1 + 4 * k : at + 4 + 4 * k]
                    if symbol in ("@", "@i", "&", "^"):
                        links.append((target, target_pos.replace("s", "a")))
                synsets[(offset, pos)] = lemmas
                pointers[(offset, pos)] = links
    related: dict[str, list[list[str]]] = defaultdict(list)
    for key, lemmas in synsets.items():
        for target in pointers[key]:
            others = [lemma for lemma in synsets.get(target, []) if lemma.replace(" ", "").isalpha()]
            if others:
                for lemma in lemmas:
                    related[lemma].append(others)
    return related


class HypernymSpinner(Spinner):
    name, source = "hypernym", "wordnet"

    def __init__(self, morphology: Morphology):
        self.morphology = morphology
        self.related = read_wordnet_relations()

    def replaceable(self, word: str) -> bool:
        return bool(self.morphology.analyses(word, self.related))

    def replacement(self, word: str, rng: random.Random) -> str | None:
        lemma, slot = rng.choice(self.morphology.analyses(word, self.related))
        options = [x for x in rng.choice(self.related[lemma]) if x != lemma]
        return self.morphology.correct(rng.choice(options), slot) if options else None


def read_aiksaurus(folder: Path = AIKSAURUS) -> dict[str, list[list[str]]]:
    """word -> its meanings, each a list of words ("hard and fast" keeps its
    spaces). The files: words.dat holds each word (colons for spaces, NUL
    ended) and its meaning numbers (big-endian 16-bit, ended by 0xFFFF);
    meanings.dat holds each meaning's word numbers, its two title words first."""
    words_raw = require(folder / "words.dat", "moby").read_bytes()
    meanings_raw = require(folder / "meanings.dat", "moby").read_bytes()
    words, word_meanings = [], []
    i = 0
    while i < len(words_raw):
        end = words_raw.index(b"\0", i)
        words.append(words_raw[i:end].decode("latin-1").replace(":", " "))
        i, numbers = _read_numbers(words_raw, end + 1)
        word_meanings.append(numbers)
    meanings = []
    i = 0
    while i < len(meanings_raw):
        i, numbers = _read_numbers(meanings_raw, i)
        # The two title words repeat members; a meaning's words, once each.
        meanings.append(list(dict.fromkeys(words[n] for n in numbers[2:] if n < len(words))))
    table: dict[str, list[list[str]]] = {}
    for word, numbers in zip(words, word_meanings):
        lists = [meanings[n] for n in numbers if n < len(meanings)]
        if lists and word.islower():
            table[word] = lists
    return table


def _read_numbers(raw: bytes, i: int) -> tuple[int, list[int]]:
    numbers = []
    while True:
        (value,) = struct.unpack_from(">H", raw, i)
        i += 2
        if value == 0xFFFF:
            return i, numbers
        numbers.append(value)


class MobySpinner(Spinner):
    name, source = "moby", "moby"
    # Share of a paragraph's swaps spent on its multi-word expressions that
    # the thesaurus lists ("take part" -> "partake"), when it has them.
    PHRASE_SHARE = 0.5

    def __init__(self, morphology: Morphology, thesaurus: dict[str, list[list[str]]] | None = None):
        self.morphology = morphology
        self.thesaurus = thesaurus if thesaurus is not None else read_aiksaurus()
        self.phrases = {w for w in self.thesaurus if " " in w and len(w.split()) <= 3}

    def replaceable(self, word: str) -> bool:
        return bool(self.morphology.analyses(word, self.thesaurus))

    def replacement(self, word: str, rng: random.Random) -> str | None:
        lemma, slot = rng.choice(self.morphology.analyses(word, self.thesaurus))
        options = [x for x in rng.choice(self.thesaurus[lemma]) if x != lemma and not x.istitle()]
        return self.morphology.correct(rng.choice(options), slot) if options else None

    def spin(self, text: str, share: float, rng: random.Random) -> str:
        # Multi-word expressions first: each listed one found is swapped
        # whole, with the chance `share` gives a word.
        for phrase in sorted(self.phrases & _ngrams(text), key=lambda p: (-len(p), p)):
            if rng.random() < share * self.PHRASE_SHARE * 2:
                options = [x for x in rng.choice(self.thesaurus[phrase]) if x != phrase]
                if options:
                    text = re.sub(rf"\b{re.escape(phrase)}\b", rng.choice(options), text, count=1)
        return super().spin(text, share, rng)


def _ngrams(text: str) -> set[str]:
    words = [w.lower() for w in TOKEN.findall(text)]
    return {" ".join(words[i : i + n]) for n in (2, 3) for i in range(len(words) - n + 1)}


class TorturedSpinner(Spinner):
    """Both words of a common two-word expression swapped, each for one of
    its thesaurus entries ("big data" -> "colossal information",
    "signal to noise" -> "flag to commotion" with the words between
    kept). The common expressions are the adjacent word pairs that the
    `wordsegment` pair table lists."""

    name, source = "tortured", "moby"

    def __init__(self, morphology: Morphology, thesaurus: dict[str, list[list[str]]] | None = None):
        from wordsegment import BIGRAMS, load

        load()
        self.pairs = BIGRAMS
        self.morphology = morphology
        self.thesaurus = thesaurus if thesaurus is not None else read_aiksaurus()

    def replaceable(self, word: str) -> bool:
        return bool(self.morphology.analyses(word, self.thesaurus))

    def replacement(self, word: str, rng: random.Random) -> str | None:
        lemma, slot = rng.choice(self.morphology.analyses(word, self.thesaurus))
        # The first words of a meaning are its closest: a paraphrasing tool
        # takes the near synonym, which is what makes the phrase tortured.
        options = [x for x in rng.choice(self.thesaurus[lemma])[:6] if x != lemma and " " not in x and not x.istitle()]
        return self.morphology.correct(rng.choice(options), slot) if options else None

    def spin(self, text: str, share: float, rng: random.Random) -> str:
        matches = list(TOKEN.finditer(text))
        eligible = [i for i, m in enumerate(matches) if self._eligible(m.group())]
        pairs = [
            i for i in eligible
            if i + 1 < len(matches) and (i + 1) in eligible
            and text[matches[i].end() : matches[i + 1].start()] == " "
            and f"{matches[i].group().lower()} {matches[i + 1].group().lower()}" in self.pairs
        ]
        rng.shuffle(pairs)
        wanted = round(share * len(eligible))
        chosen: set[int] = set()
        for i in pairs:
            if len(chosen) + 2 > wanted:
                break
            if i in chosen or i + 1 in chosen:
                continue
            chosen.update((i, i + 1))
        pieces, last = [], 0
        for i, match in enumerate(matches):
            word = match.group()
            new = self.replacement(word.lower(), rng) if i in chosen else None
            pieces.append(text[last : match.start()])
            pieces.append(_match_case(word, new) if new else word)
            last = match.end()
        pieces.append(text[last:])
        return "".join(pieces)


class VectorSpinner(Spinner):
    name, source = "vectors", "vectors"
    NEIGHBOURS = 8
    MIN_SIMILARITY = 0.3

    def __init__(self, morphology: Morphology):
        self.morphology = morphology
        words, vectors = read_word_vectors(morphology.words)
        self.neighbours = vector_neighbours(words, vectors, self.NEIGHBOURS, self.MIN_SIMILARITY)

    def replaceable(self, word: str) -> bool:
        return bool(self.morphology.analyses(word, self.neighbours))

    def replacement(self, word: str, rng: random.Random) -> str | None:
        lemma, slot = rng.choice(self.morphology.analyses(word, self.neighbours))
        return self.morphology.glued(rng.choice(self.neighbours[lemma]), slot)


def all_spinners() -> list:
    """Every spinner of the evaluation, in its table's order."""
    morphology = Morphology()
    thesaurus = read_aiksaurus()
    return [
        WordNetSpinner(),
        HypernymSpinner(morphology),
        MobySpinner(morphology, thesaurus),
        TorturedSpinner(morphology, thesaurus),
        VectorSpinner(morphology),
    ]


if __name__ == "__main__":
    sample = " ".join(sys.argv[1:]) or (
        "The council approved the budget after a long debate, and the mayor said the new library "
        "would open next spring if the builders kept to their schedule and the weather stayed dry."
    )
    for spinner in all_spinners():
        for share in (0.2, 0.5):
            print(f"{spinner.name:9} {share}: {spinner.spin(sample, share, random.Random(os.getpid()))}")
