"""Coverage-guided fuzz targets (atheris): python tests/fuzz/fuzz_targets.py {clean,rulefile} [libFuzzer flags]

- clean: any bytes, as text, HTML or unknown, with or without a URL, must
  come back as a result or as NotTextError; nothing else may escape.
- rulefile: any bytes as a rule file must load or be refused with
  RuleFileError; nothing else may escape.
"""
import os
import sys
import tempfile

import atheris

with atheris.instrument_imports():
    import cleaner
    from cleaner.rulefile import RuleFileError, load_rule_file

CLEANER = cleaner.Cleaner()
CONTENT_TYPES = [None, "text/plain", "text/html"]


def fuzz_clean(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    content_type = CONTENT_TYPES[provider.ConsumeIntInRange(0, 2)]
    url = provider.ConsumeUnicodeNoSurrogates(30) if provider.ConsumeBool() else None
    body = provider.ConsumeBytes(provider.remaining_bytes())
    try:
        CLEANER.clean(body, url=url, content_type=content_type)
    except cleaner.NotTextError:
        pass


def fuzz_rulefile(data: bytes) -> None:
    fd, path = tempfile.mkstemp(suffix=".toml")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        load_rule_file(path)
    except RuleFileError:
        pass
    finally:
        os.unlink(path)


if __name__ == "__main__":
    target = {"clean": fuzz_clean, "rulefile": fuzz_rulefile}[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()
