"""Shared fixtures for the template's tests live in tests/support/, one module per service."""

pytest_plugins = ["support.rendering", "support.containers"]
