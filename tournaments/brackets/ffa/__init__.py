"""Free-for-all (battle royale) stages: lobbies per round, results per lobby, standings across rounds.

- `models`: the settings an organizer chooses, lobbies, their slots and the audit of every result
  entered (tables of the `tournaments` app, imported by `tournaments.models`);
- `rules`: who may enter a lobby's results and close a round;
- `services`: settings, drawing the lobbies, entering results, closing rounds, completing the event;
- `selectors`: standings and lobbies for the pages and the API;
- `views`, `api`, `admin`: the pages, the REST API and the staff screens.

The arithmetic (points tables, dealing lobbies, the standings' order) is pure, in
`tournaments.brackets.formats.ffa`.
"""
