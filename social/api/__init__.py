"""/api/v1/ for profiles, friends, follows, stars and reports ("Social graph" in the contract)."""
