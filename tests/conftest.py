"""The test suite: tiers by folder (unit, integration, e2e); fixtures in tests/support."""

pytest_plugins = ["tests.support.fixtures"]
