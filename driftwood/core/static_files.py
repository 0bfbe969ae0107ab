"""WhiteNoise, reading the static files once per process.

Django builds its middleware chain once per handler, and each WhiteNoise instance lists and stats
every static file (about 180) to build its table of responses: 18 ms. A server builds one handler,
but the test client builds one per client, which made that scan a few percent of the test suite.
The table depends only on the settings read here, so instances with the same settings share it.
"""

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware

_tables: dict[tuple, dict] = {}


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    def add_files_from_finders(self):
        key = (
            self.static_prefix,
            str(self.static_root),
            self.max_age,
            self.allow_all_origins,
            self.charset,
            tuple(str(path) for path in settings.STATICFILES_DIRS),
        )
        table = _tables.get(key)
        if table is None:
            super().add_files_from_finders()
            _tables[key] = dict(self.files)
        else:
            self.files.update(table)
