"""The Dwolla-compatible HTTP API: HAL presenters, auth, error bodies and endpoints."""
