"""Allow ``python -m bankbridge``."""

from bankbridge.cli import main

raise SystemExit(main())
