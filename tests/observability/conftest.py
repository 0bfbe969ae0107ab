import pytest

from driftwood.observability import metrics


@pytest.fixture(autouse=True)
def _request_series_as_in_a_new_process():
    """The per-route request series start empty in each test here, as in a process that just
    started. The tests a worker ran before (the API fuzzing alone sends thousands of requests over
    every route, method and status) leave thousands of series, and every read of /metrics printed
    and parsed them all: the most of these tests' time in a full run. The tests compare values
    before and after, so what they prove is unchanged."""
    for series in (metrics.http_request_duration, metrics.http_request_db_queries):
        series.clear()
