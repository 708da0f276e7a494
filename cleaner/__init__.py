"""cleaner: strip boilerplate from scraped articles, repair their text, and
score passages that look machine-spun.

    import cleaner
    result = cleaner.clean(page_bytes, url="https://example.com/news/1")
    result.text, result.dropped, result.spun.score

Use a `Cleaner` to clean many documents with one configuration.
"""
from .config import Config, ConfigError
from .pipeline import Cleaner, clean
from .result import CleanResult, Cut, DroppedLine, Language, LineLabel, Repair, SpunPassage, SpunResult
from .rulefile import RuleFileError
from .steps.decode import NotTextError
from .steps.htmlblocks import PageTooRepetitive
from .steps.repair import REPAIR_DEFAULTS

__version__ = "0.1.0"

__all__ = [
    "Cleaner",
    "CleanResult",
    "Config",
    "ConfigError",
    "Cut",
    "DroppedLine",
    "Language",
    "LineLabel",
    "NotTextError",
    "PageTooRepetitive",
    "REPAIR_DEFAULTS",
    "Repair",
    "RuleFileError",
    "SpunPassage",
    "SpunResult",
    "clean",
]
