"""Queries that every request runs, compiled to SQL once per database connection.

Building a query through the ORM (resolving lookups, joins, columns, then compiling them to SQL)
costs about a millisecond of Python per query before the database sees it; the queries below run
on every signed-in request, so the floor of every page paid for it several times
(docs/performance.md). A ``CompiledQuery`` is an ordinary queryset compiled once with a sentinel
value in place of its one parameter; each run executes the same SQL with the real value and turns
the row into a model instance with the ORM's own converters and related-object populators, so
what comes back is what the queryset would have returned.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model, QuerySet
from django.db.models.query import get_related_populators

# A value no real lookup uses, so its place among the compiled query's parameters is unambiguous.
_SENTINEL = -7_391_842_265_117


@dataclass(frozen=True)
class _Compiled:
    connection: BaseDatabaseWrapper
    sql: str
    params: tuple[Any, ...]
    position: int
    converters: list[tuple[int, tuple[list[Any], Any]]]
    model: type[Model]
    init_list: list[str]
    fields_start: int
    fields_end: int
    populators: list[Any]
    annotation_col_map: dict[str, int]


class CompiledQuery:
    """``build(value)`` returns the queryset for one value of ``field`` (e.g. a primary key); the
    queryset must contain that value exactly once among its parameters. ``first(value)`` returns
    the first row as a model instance (with ``select_related`` objects and annotations), or None.
    """

    def __init__(self, build: Callable[[Any], QuerySet[Any]], field: Field[Any, Any]):
        self.build = build
        self.field = field
        # Per thread and database alias, for the connection object it was compiled on: each thread
        # has its own connection objects, and the SQL and converters are the backend's.
        self._local = threading.local()

    def _compile(self, connection: BaseDatabaseWrapper) -> _Compiled:
        queryset = self.build(_SENTINEL)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        positions = [i for i, p in enumerate(params) if p == _SENTINEL]
        if len(positions) != 1:
            raise ValueError("a compiled query needs its looked-up value exactly once among its parameters")
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        klass_info = compiler.klass_info
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return _Compiled(
            connection=connection,
            sql=sql,
            params=tuple(params),
            position=positions[0],
            converters=list(compiler.get_converters(fields).items()),
            model=klass_info["model"],
            init_list=[f[0].target.attname for f in compiler.select[start:end]],
            fields_start=start,
            fields_end=end,
            populators=get_related_populators(klass_info, compiler.select, connection.alias),
            annotation_col_map=dict(compiler.annotation_col_map or {}),
        )

    def first(self, value: Any) -> Any:
        alias = router.db_for_read(self.field.model)
        connection = connections[alias]
        compiled = getattr(self._local, alias, None)
        if compiled is None or compiled.connection is not connection:
            compiled = self._compile(connection)
            setattr(self._local, alias, compiled)
        params = list(compiled.params)
        params[compiled.position] = self.field.get_db_prep_value(self.field.to_python(value), connection)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if compiled.converters:  # as SQLCompiler.apply_converters does
            row = list(row)
            for position, (converters, expression) in compiled.converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
        obj = compiled.model.from_db(alias, compiled.init_list, row[compiled.fields_start : compiled.fields_end])
        for populator in compiled.populators:
            populator.populate(row, obj)
        for name, position in compiled.annotation_col_map.items():
            setattr(obj, name, row[position])
        return obj
