"""BankBridge: a self-hostable, Dwolla-compatible exchange sessions service."""

__version__ = "0.1.0"
