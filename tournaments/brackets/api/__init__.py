"""The bracket's part of /api/v1/ (routed in tournaments/api/urls.py): entries, the start, matches, disputes."""
