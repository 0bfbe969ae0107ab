"""Querysets and saves compiled to SQL once, for the hot paths where Django compiling them costs more
than PostgreSQL running them (issue #15: the bracket engine's reads and writes).

Django compiles a queryset every time it is evaluated: it resolves the select list, the joins and
every annotation again. `CompiledQuery` compiles a queryset once per process, with a marker value
standing for each parameter that changes per call, keeps the SQL and its parameters, and then runs
that SQL with the values swapped in on whichever thread and connection calls it. (Once per thread
compiled again for every request under daphne and uvicorn: Django's ASGI handler runs each request's
sync code on a new thread. What is kept depends only on the models and the backend: PostgreSQL adds
no converters of its own, and the fields' converters are handed the caller's connection.) The
text is the same on every call, so psycopg prepares it (DATABASE_PREPARE_THRESHOLD), and the rows
become instances exactly as the queryset builds them: the same columns, `select_related` objects,
annotations and field converters.

    match_state = CompiledQuery(lambda match_id: Match.objects.select_related("stage").filter(pk=match_id))
    match = match_state.one(match_id=42)

Only for fixed querysets whose shape never depends on the values (a `filter(pk__in=...)` list would
not do: its length is part of the SQL).

`instance_insert`, `fields_save` and `instances_fields_save` write as `save()`, `save(update_fields=...)`
and `bulk_update()` do (defaults and `auto_now` applied by the fields themselves), each as one
statement whose text depends only on the model and the fields. They send no model signals: use
them only for models nothing listens to (none in Driftwood: its writes live in services).
"""

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import DatabaseError, connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

# Distinct from any real parameter the querysets carry: ids and counts are never this negative.
_FIRST_MARKER = -7_340_032_001


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    positions: dict[str, tuple[int, ...]]
    db: str
    for_update: bool
    col_count: int
    converters: tuple  # (column, (converter, ...), expression)
    model: type[Model]
    model_slice: slice
    init_list: list[str]
    populators: list
    annotations: tuple[tuple[str, int], ...]


class CompiledQuery:
    """`build(**markers)` returns the queryset; each keyword names a value that changes per call."""

    def __init__(self, build: Callable[..., QuerySet], *names: str) -> None:
        self._build = build
        self._markers = {name: _FIRST_MARKER - index for index, name in enumerate(names)}
        self._once: _Compiled | None = None

    def _compiled(self) -> _Compiled:
        compiled = self._once
        if compiled is None:
            # Two threads may both compile the first time; either result is the same.
            compiled = self._once = self._compile()
        return compiled

    def _compile(self) -> _Compiled:
        queryset = self._build(**self._markers)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        positions = {}
        for name, marker in self._markers.items():
            found = tuple(index for index, param in enumerate(params) if param == marker)
            if not found:
                raise ValueError(f"{name!r} does not reach the SQL as a parameter of its own: {sql}")
            positions[name] = found
        select, klass_info = compiler.select, compiler.klass_info
        fields = [column[0] for column in select[: compiler.col_count]]
        converters = tuple(
            (position, tuple(functions), expression)
            for position, (functions, expression) in compiler.get_converters(fields).items()
        )
        select_fields = klass_info["select_fields"]
        model_slice = slice(select_fields[0], select_fields[-1] + 1)
        return _Compiled(
            sql=sql,
            params=tuple(params),
            positions=positions,
            db=queryset.db,
            for_update=queryset.query.select_for_update,
            col_count=compiler.col_count,
            converters=converters,
            model=klass_info["model"],
            model_slice=model_slice,
            init_list=[column[0].target.attname for column in select[model_slice]],
            populators=get_related_populators(klass_info, select, queryset.db),
            annotations=tuple(compiler.annotation_col_map.items()),
        )

    def all(self, **values) -> list[Model]:
        """The instances the queryset would give for these values."""
        compiled = self._compiled()
        if values.keys() != compiled.positions.keys():
            raise TypeError(f"Expected values for {sorted(compiled.positions)}, got {sorted(values)}.")
        params = list(compiled.params)
        for name, value in values.items():
            for position in compiled.positions[name]:
                params[position] = value
        connection = connections[compiled.db]
        if compiled.for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return [self._instance(compiled, connection, list(row[: compiled.col_count])) for row in rows]

    def one(self, **values) -> Model | None:
        """The first instance for these values, or None."""
        found = self.all(**values)
        return found[0] if found else None

    @staticmethod
    def _instance(compiled: _Compiled, connection, row: list) -> Model:
        for position, functions, expression in compiled.converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        instance = compiled.model.from_db(compiled.db, compiled.init_list, row[compiled.model_slice])
        for populator in compiled.populators:
            populator.populate(row, instance)
        for name, position in compiled.annotations:
            setattr(instance, name, row[position])
        return instance


