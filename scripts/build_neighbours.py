"""Build cleaner/data/neighbours.tsv.gz: each common word's nearest
neighbours in a space of static word vectors.

The spun scorer asks of every word "which word could it have replaced?".
The WordNet thesaurus (scripts/build_thesaurus.py) answers with synonyms;
this file answers with the words that sit closest to it in the 256-dimension
token vectors shipped inside the ``wordllama`` wheel (MIT licence; its
vocabulary is Llama 2's SentencePiece tokens, of which about 4,500 are whole
lowercase English words of 3+ letters that the WordNet thesaurus holds).
Vector neighbours are related words rather than synonyms ("court": judge,
trial, lawyer), so a spinner that draws from a thesaurus the scorer does not
ship still leaves words whose original is among their neighbours.

Output, one line per word, sorted, the neighbours most similar first:
    word<TAB>neighbour neighbour ...
written as gzip with a fixed timestamp, so the same inputs give the same
bytes. The wheel is read as files (the weights are a safetensors file: a
length, a JSON header, then the float16 matrix); wordllama is not imported.

    pip install 'wordllama>=0.4,<0.5'
    python scripts/build_neighbours.py [--out PATH]
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import struct
from pathlib import Path

# Neighbours kept per word, and the least cosine similarity: below about
# 0.3 a neighbour is as often unrelated as related ("sharp": pens, raz).
NEIGHBOURS = 8
MIN_SIMILARITY = 0.3
MIN_LETTERS = 3
THESAURUS = Path(__file__).resolve().parent.parent / "cleaner" / "data" / "thesaurus.tsv.gz"


def wordllama_files() -> tuple[Path, Path]:
    """The static word vectors and the tokenizer's vocabulary inside the
    installed ``wordllama`` wheel (MIT licence), found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("wordllama is not installed (pip install 'wordllama>=0.4,<0.5')")
    folder = Path(spec.submodule_search_locations[0])
    return folder / "weights" / "l2_supercat_256.safetensors", folder / "tokenizers" / "l2_supercat_tokenizer_config.json"


def read_word_vectors(known: set[str] | None = None):
    """(words, unit vectors as a numpy array): the vocabulary's whole,
    lowercase, alphabetic words of 3+ letters (a SentencePiece token that
    starts a word begins with "▁"), each with its 256-dimension vector,
    normalised. `known`: keep only these words."""
    import numpy as np

    weights, tokenizer = wordllama_files()
    raw = weights.read_bytes()
    (header_length,) = struct.unpack_from("<Q", raw, 0)
    header = json.loads(raw[8 : 8 + header_length])["embedding.weight"]
    rows, width = header["shape"]
    start, end = header["data_offsets"]
    matrix = np.frombuffer(raw, dtype=np.float16, count=rows * width, offset=8 + header_length + start).reshape(rows, width)
    vocabulary = json.loads(tokenizer.read_text(encoding="utf-8"))["model"]["vocab"]
    words, ids = [], []
    for token, index in sorted(vocabulary.items(), key=lambda item: item[1]):
        word = token[1:]
        if token.startswith("▁") and len(word) >= MIN_LETTERS and word.isalpha() and word.islower() and word.isascii():
            if known is None or word in known:
                words.append(word)
                ids.append(index)
    vectors = matrix[ids].astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return words, vectors


def same_stem(a: str, b: str) -> bool:
    """Inflections and derivations of one word ("court", "courts",
    "courtly"): a neighbour that shares its first letters with the word is
    that word in another form, not a swap a spinner makes."""
    stem = min(len(a), len(b), 5)
    return a[: max(stem - 1, 3)] == b[: max(stem - 1, 3)]


def vector_neighbours(words: list[str], vectors, count: int, min_similarity: float) -> dict[str, list[str]]:
    """Each word's nearest `count` neighbours by cosine (at least
    `min_similarity`), leaving out its own forms (`same_stem`)."""
    import numpy as np

    neighbours: dict[str, list[str]] = {}
    for start in range(0, len(words), 1024):
        block = vectors[start : start + 1024] @ vectors.T
        order = np.argsort(-block, axis=1)[:, : count * 4 + 1]
        for row, word_index in enumerate(range(start, min(start + 1024, len(words)))):
            word = words[word_index]
            found = []
            for j in order[row]:
                other = words[j]
                if block[row, j] < min_similarity or len(found) == count:
                    break
                if other != word and not same_stem(word, other):
                    found.append(other)
            if found:
                neighbours[word] = found
    return neighbours


def english_words(thesaurus: Path = THESAURUS) -> set[str]:
    """Every word of the shipped WordNet thesaurus (its forms and their
    synonyms): English words, spelt as the reference table spells them. The
    tokenizer's vocabulary also holds word pieces ("scra") and words of
    other languages ("tussen"), which no English spinner writes."""
    words = set()
    for line in gzip.decompress(thesaurus.read_bytes()).decode("utf-8").splitlines():
        form, _, synonyms = line.partition("\t")
        words.add(form)
        words.update(synonyms.split())
    return words


def build() -> dict[str, list[str]]:
    words, vectors = read_word_vectors(english_words())
    return vector_neighbours(words, vectors, NEIGHBOURS, MIN_SIMILARITY)


def write(table: dict[str, list[str]], out: Path) -> None:
    text = "".join(f"{word}\t{' '.join(found)}\n" for word, found in sorted(table.items()))
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=9) as handle:
        handle.write(text.encode("utf-8"))
    out.write_bytes(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path,
        default=Path(__file__).resolve().parent.parent / "cleaner" / "data" / "neighbours.tsv.gz",
        help="where to write (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    table = build()
    write(table, args.out)
    print(f"{len(table)} words, {sum(map(len, table.values()))} neighbours -> {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
