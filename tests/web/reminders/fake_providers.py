"""Local HTTP servers that speak the documented request and response shapes of Meta's WhatsApp
Cloud API (POST /<version>/<phone-number-id>/messages) and MSG91's SMS API (POST /api/v2/sendsms).

Each records the exact request (method, path, headers, JSON body) and answers with what the test
queued, else the provider's documented success body.
"""

from __future__ import annotations

import http.server
import json
import threading
from typing import Any

WHATSAPP_OK = {"messaging_product": "whatsapp", "contacts": [{"input": "", "wa_id": ""}],
               "messages": [{"id": "wamid.HBgMOTE5ODIwMDAwMDAxFQIAERgSRkE2", "message_status": "accepted"}]}


def whatsapp_error(code: int, message: str, http_status: int = 400) -> tuple[int, dict]:
    """Meta's Graph API error body (Cloud API error codes reference)."""
    return http_status, {"error": {"message": message, "type": "OAuthException", "code": code,
                                   "error_data": {"messaging_product": "whatsapp", "details": message},
                                   "fbtrace_id": "AbCdEfGhIjKl"}}


MSG91_OK = {"message": "3763646c3058373530393832", "type": "success"}


class FakeProvider:
    def __init__(self, success: dict) -> None:
        self.success = success
        self.requests: list[dict[str, Any]] = []
        self.answers: list[tuple[int, dict]] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with owner.lock:
                    owner.requests.append({"method": "POST", "path": self.path, "headers": dict(self.headers.items()),
                                           "json": json.loads(raw)})
                    status, body = owner.answers.pop(0) if owner.answers else (200, owner.success)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
