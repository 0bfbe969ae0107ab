"""`field__search_contains=text`: case-insensitive "contains" written as `field ILIKE '%text%'`.

Django's `icontains` compares `UPPER(field::text)`, which no index on the column can serve; ILIKE
on the bare column is what a pg_trgm GIN index (`gin_trgm_ops`) answers, so searches over names
stay fast however many rows there are (a rare term reads a handful of index pages). `%`, `_` and
`\\` in the text match themselves, as with `icontains`.
"""

from django.db.models import CharField, TextField
from django.db.models.lookups import PatternLookup


class SearchContains(PatternLookup):
    lookup_name = "search_contains"

    def as_sql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql} ILIKE {rhs_sql}", (*lhs_params, *rhs_params)


CharField.register_lookup(SearchContains)
TextField.register_lookup(SearchContains)
