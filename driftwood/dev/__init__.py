"""Development tools: the doubles that stand in for the outside world, and the demo data.

A Django app installed only with DRIFTWOOD_DEV_TOOLS (on by default when DJANGO_DEBUG is, so in
`make run`; the tests turn it on in tests/parallel.py). Production settings never install it,
and nothing outside this package imports it (tests/dev/test_production.py proves both):

- `fake_bank`: the bank payout API (a plain ASGI app; `make run` serves it with daphne, or
  `manage.py fake_bank`);
- `localstripe_card`: the card step localstripe's Stripe.js leaves out (`/dev/localstripe-card/`,
  with STRIPE_LOCAL_CARD_SHIM);
- `stripe_redirects`: FPX and GrabPay, which localstripe lacks: a fake bank / e-wallet page that
  approves or declines the payment at localstripe (`/dev/stripe-redirect/<id>/`, with
  STRIPE_REDIRECT_STAND_IN);
- `firebase`: push and Firestore mirror doubles that record what would have been sent, used
  without FIREBASE_CREDENTIALS (PUSH_STAND_IN, CHAT_MIRROR_STAND_IN);
- `manage.py seed_demo`: demo accounts, funds, games, teams and events through the services.

`manage.py check --deploy` fails while this app is installed (checks.py).
"""
