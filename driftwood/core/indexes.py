"""Trigram indexes for name searches, on any PostgreSQL.

`ILIKE '%term%'` on a column (driftwood.core.lookups) is answered by a GIN index with pg_trgm's
`gin_trgm_ops`. pg_trgm is a contrib extension: production and CI servers have it, but the
embedded development server (pip's pgserver) ships without contrib. There the extension is not
created (migration core.0003) and a plain b-tree index of the same name stands in: searches give
the same rows, by scanning, and the migration history is the same everywhere.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db.models import F, Index

EXTENSION = "pg_trgm"


def trigram_available(connection) -> bool:
    """Whether pg_trgm is installed in the connection's database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = %s", [EXTENSION])
        return cursor.fetchone() is not None


class TrigramIndex(GinIndex):
    """`TrigramIndex("name", name=...)`: a GIN trigram index on one text column."""

    def __init__(self, column: str, *, name: str):
        self.column = column
        super().__init__(OpClass(F(column), name="gin_trgm_ops"), name=name)

    def deconstruct(self):
        path = f"{self.__class__.__module__}.{self.__class__.__name__}"
        return path, (self.column,), {"name": self.name}

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if trigram_available(schema_editor.connection):
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        return Index(fields=[self.column], name=self.name).create_sql(model, schema_editor, **kwargs)
