"""Probing one route as one role: the shared machinery of the access matrix test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# What a request may come to: the page or action itself (any status but the refusals below), a
# redirect to the login page, 403, or 404 (an object of another clinic or patient).
OK, LOGIN, FORBIDDEN, NOT_FOUND = "ok", "login", "forbidden", "not_found"


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    params: tuple[str, ...]


def routes() -> list[Route]:
    """Every named URL pattern of the site except the REST API's (tests/api/test_access.py walks
    the OpenAPI document for those)."""
    found: list[Route] = []

    def walk(patterns: Any, prefix: str, namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace if not namespace else (f"{namespace}:{p.namespace}" if p.namespace else namespace)
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
                found.append(Route(name, prefix + str(p.pattern), tuple(p.pattern.converters) if hasattr(p.pattern, "converters") else ()))

    walk(get_resolver().url_patterns, "", None)
    return [r for r in found if not r.name.startswith("api:") and r.name != "api-docs-asset"]


def outcome(response: Any) -> str:
    if response.status_code == 302 and "/login/" in response.get("Location", ""):
        return LOGIN
    if response.status_code == 403:
        return FORBIDDEN
    if response.status_code == 404:
        return NOT_FOUND
    return OK


def probe(client: Client, url: str, method: str) -> str:
    response = client.get(url) if method == "GET" else client.post(url, {})
    return outcome(response)


def url_for(name: str, kwargs: dict[str, Any]) -> str:
    return reverse(name, kwargs=kwargs) if kwargs else reverse(name)
