"""Razorpay payment links: the request that creates one and the check of the webhook's signature.

Documented shapes (Razorpay API reference, "Payment Links" and "Webhooks"):
- ``POST {base}/v1/payment_links`` with HTTP Basic auth (key id, key secret) and a JSON body
  ``{"amount": <paise>, "currency": "INR", "accept_partial": false, "reference_id": <unique, ≤40>,
  "description", "customer": {"name", "contact"}, "notify": {"sms": bool, "email": bool},
  "reminder_enable": true}``; the answer carries ``id`` (``plink_…``), ``short_url`` and ``status``.
  Errors answer ``{"error": {"code", "description"}}`` with a 4xx or 5xx status.
- The webhook POSTs the event as JSON with ``X-Razorpay-Signature``: the hex HMAC-SHA256 of the raw
  body under the webhook secret set in the dashboard (not the API key secret).

The adapter holds no state; which link belongs to which invoice is billing.services' business.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import httpx
from django.conf import settings


class LinkRefused(Exception):
    """Razorpay did not create the link; ``reason`` is safe to show to staff (no secrets, no patient data)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CreatedLink:
    link_id: str
    short_url: str


def configured() -> bool:
    return bool(settings.ANAGEN_RAZORPAY_KEY_ID and settings.ANAGEN_RAZORPAY_KEY_SECRET)


def create_link(*, amount_paise: int, reference_id: str, description: str, customer_name: str, customer_phone: str,
                timeout_s: float = 10) -> CreatedLink:
    body = {
        "amount": amount_paise, "currency": "INR", "accept_partial": False, "reference_id": reference_id[:40],
        "description": description[:2048], "customer": {"name": customer_name, "contact": customer_phone},
        "notify": {"sms": bool(customer_phone), "email": False}, "reminder_enable": True,
    }
    url = settings.ANAGEN_RAZORPAY_API_BASE.rstrip("/") + "/v1/payment_links"
    try:
        response = httpx.post(url, json=body, timeout=timeout_s,
                              auth=(settings.ANAGEN_RAZORPAY_KEY_ID, settings.ANAGEN_RAZORPAY_KEY_SECRET))
    except httpx.HTTPError as exc:
        raise LinkRefused(f"Razorpay could not be reached ({type(exc).__name__}).") from exc
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code >= 400 or not isinstance(answer, dict):
        error = answer.get("error") if isinstance(answer, dict) else None
        described = error.get("description") if isinstance(error, dict) else ""
        raise LinkRefused(f"Razorpay refused the link (HTTP {response.status_code}){': ' + described if described else ''}.")
    link_id, short_url = answer.get("id"), answer.get("short_url")
    if not (isinstance(link_id, str) and link_id and isinstance(short_url, str) and short_url.startswith("https://")):
        raise LinkRefused("Razorpay's answer had no link id or address.")
    return CreatedLink(link_id, short_url)


def signature_ok(body: bytes, header: str) -> bool:
    secret = settings.ANAGEN_RAZORPAY_WEBHOOK_SECRET
    if not secret or not header:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.strip().lower())
