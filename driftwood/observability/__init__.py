"""Operating Driftwood: Prometheus metrics (`/metrics`), request-traced JSON logs and Sentry.

Wiring, like `driftwood/celery.py`: it reads the apps only through their selectors, and nothing
in the apps imports it (they log with `extra=`; the request id comes from `context`).
"""
