"""The Content-Security-Policy of every response (django-csp; read by driftwood/settings.py).

driftwood/core/csp.py adds the page's own ws(s):// origin to connect-src. Scripts and styles come
from this site, from Stripe.js's host, or carry the request's nonce: nothing inline runs otherwise.
Stripe.js is wherever STRIPE_JS_URL points: real Stripe's hosts (script, frames, API), or
localstripe's stand-in, which calls the API on its own origin.
"""

from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF


def content_security_policy(*, stripe_js_url: str) -> dict:
    stripe_js_origin = "{0.scheme}://{0.netloc}".format(urlsplit(stripe_js_url))
    if stripe_js_origin == "https://js.stripe.com":
        stripe_scripts = ["https://js.stripe.com", "https://*.js.stripe.com"]
        stripe_frames = [*stripe_scripts, "https://hooks.stripe.com"]
        stripe_api = ["https://api.stripe.com"]
    else:
        stripe_scripts, stripe_frames, stripe_api = [stripe_js_origin], [NONE], [stripe_js_origin]
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF, NONCE, *stripe_scripts],
            "style-src": [SELF, NONCE],
            "img-src": [SELF, "data:"],
            "font-src": [SELF],
            "connect-src": [SELF, *stripe_api],
            "frame-src": stripe_frames,
            "object-src": [NONE],
            "base-uri": [NONE],
            "form-action": [SELF],
            "frame-ancestors": [NONE],
        },
    }
