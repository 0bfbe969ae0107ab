"""WebSocket authentication: `?token=<access JWT>` or the Django session cookie."""

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import AuthenticationFailed

from driftwood.accounts.authentication import user_for_access_token


@database_sync_to_async
def _user_for_token(raw_token: str):
    try:
        user, _token = user_for_access_token(raw_token)
    except AuthenticationFailed as exc:
        return AnonymousUser(), exc.get_codes()
    return user, None


class QueryTokenAuthMiddleware(BaseMiddleware):
    """A token in the query string wins over the session; a bad one leaves the socket
    anonymous with `scope["auth_error"]` set, for consumers to close with 4401."""

    async def __call__(self, scope, receive, send):
        tokens = parse_qs(scope.get("query_string", b"").decode()).get("token")
        if tokens:
            scope = dict(scope)
            scope["user"], scope["auth_error"] = await _user_for_token(tokens[0])
        return await super().__call__(scope, receive, send)


def TokenOrSessionAuthMiddlewareStack(inner):  # noqa: N802 - named like Channels' stacks
    return AuthMiddlewareStack(QueryTokenAuthMiddleware(inner))
