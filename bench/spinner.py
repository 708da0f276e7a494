"""A deliberately careless article spinner, and a keyboard-typo maker, for evaluation.

Used by ``bench/spun_eval.py`` to make spun and typo-ridden copies of clean
paragraphs. It reads WordNet (Debian's ``wordnet-base``), not the scorer's
shipped thesaurus, and it spins the way cheap spinners do:

- any sense: it picks a random synset of the word, of any part of speech, so
  "court" may become "tribunal" or "woo";
- multi-word lemmas are used as they come ("firm" -> "business firm");
- it re-inflects with blunt suffix rules, so some swaps come out wrong
  ("used" -> "utilized", but also "uses" -> "employs" for a noun);
- it sprinkles filler ("and" -> "as well as", "also" -> "likewise").

Nothing in this file is used by the package.
"""
from __future__ import annotations

import random
import re
import sys
from collections import defaultdict
from pathlib import Path

# The WordNet file reader is the thesaurus builder's; what is done with the
# synsets (every sense, multi-word lemmas) is this spinner's own.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from build_thesaurus import wordnet_synsets  # noqa: E402

WORDNET = Path("/usr/share/wordnet")
TOKEN = re.compile(r"[A-Za-z]+")
# Words a spinner leaves alone: swapping them breaks every sentence at once,
# which no spinner sold for money does.
KEEP = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being
    it its this that these those he she they we you i his her their our your not no do does did
    has have had will would can could should may might must there here than then so such""".split()
)
# Filler swaps: spinners' favourite padding.
FILLER = {
    "and": ["as well as", "and also", "along with"],
    "also": ["likewise", "too", "additionally"],
    "but": ["however", "yet"],
    "very": ["extremely", "really", "undoubtedly"],
    "will": ["will certainly", "will undoubtedly"],
    "many": ["numerous", "countless"],
}
# Chance that a filler word is padded, per occurrence, when half the words
# are swapped; it scales with the share swapped.
FILLER_RATE_AT_HALF = 0.3
# (suffix to strip, what to add back) per slot, tried in order, as WordNet's morphy does.
DETACH = {
    "plural": [("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("xes", "x"), ("ses", "s"), ("s", "")],
    "past": [("ied", "y"), ("ed", "e"), ("ed", "")],
    "ing": [("ing", "e"), ("ing", "")],
}
KEYBOARD_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


class WordNet:
    """lemma -> synsets (each a list of lemmas, spaces for underscores), any part of speech."""

    def __init__(self, folder: Path = WORDNET):
        if not (folder / "data.noun").exists():
            raise SystemExit(f"{folder}: WordNet not found (apt-get install wordnet-base)")
        self.synsets: dict[str, list[list[str]]] = defaultdict(list)
        for _, names in wordnet_synsets(folder):
            lemmas = [name.replace("_", " ") for name in names]
            if len(set(lemmas)) > 1:
                for lemma in lemmas:
                    self.synsets[lemma].append(lemmas)

    def lemma_of(self, word: str) -> tuple[str, str] | None:
        """(lemma, slot) for a lowercased word, or None if WordNet has no entry."""
        if word in self.synsets:
            return word, "base"
        for slot, rules in DETACH.items():
            for suffix, ending in rules:
                if word.endswith(suffix):
                    lemma = word[: -len(suffix)] + ending
                    if lemma in self.synsets:
                        return lemma, slot
        return None


def inflect(lemma: str, slot: str) -> str:
    """Blunt suffix rules on the last word; wrong forms are part of what spinners leave."""
    head, _, last = lemma.rpartition(" ")
    if slot == "plural":
        last = last[:-1] + "ies" if last.endswith("y") else last + ("es" if last.endswith(("s", "x", "ch", "sh")) else "s")
    elif slot == "past":
        last = last + "d" if last.endswith("e") else last + "ed"
    elif slot == "ing":
        last = (last[:-1] if last.endswith("e") else last) + "ing"
    return f"{head} {last}" if head else last


def _match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[0].isupper():
        return word[0].upper() + word[1:]
    return word


def replaceable(wordnet: WordNet, word: str) -> bool:
    lower = word.lower()
    return len(lower) >= 3 and lower not in KEEP and wordnet.lemma_of(lower) is not None


def spin(text: str, share: float, wordnet: WordNet, rng: random.Random) -> str:
    """Swap about `share` of the replaceable words of `text` for a random-sense synonym."""
    matches = list(TOKEN.finditer(text))
    candidates = [i for i, m in enumerate(matches) if replaceable(wordnet, m.group())]
    chosen = set(rng.sample(candidates, round(share * len(candidates))))
    pieces, last = [], 0
    for i, match in enumerate(matches):
        word = match.group()
        lower = word.lower()
        new = word
        if i in chosen:
            lemma, slot = wordnet.lemma_of(lower)
            synset = rng.choice(wordnet.synsets[lemma])
            others = [other for other in synset if other != lemma]
            if others:
                new = _match_case(word, inflect(rng.choice(others), slot))
        elif lower in FILLER and rng.random() < FILLER_RATE_AT_HALF * share / 0.5:
            new = _match_case(word, rng.choice(FILLER[lower]))
        pieces.append(text[last : match.start()])
        pieces.append(new)
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def _neighbour_key(char: str, rng: random.Random) -> str:
    for row in KEYBOARD_ROWS:
        index = row.find(char.lower())
        if index >= 0:
            near = [row[j] for j in (index - 1, index + 1) if 0 <= j < len(row)]
            return rng.choice(near)
    return char


def add_typos(text: str, rate: float, rng: random.Random) -> str:
    """Give about `rate` of the words of 4+ letters one keyboard slip each."""
    def slip(match: re.Match) -> str:
        word = match.group()
        if len(word) < 4 or rng.random() >= rate:
            return word
        i = rng.randrange(1, len(word) - 1)
        kind = rng.choice(("swap", "drop", "double", "neighbour"))
        if kind == "swap":
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if kind == "drop":
            return word[:i] + word[i + 1 :]
        if kind == "double":
            return word[:i] + word[i] + word[i:]
        return word[:i] + _neighbour_key(word[i], rng) + word[i + 1 :]

    return TOKEN.sub(slip, text)
