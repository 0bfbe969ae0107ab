"""/api/v1/ routes of the tournaments app ("Tournaments" in the contract)."""

from driftwood.core.urls import api_path
from tournaments.api import announcements, events, games, registrations, teams
from tournaments.brackets.api import entries, matches, public, schedule, stages
from tournaments.brackets.ffa import api as ffa

urlpatterns = [
    *api_path("games", games.GameListApi.as_view(), name="game-list"),
    *api_path("events", events.EventListCreateApi.as_view(), name="event-list"),
    *api_path("events/<int:event_id>", events.EventDetailApi.as_view(), name="event-detail"),
    *api_path("events/<int:event_id>/publish", events.EventPublishApi.as_view(), name="event-publish"),
    *api_path("events/<int:event_id>/cancel", events.EventCancelApi.as_view(), name="event-cancel"),
    *api_path(
        "events/<int:event_id>/announcements",
        announcements.EventAnnouncementsApi.as_view(),
        name="event-announcements",
    ),
    *api_path("events/<int:event_id>/join", registrations.EventJoinApi.as_view(), name="event-join"),
    *api_path("events/<int:event_id>/leave", registrations.EventLeaveApi.as_view(), name="event-leave"),
    *api_path("events/<int:event_id>/check-in", entries.EventCheckInApi.as_view(), name="event-check-in"),
    *api_path("events/<int:event_id>/entries", entries.EventEntryListApi.as_view(), name="event-entries"),
    *api_path("events/<int:event_id>/seeding", entries.EventSeedingApi.as_view(), name="event-seeding"),
    *api_path(
        "events/<int:event_id>/seeding/confirm", entries.EventSeedingConfirmApi.as_view(), name="event-seeding-confirm"
    ),
    *api_path("events/<int:event_id>/start", entries.EventStartApi.as_view(), name="event-start"),
    *api_path("events/<int:event_id>/matches", matches.EventMatchListApi.as_view(), name="event-matches"),
    *api_path("events/<int:event_id>/stages", stages.EventStageListApi.as_view(), name="event-stages"),
    *api_path("events/<int:event_id>/bracket", public.EventBracketPublicApi.as_view(), name="event-bracket-public"),
    *api_path("events/<int:event_id>/schedule", schedule.EventScheduleApi.as_view(), name="event-schedule"),
    *api_path(
        "events/<int:event_id>/rounds/<int:stage>/<str:bracket>/<int:round_number>",
        schedule.RoundPlanApi.as_view(),
        name="event-round-plan",
    ),
    *api_path("events/<int:event_id>/forfeits", schedule.EventForfeitListApi.as_view(), name="event-forfeits"),
    *api_path("forfeits/<int:forfeit_id>/confirm", schedule.ForfeitConfirmApi.as_view(), name="forfeit-confirm"),
    *api_path("forfeits/<int:forfeit_id>/reject", schedule.ForfeitRejectApi.as_view(), name="forfeit-reject"),
    *api_path("matches/<int:match_id>/check-in", schedule.MatchCheckInApi.as_view(), name="match-check-in"),
    *api_path("events/<int:event_id>/ffa", ffa.EventFfaApi.as_view(), name="event-ffa"),
    *api_path("events/<int:event_id>/standings", ffa.EventStandingsApi.as_view(), name="event-standings"),
    *api_path(
        "events/<int:event_id>/rounds/<int:round_number>/close", ffa.RoundCloseApi.as_view(), name="event-round-close"
    ),
    *api_path(
        "events/<int:event_id>/rounds/<int:round_number>/reopen",
        ffa.RoundReopenApi.as_view(),
        name="event-round-reopen",
    ),
    *api_path("lobbies/<int:lobby_id>", ffa.LobbyDetailApi.as_view(), name="lobby-detail"),
    *api_path("lobbies/<int:lobby_id>/results", ffa.LobbyResultsApi.as_view(), name="lobby-results"),
    *api_path("lobbies/<int:lobby_id>/host", ffa.LobbyHostApi.as_view(), name="lobby-host"),
    *api_path("matches/<int:match_id>", matches.MatchDetailApi.as_view(), name="match-detail"),
    *api_path("matches/<int:match_id>/report", matches.MatchReportApi.as_view(), name="match-report"),
    *api_path("matches/<int:match_id>/resolve", matches.MatchResolveApi.as_view(), name="match-resolve"),
    *api_path("matches/<int:match_id>/reopen", matches.MatchReopenApi.as_view(), name="match-reopen"),
    *api_path("matches/<int:match_id>/disputes", matches.MatchDisputeApi.as_view(), name="match-disputes"),
    *api_path("disputes/<int:dispute_id>/evidence", matches.DisputeEvidenceApi.as_view(), name="dispute-evidence"),
    *api_path("teams", teams.TeamListCreateApi.as_view(), name="team-list"),
    *api_path("teams/<int:team_id>", teams.TeamDetailApi.as_view(), name="team-detail"),
    *api_path("teams/<int:team_id>/members", teams.TeamMemberAddApi.as_view(), name="team-members"),
    *api_path("teams/<int:team_id>/leave", teams.TeamLeaveApi.as_view(), name="team-leave"),
    *api_path("teams/<int:team_id>/captain", teams.TeamCaptainApi.as_view(), name="team-captain"),
    *api_path("me/invites", teams.MyInvitesApi.as_view(), name="me-invites"),
    *api_path(
        "invites/<int:invite_id>/accept",
        teams.InviteAcceptApi.as_view(),
        name="invite-accept",
    ),
    *api_path(
        "invites/<int:invite_id>/decline",
        teams.InviteDeclineApi.as_view(),
        name="invite-decline",
    ),
    *api_path(
        "teams/<int:team_id>/members/<int:user_id>", teams.TeamMemberRemoveApi.as_view(), name="team-member-remove"
    ),
]
