"""Fixtures of the query-count tests: the world and its helpers live in growth.py."""

from tests.web.performance.growth import _fresh_cache, world  # noqa: F401
