"""Console pages, one module per area; each exposes ``ROUTES`` (mounted by ``routes.py``)."""
