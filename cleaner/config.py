"""The one place that lists every option of the pipeline and its default.

`Config` is immutable (a NamedTuple, as in ftfy's `TextFixerConfig`): derive a
variant with `config._replace(option=value)` or pass overrides as keyword
arguments to `clean()` / `Cleaner()`.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

from ftfy import TextFixerConfig


class ConfigError(ValueError):
    """An option with a value outside its range (the command line refuses
    the same values with the same words)."""


class _Options(NamedTuple):
    #: Extra folders of rule files (``*.toml``), read after the built-in ones.
    #: A user file with the same source id as a built-in one replaces it.
    rules_dirs: tuple[str, ...] = ()
    #: Load the rule files that ship with the package (``rules/``).
    builtin_rules: bool = True
    #: Seconds one rule-file pattern may spend searching one document, all its
    #: searches together, before it counts as not matching there (and is
    #: reported in the result's warnings, by rule id).
    rule_timeout: float = 1.0
    #: Repair the text with ftfy and the space normaliser (see
    #: ``steps/repair.py``): True, with the project's ftfy settings (which
    #: never change correct text in any language: full-width CJK punctuation,
    #: curly quotes and characters NFC would swap for others stay as written);
    #: False, not at all; or an ``ftfy.TextFixerConfig`` of your own (with
    #: ``fix_line_breaks=False``: lines are split before repair), for instance
    #: ``cleaner.REPAIR_DEFAULTS._replace(fix_character_width=True)``.
    repair: bool | TextFixerConfig = True
    #: Run the generic line heuristics. Turning them off leaves only rule files
    #: and de-duplication, which is what a strict "rules only" user wants.
    heuristics: bool = True
    #: Drop repeated paragraphs (a stand-first that the body repeats, say).
    dedupe: bool = True
    #: Detect the language of the document's prose (its longest lines). The
    #: heuristics use it to pick a stoplist; without it they judge lines by
    #: length and punctuation alone, and spun text is not scored.
    detect_language: bool = True
    #: langdetect is slow on long texts and gains nothing from them: it reads at
    #: most this many characters.
    language_sample_chars: int = 2000
    #: Score passages for signs of an article spinner (steps/spun.py). Off, the
    #: result's spun score is null with the reason, and cleaning is faster.
    score_spun: bool = True
    #: A document or passage whose spun score reaches this is `flagged`.
    spun_threshold: float = 0.5
    #: Drop flagged spun passages from the output instead of only reporting them.
    drop_spun: bool = False


class Config(_Options):
    """Every option of the pipeline, checked when made: a value outside its
    range is a `ConfigError` here, as it is on the command line."""

    __slots__ = ()

    def __new__(cls, *args: object, **kwargs: object) -> Config:
        config = super().__new__(cls, *args, **kwargs)
        _check(config)
        return config

    def _replace(self, **changes: object) -> Config:
        return type(self)(**{**self._asdict(), **changes})


_FLAGS = ("builtin_rules", "heuristics", "dedupe", "detect_language", "score_spun", "drop_spun")


def _check(config: _Options) -> None:
    if not isinstance(config.rules_dirs, tuple) or not all(isinstance(d, str) for d in config.rules_dirs):
        raise ConfigError(f"rules_dirs must be a tuple of folder names, not {config.rules_dirs!r}")
    for name in _FLAGS:
        if not isinstance(getattr(config, name), bool):
            raise ConfigError(f"{name} must be True or False, not {getattr(config, name)!r}")
    if isinstance(config.repair, TextFixerConfig):
        if config.repair.fix_line_breaks:
            raise ConfigError(
                "repair's fix_line_breaks must be False: the text is split into lines before repair, "
                "and a repair cannot add a line (use repair._replace(fix_line_breaks=False))"
            )
        if config.repair.normalization not in (None, "NFC", "NFD", "NFKC", "NFKD"):
            raise ConfigError(f"repair's normalization must be None, NFC, NFD, NFKC or NFKD, not {config.repair.normalization!r}")
    elif not isinstance(config.repair, bool):
        raise ConfigError(f"repair must be True, False or an ftfy.TextFixerConfig, not {config.repair!r}")
    if not _number(config.rule_timeout) or not 0 < config.rule_timeout < math.inf:
        raise ConfigError(f"rule_timeout must be a number of seconds above 0, not {config.rule_timeout!r}")
    if not isinstance(config.language_sample_chars, int) or isinstance(config.language_sample_chars, bool) \
            or config.language_sample_chars < 1:
        raise ConfigError(f"language_sample_chars must be a whole number, 1 or more, not {config.language_sample_chars!r}")
    if not _number(config.spun_threshold) or not 0.0 <= config.spun_threshold <= 1.0:
        raise ConfigError(f"spun_threshold must be between 0 and 1, not {config.spun_threshold!r}")


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


DEFAULT_CONFIG = Config()


def make_config(config: Config | None = None, **overrides: object) -> Config:
    """Return `config` (or the defaults) with `overrides` applied.

    >>> make_config(spun_threshold=0.7).spun_threshold
    0.7
    """
    base = config if config is not None else DEFAULT_CONFIG
    if not isinstance(base, Config):
        raise TypeError(f"config must be a cleaner.Config, not {type(base).__name__}")
    if not overrides:
        return base
    unknown = set(overrides) - set(Config._fields)
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
    if "rules_dirs" in overrides:
        dirs = overrides["rules_dirs"]
        if isinstance(dirs, str | bytes) or not isinstance(dirs, Iterable):
            raise ConfigError(f"rules_dirs must be a list of folder names, not {dirs!r}")
        overrides["rules_dirs"] = tuple(str(p) for p in dirs)
    return base._replace(**overrides)
