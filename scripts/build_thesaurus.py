"""Build cleaner/data/thesaurus.tsv.gz from WordNet 3.0.

The spun-text scorer asks one question of a thesaurus: "which words could a
spinner have swapped for this one?" Synonymy is symmetric, so the answer is
the word's synonyms, in the same inflection (a spinner that swapped
"officials" wrote "functionaries", not "functionary").

Input: the WordNet 3.0 database files as Debian's ``wordnet-base`` installs
them (``/usr/share/wordnet``; WordNet licence, which permits redistribution).
Word frequencies come from the ``wordsegment`` package the scorer already
depends on: a form that the reference unigram table does not list is left
out, which drops archaic words and the misspellings the simple inflection
rules below produce.

Output, one line per surface form, sorted:
    form<TAB>synonym synonym ...   (synonyms most frequent first)
written as gzip with a fixed timestamp, so the same inputs give the same bytes.

    apt-get install wordnet-base
    python scripts/build_thesaurus.py [--wordnet DIR] [--out PATH]
"""
from __future__ import annotations

import argparse
import gzip
import io
from collections import defaultdict
from pathlib import Path

from wordsegment import load, UNIGRAMS

POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}
# Synonyms kept per form: a spinner's choices beyond the commonest sixteen are
# rare, and the file stays small.
MAX_SYNONYMS = 16
# Short words are mostly function words or abbreviations, whose WordNet
# "synonyms" (a -> angstrom, us -> united_states) are noise.
MIN_LENGTH = 3


def wordnet_synsets(wordnet: Path):
    """Yield (pos, [lemma, ...]) for every synset of the WordNet database in
    `wordnet`, lemmas as written there but lowercased ("business_firm")."""
    for pos_name in ("noun", "verb", "adj", "adv"):
        with open(wordnet / f"data.{pos_name}", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("  "):  # the licence header
                    continue
                fields = line.split()
                count = int(fields[3], 16)
                # An adjective may carry a position marker: "galore(ip)".
                yield POS_FILES[fields[2]], [fields[4 + 2 * i].split("(")[0].lower() for i in range(count)]


def read_synsets(wordnet: Path):
    """Yield (pos, [lemma, ...]) for synsets with two or more single-word lemmas."""
    for pos, names in wordnet_synsets(wordnet):
        lemmas = []
        for lemma in names:
            if "_" not in lemma and lemma.isalpha() and lemma not in lemmas:
                lemmas.append(lemma)
        if len(lemmas) > 1:
            yield pos, lemmas


def read_exceptions(wordnet: Path, pos_name: str) -> dict[str, list[str]]:
    """lemma -> irregular inflected forms (verb.exc: 'went go')."""
    forms: dict[str, list[str]] = defaultdict(list)
    with open(wordnet / f"{pos_name}.exc", encoding="utf-8") as handle:
        for line in handle:
            inflected, *lemmas = line.split()
            for lemma in lemmas:
                forms[lemma].append(inflected)
    return forms


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _past(word: str) -> str:
    if word.endswith("e"):
        return word + "d"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ied"
    return word + "ed"


def _gerund(word: str) -> str:
    if word.endswith("e") and not word.endswith(("ee", "ye", "oe")):
        return word[:-1] + "ing"
    return word + "ing"


def inflections(lemma: str, pos: str, noun_exc, verb_exc) -> dict[str, list[str]]:
    """slot -> candidate forms: 'base', and 'plural' for nouns, '3sg', 'past', 'ing' for verbs."""
    slots = {"base": [lemma]}
    if pos == "noun":
        slots["plural"] = noun_exc.get(lemma) or [_plural(lemma)]
    elif pos == "verb":
        irregular = verb_exc.get(lemma, [])
        slots["3sg"] = [_plural(lemma)]
        slots["past"] = [f for f in irregular if not f.endswith("ing")] or [_past(lemma)]
        slots["ing"] = [_gerund(lemma)]
    return slots


def build(wordnet: Path) -> dict[str, list[str]]:
    load()
    noun_exc = read_exceptions(wordnet, "noun")
    verb_exc = read_exceptions(wordnet, "verb")
    synonyms: dict[str, set[str]] = defaultdict(set)
    for pos, lemmas in read_synsets(wordnet):
        forms = {lemma: inflections(lemma, pos, noun_exc, verb_exc) for lemma in lemmas}
        for lemma in lemmas:
            for slot, own_forms in forms[lemma].items():
                for form in own_forms:
                    if len(form) < MIN_LENGTH or form not in UNIGRAMS:
                        continue
                    for other in lemmas:
                        if other == lemma:
                            continue
                        for candidate in forms[other].get(slot, []):
                            if len(candidate) >= MIN_LENGTH and candidate in UNIGRAMS and candidate != form:
                                synonyms[form].add(candidate)
    return {
        form: sorted(found, key=lambda w: (-UNIGRAMS[w], w))[:MAX_SYNONYMS]
        for form, found in synonyms.items()
    }


def write(table: dict[str, list[str]], out: Path) -> None:
    text = "".join(f"{form}\t{' '.join(found)}\n" for form, found in sorted(table.items()))
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=9) as handle:
        handle.write(text.encode("utf-8"))
    out.write_bytes(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"), help="WordNet dict folder (default: %(default)s)")
    parser.add_argument(
        "--out", type=Path,
        default=Path(__file__).resolve().parent.parent / "cleaner" / "data" / "thesaurus.tsv.gz",
        help="where to write (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    table = build(args.wordnet)
    write(table, args.out)
    print(f"{len(table)} forms, {sum(map(len, table.values()))} synonym pairs -> {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
