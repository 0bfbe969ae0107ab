"""Brackets: from the start of an event to its final places.

One package, one public surface:

- `models`: entries, stages, matches, score reports, disputes (tables of the `tournaments` app);
- `formats`: the pure algorithms (elimination, round robin, Swiss, standings, placements) on seeds 1..N;
- `rules`: who may do what to a match (`match_permissions`), for pages, templates, API and services alike;
- `services`: every write (build the bracket, seed, start, report, resolve, reopen, dispute);
- `selectors` and `drawing`: the reads, and the page's picture of the bracket;
- `views`, `api`, `admin`: the pages, the REST API and the staff screens;
- `schedule_*` (and `services.schedule`, `services.forfeits`): round plans, match check-in, reminders
  and no-show forfeits (README, "Match scheduling").
"""