def _quoted(name: str) -> str:
    return connections["default"].ops.quote_name(name)


@functools.cache
def _insert_sql(model: type[Model]) -> tuple[str, tuple]:
    fields = tuple(field for field in model._meta.concrete_fields if not field.primary_key)
    columns = ", ".join(_quoted(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    table, pk = _quoted(model._meta.db_table), _quoted(model._meta.pk.column)
    return f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING {pk}", fields


def instance_insert(instance: Model) -> Model:
    """`instance.save()` of a new row (its primary key from the database), as one fixed INSERT."""
    sql, fields = _insert_sql(type(instance))
    db = router.db_for_write(type(instance), instance=instance)
    connection = connections[db]
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding, instance._state.db = False, db
    return instance


@functools.cache
def _update_sql(model: type[Model], names: tuple[str, ...]) -> tuple[str, tuple]:
    fields = tuple(model._meta.get_field(name) for name in names)
    assignments = ", ".join(f"{_quoted(field.column)} = %s" for field in fields)
    table, pk = _quoted(model._meta.db_table), _quoted(model._meta.pk.column)
    return f"UPDATE {table} SET {assignments} WHERE {pk} = %s", fields


def fields_save(instance: Model, names: Sequence[str]) -> None:
    """`instance.save(update_fields=names)` as one fixed UPDATE (`auto_now` fields are stamped when named)."""
    sql, fields = _update_sql(type(instance), tuple(names))
    connection = connections[instance._state.db or router.db_for_write(type(instance), instance=instance)]
    params = [field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, instance.pk])
        if cursor.rowcount != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")


@functools.cache
def _bulk_update_sql(model: type[Model], names: tuple[str, ...], count: int) -> tuple[str, tuple]:
    connection = connections["default"]
    fields = tuple(model._meta.get_field(name) for name in names)
    pk = model._meta.pk
    # Typed placeholders: a NULL in VALUES has no type of its own.
    row = ", ".join(f"%s::{field.cast_db_type(connection)}" for field in (pk, *fields))
    names_sql = ", ".join(_quoted(f"new_{field.column}") for field in (pk, *fields))
    assignments = ", ".join(f"{_quoted(field.column)} = new.{_quoted(f'new_{field.column}')}" for field in fields)
    table = _quoted(model._meta.db_table)
    values = ", ".join([f"({row})"] * count)
    return (
        f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS new({names_sql})"
        f" WHERE {table}.{_quoted(pk.column)} = new.{_quoted(f'new_{pk.column}')}",
        fields,
    )


def instances_fields_save(instances: Sequence[Model], names: Sequence[str]) -> None:
    """`bulk_update(instances, names)` as one fixed UPDATE per number of rows (none for no rows).
    As with `bulk_update`, `auto_now` fields are the caller's to set."""
    if not instances:
        return
    model = type(instances[0])
    sql, fields = _bulk_update_sql(model, tuple(names), len(instances))
    connection = connections[router.db_for_write(model)]
    params = [
        value
        for instance in instances
        for value in (
            instance.pk,
            *(field.get_db_prep_save(getattr(instance, field.attname), connection) for field in fields),
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
