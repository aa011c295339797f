"""Django's database sessions, read with one precompiled statement.

Every signed-in request loads its session row first; through the ORM that lookup cost more Python
(building and compiling the query, making a model instance) than the rest of the session handling.
Saving, creating, deleting and expiry stay Django's own (``django.contrib.sessions.backends.db``):
only the read is written out, with the same conditions (the key, not yet expired) and the value
adapted by the model field as the ORM adapts it (``SESSION_ENGINE = "anagen.accounts.sessions"``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def load(self) -> dict[str, Any]:
        model = self.model
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        data, key, expire_date = (model._meta.get_field(name) for name in ("session_data", "session_key", "expire_date"))
        sql = (f"SELECT {quote(data.column)} FROM {quote(model._meta.db_table)} "
               f"WHERE {quote(key.column)} = %s AND {quote(expire_date.column)} > %s")
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, expire_date.get_db_prep_value(timezone.now(), connection)])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's: a missing or expired session starts afresh
            return {}
        return self.decode(row[0])
