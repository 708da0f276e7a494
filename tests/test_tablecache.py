"""The table cache: read back only for the inputs it was built from, rebuilt
when damaged, never a reason to fail, and equal to a fresh build."""
from __future__ import annotations

import marshal
import os
import platform
import sys
from array import array

import pytest

from cleaner import tablecache
from cleaner.steps import language, spun


class Builder:
    """Counts its builds, so a test can tell a cache hit from a miss."""

    def __init__(self, tables):
        self.tables = tables
        self.builds = 0

    def __call__(self):
        self.builds += 1
        return self.tables


def cached(builder, inputs=(b"one", b"two")):
    return tablecache.cached("test", lambda: list(inputs), builder, lambda t: t, lambda plain: plain)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv(tablecache.ENVIRONMENT, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_tables_are_built_once_then_read_back(folder):
    builder = Builder({"word": (1.5, b"\x00\x01")})
    assert cached(builder) == builder.tables and builder.builds == 1
    assert cached(builder) == builder.tables and builder.builds == 1
    [written] = folder.iterdir()
    assert written.name.startswith("test-") and written.suffix == ".marshal"


def test_reading_back_leaves_the_garbage_collector_as_it_found_it(folder, monkeypatch):
    """The collector is paused while a cache file is unmarshalled, and set
    back after, also when the payload is damaged (a truncated marshal)."""
    import gc

    builder = Builder({"word": [1, 2, 3]})
    cached(builder)
    seen = []
    loads = marshal.loads
    monkeypatch.setattr(marshal, "loads", lambda data: seen.append(gc.isenabled()) or loads(data))
    assert cached(builder) == builder.tables and seen == [False] and gc.isenabled()
    gc.disable()
    try:
        cached(builder)
        assert not gc.isenabled()
    finally:
        gc.enable()
    monkeypatch.setattr(tablecache, "_read", lambda path: b"\xfb")  # a payload cut short: EOFError
    assert cached(builder) == builder.tables and gc.isenabled() and builder.builds == 2


def test_other_inputs_are_another_file_and_another_build(folder):
    builder = Builder({"a": 1})
    cached(builder, [b"one", b"two"])
    cached(builder, [b"one", b"twO"])
    # The inputs' lengths are part of the name: these join into the same bytes.
    cached(builder, [b"onetw", b"o"])
    assert builder.builds == 3 and len(list(folder.iterdir())) == 3


def test_a_damaged_file_is_built_again_and_replaced(folder):
    builder = Builder({"key": list(range(100))})
    cached(builder)
    [written] = folder.iterdir()
    written.write_bytes(written.read_bytes()[:20])  # truncated
    assert cached(builder) == builder.tables and builder.builds == 2
    assert cached(builder) == builder.tables and builder.builds == 2
    assert marshal.loads(tablecache._read(written)) == builder.tables


def test_a_folder_that_cannot_be_written_leaves_the_build(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(tablecache.ENVIRONMENT, str(blocker / "cache"))
    builder = Builder({"a": 1})
    assert cached(builder) == {"a": 1} and cached(builder) == {"a": 1}
    assert builder.builds == 2


def test_an_empty_setting_turns_the_cache_off(tmp_path, monkeypatch):
    monkeypatch.setenv(tablecache.ENVIRONMENT, "")
    monkeypatch.chdir(tmp_path)
    asked = []
    builder = Builder({"a": 1})
    tablecache.cached("test", lambda: asked.append(1) or [b"x"], builder, lambda t: t, lambda p: p)
    assert builder.builds == 1 and not asked and not list(tmp_path.iterdir())


def test_the_default_folder_is_the_users_cache(monkeypatch, tmp_path):
    monkeypatch.delenv(tablecache.ENVIRONMENT)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert tablecache.cache_dir() == tmp_path / "cleaner"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert tablecache.cache_dir() == tmp_path / "home" / ".cache" / "cleaner"


def test_no_temporary_file_is_left_beside_the_cache_file(folder):
    cached(Builder({"a": 1}))
    assert [p.name for p in folder.iterdir() if not p.name.endswith(".marshal")] == []


def _round_trip(to_plain, from_plain, tables):
    return from_plain(marshal.loads(marshal.dumps(to_plain(tables))))


def test_spun_tables_read_back_equal_a_fresh_build_and_keep_their_layout():
    built = spun.build_reference_tables()
    read = _round_trip(spun._tables_to_plain, spun._tables_from_plain, built)
    assert read == built
    # What keeps a forked worker's pages shared holds after reading too: the
    # slates' counts are arrays, a slate word is one string wherever the
    # slates and the pair tables hold it, and any other word is the word
    # table's own key.
    for tables in (built, read):
        word, (slate, counts) = next(iter(tables.choices.items()))
        assert isinstance(counts, array) and slate[0] is word
        on_slates = {id(w) for slate, _ in tables.choices.values() for w in slate}
        slate_words = {w for slate, _ in tables.choices.values() for w in slate}
        keys = {id(w) for w in tables.log_unigrams}
        for after in tables.followers.values():
            for w in after:
                assert id(w) in (on_slates if w in slate_words else keys)
        assert all(id(w) in on_slates for before in tables.preceders.values() for w in before)
        assert all(id(w) in keys for w in tables.preceders if w in tables.log_unigrams)


def test_language_profiles_read_back_equal_a_fresh_load():
    from langdetect.detector_factory import PROFILES_DIRECTORY

    loaded = language.load_profiles(PROFILES_DIRECTORY)
    read = _round_trip(language._profiles_to_plain, language._profiles_from_plain, loaded)
    assert read == loaded  # bytes equal the bytearray of the same numbers
    assert all(isinstance(i, bytes) and type(v) is array and v.typecode == "d" for i, v in read[1].values())


def test_the_process_tables_come_through_the_cache(folder, monkeypatch):
    spun._reference_tables.cache_clear()
    try:
        first = spun.load_reference_tables()
        assert [p.name.split("-")[:2] for p in folder.iterdir()] == [["spun", "tables"]]
        spun._reference_tables.cache_clear()
        monkeypatch.setattr(spun, "build_reference_tables", lambda: pytest.fail("built again"))
        assert spun.load_reference_tables() == first
    finally:
        spun._reference_tables.cache_clear()


def _resident_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="glibc's allocator")
def test_freed_memory_goes_back_to_the_system():
    from cleaner.heap import release_freed_memory

    # Blocks too large for Python's own allocator, so glibc's holds them;
    # the one kept after them stops glibc from trimming the heap by itself.
    blocks = [bytearray(4000) for _ in range(10_000)]
    kept = bytearray(4000)
    before = _resident_mb()
    del blocks
    freed = _resident_mb()
    release_freed_memory()
    after = _resident_mb()
    assert before - freed < 10 < freed - after, (before, freed, after)
    assert kept


def test_arrays_joined_into_bytes_split_back_and_a_wrong_length_is_damage():
    rows = [array("d", [1.5, -2.0]), array("d"), array("d", [3.25])]
    data = tablecache.join_arrays(rows)
    assert list(tablecache.split_arrays(data, [2, 0, 1])) == rows
    for lengths in ([2, 0, 2], [2, 0]):
        with pytest.raises(ValueError):
            list(tablecache.split_arrays(data, lengths))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_in_place_of_the_cache_file_is_passed_over_not_waited_on(folder):
    import threading
    import warnings

    builder = Builder({"word": (1.5, b"\x00\x01")})
    cached(builder)
    [written] = folder.iterdir()
    written.unlink()
    os.mkfifo(written, 0o600)
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = threading.Thread(target=lambda: found.append(cached(builder)), daemon=True)
        reader.start()
        reader.join(timeout=20)
    assert not reader.is_alive(), "waited on the FIFO"
    assert found == [builder.tables] and builder.builds == 2
