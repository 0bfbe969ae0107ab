"""/api/v1/: every app's API routes, in one flat list.

Flat, not one `include()` per app: Django tries an include's patterns in turn and, when none
matches, raises Resolver404 carrying every pattern it tried, which the caller copies into its own
list. With seven includes, a route of the sixth app took ~200 us to resolve, four times one of the
first: on every request.
"""

from chat.api import urls as chat
from driftwood.accounts.api import urls as accounts
from driftwood.notifications.api import urls as notifications
from integrations.api import urls as integrations
from social.api import urls as social
from tournaments.api import urls as tournaments
from wallet.api import urls as wallet

urlpatterns = [
    *accounts.urlpatterns,
    *wallet.urlpatterns,
    *tournaments.urlpatterns,
    *notifications.urlpatterns,
    *social.urlpatterns,
    *chat.urlpatterns,
    *integrations.urlpatterns,
]
