"""`python -m cleaner`: the `cleaner` command."""
import sys

from .cli import main

sys.exit(main())
