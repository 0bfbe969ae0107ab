"""Who belongs to an event or team changed: bump its members generation when the change commits.

Called by every service that adds or removes a team member or confirms or ends a registration, in
its own transaction, so readers that cache a member list (chat's rooms) never serve a stale one.
"""

from driftwood.core.generations import bump_on_commit
from tournaments.selectors import EVENT_MEMBERS, TEAM_MEMBERS


def members_changed_on_commit(*, event_id: int | None = None, team_id: int | None = None) -> None:
    if event_id is not None:
        bump_on_commit(EVENT_MEMBERS, event_id)
    if team_id is not None:
        bump_on_commit(TEAM_MEMBERS, team_id)
