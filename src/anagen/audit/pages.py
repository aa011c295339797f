"""One page of a clinic's records with every record on it audited as read: what the list use cases
(``services.list_*``) return, so the API and the web list and audit the same way.

A page of 25 or 100 records is audited in one critical section (``record_reads``), and the order of
the query always ends with the id, so pages are stable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet

from anagen.audit.services import Actor, record_reads

T = TypeVar("T")

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    count: int
    page: int
    page_size: int

    @property
    def meta(self) -> dict[str, int]:
        return {"count": self.count, "page": self.page, "page_size": self.page_size}


def page_of_query(records: QuerySet[Any] | Sequence[Any], page: int, page_size: int) -> Page[Any]:
    """One page of an ordered query or list (page from 1; at most ``MAX_PAGE_SIZE`` records)."""
    page = max(page, 1)
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    count = records.count() if isinstance(records, QuerySet) else len(records)
    start = (page - 1) * page_size
    return Page(list(records[start:start + page_size]), count, page, page_size)


def read_page(actor: Actor, object_type: str, records: QuerySet[Any], page: int, page_size: int) -> Page[Any]:
    """``page_of_query``, each record on the page audited as a read of ``object_type`` (records
    carry ``patient_id``)."""
    result = page_of_query(records, page, page_size)
    record_reads(actor, object_type, [(record.pk, record.patient_id) for record in result.items])
    return result
