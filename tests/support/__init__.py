"""Test support shared by several test folders: Chromium, npm packages, an offline browser."""
