"""Who is calling: the client IP, trusting X-Forwarded-For only from our own proxies."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The socket peer, or the first untrusted hop of X-Forwarded-For behind a trusted proxy.

    Walking the header from the right and stopping at the first address that is not one
    of TRUSTED_PROXIES means a client cannot spoof its way past a rate limit by sending
    its own X-Forwarded-For.
    """
    peer = request.META.get("REMOTE_ADDR", "") or "unknown"
    trusted = set(settings.TRUSTED_PROXIES)
    if peer not in trusted:
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return peer
