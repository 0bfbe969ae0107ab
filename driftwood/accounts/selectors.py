from driftwood.accounts.models import User


def user_starred_ids(*, user: User) -> list[int]:
    """Ids the user has starred, private to them (stars arrive with the social graph)."""
    stars = getattr(user, "stars", None)
    if stars is None:
        return []
    return list(stars.order_by("pk").values_list("starred_id", flat=True))
