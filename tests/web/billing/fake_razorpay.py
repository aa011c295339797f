"""A local HTTP server that speaks Razorpay's documented Payment Links API:
``POST /v1/payment_links`` with HTTP Basic auth (key id, key secret), a JSON body, and the
documented answers: the created link (``id``, ``short_url``, ``status``...), 401 for a wrong key,
400 ``BAD_REQUEST_ERROR`` for a missing field or a ``reference_id`` used before.

It records each request (path, headers, JSON body) for the test to check.
"""

from __future__ import annotations

import base64
import http.server
import json
import threading
from typing import Any

KEY_ID, KEY_SECRET = "rzp_test_Anagen123", "test-key-secret"
REQUIRED = ("amount", "currency")


class FakeRazorpay:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.references: set[str] = set()
        self.lock = threading.Lock()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                body = json.loads(raw or b"{}")
                with owner.lock:
                    owner.requests.append({"path": self.path, "headers": dict(self.headers.items()), "json": body})
                    expected = "Basic " + base64.b64encode(f"{KEY_ID}:{KEY_SECRET}".encode()).decode()
                    if self.headers.get("Authorization") != expected:
                        return self._answer(401, {"error": {"code": "BAD_REQUEST_ERROR",
                                                            "description": "The api key provided is invalid"}})
                    if self.path != "/v1/payment_links":
                        return self._answer(404, {"error": {"code": "BAD_REQUEST_ERROR",
                                                            "description": "The requested URL was not found on the server."}})
                    missing = [name for name in REQUIRED if name not in body]
                    if missing:
                        return self._answer(400, {"error": {"code": "BAD_REQUEST_ERROR",
                                                            "description": f"The {missing[0]} field is required."}})
                    reference = body.get("reference_id", "")
                    if reference and reference in owner.references:
                        return self._answer(400, {"error": {"code": "BAD_REQUEST_ERROR",
                                                            "description": f"Payment Link with reference id {reference} already exists"}})
                    owner.references.add(reference)
                    number = len(owner.references)
                    self._answer(200, {
                        "id": f"plink_Test{number:010d}", "entity": "payment_link", "amount": body["amount"],
                        "amount_paid": 0, "currency": body["currency"], "accept_partial": body.get("accept_partial", False),
                        "reference_id": reference, "description": body.get("description", ""), "status": "created",
                        "short_url": f"https://rzp.io/rzp/Test{number}", "customer": body.get("customer", {}),
                        "notify": body.get("notify", {}), "reminder_enable": body.get("reminder_enable", False),
                        "created_at": 1796300000, "upi_link": False,
                    })

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def paid_event(link_id: str, amount_paise: int, payment_id: str = "pay_TestUpi0001", method: str = "upi") -> dict:
    """The ``payment_link.paid`` event as Razorpay's webhook documentation shows it."""
    return {
        "entity": "event", "account_id": "acc_Test0001", "event": "payment_link.paid",
        "contains": ["payment_link", "order", "payment"],
        "payload": {
            "payment_link": {"entity": {"id": link_id, "amount": amount_paise, "amount_paid": amount_paise,
                                        "currency": "INR", "status": "paid"}},
            "order": {"entity": {"id": "order_Test0001", "amount": amount_paise, "amount_paid": amount_paise, "status": "paid"}},
            "payment": {"entity": {"id": payment_id, "entity": "payment", "amount": amount_paise, "currency": "INR",
                                   "status": "captured", "method": method, "captured": True}},
        },
        "created_at": 1796300100,
    }
