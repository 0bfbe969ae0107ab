from django.urls import path

from tournaments import team_views, views
from tournaments.brackets import embed as embed_views
from tournaments.brackets import manage as manage_views
from tournaments.brackets import schedule_views
from tournaments.brackets import views as bracket_views
from tournaments.brackets.ffa import views as ffa_views

app_name = "tournaments"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("new/", views.event_new, name="event_new"),
    path("mine/", views.my_events, name="my_events"),
    path("<int:event_id>/", views.event_detail, name="event_detail"),
    path("<int:event_id>/edit/", views.event_edit, name="event_edit"),
    path("<int:event_id>/publish/", views.event_publish_view, name="event_publish"),
    path("<int:event_id>/join/", views.event_join, name="event_join"),
    path("<int:event_id>/leave/", views.event_leave, name="event_leave"),
    path("<int:event_id>/cancel/", views.event_cancel_view, name="event_cancel"),
    path("<int:event_id>/bracket/", bracket_views.event_bracket, name="event_bracket"),
    path("<int:event_id>/bracket/fragment/", bracket_views.event_bracket_fragment, name="event_bracket_fragment"),
    path("<int:event_id>/manage/", bracket_views.event_manage, name="event_manage"),
    path("<int:event_id>/announcements/", manage_views.event_announce_view, name="event_announce"),
    path("<int:event_id>/embed/", embed_views.event_embed_origins_view, name="event_embed"),
    path(
        "<int:event_id>/matches/<int:match_id>/result/",
        manage_views.event_match_result_view,
        name="event_match_result",
    ),
    path("<int:event_id>/check-in/", bracket_views.event_check_in_view, name="event_check_in"),
    path("<int:event_id>/rounds/", schedule_views.event_round_plan_view, name="event_round_plan"),
    path("<int:event_id>/forfeits/<int:forfeit_id>/", schedule_views.event_forfeit_view, name="event_forfeit"),
    path("<int:event_id>/seeding/", bracket_views.event_seeding_view, name="event_seeding"),
    path("<int:event_id>/seeding/confirm/", bracket_views.event_seeding_confirm_view, name="event_seeding_confirm"),
    path("<int:event_id>/start/", bracket_views.event_start_view, name="event_start"),
    path("<int:event_id>/ffa/", ffa_views.event_ffa_view, name="event_ffa"),
    path("<int:event_id>/rounds/<int:round_number>/close/", ffa_views.event_round_close_view, name="event_round_close"),
    path(
        "<int:event_id>/rounds/<int:round_number>/reopen/", ffa_views.event_round_reopen_view, name="event_round_reopen"
    ),
    path("<int:event_id>/lobbies/<int:lobby_id>/", ffa_views.lobby_results_view, name="event_lobby"),
    path("<int:event_id>/lobbies/<int:lobby_id>/host/", ffa_views.lobby_host_view, name="event_lobby_host"),
    path("matches/<int:match_id>/", bracket_views.match_detail, name="match_detail"),
    path("matches/<int:match_id>/report/", bracket_views.match_report_view, name="match_report"),
    path("matches/<int:match_id>/check-in/", schedule_views.match_check_in_view, name="match_check_in"),
    path("matches/<int:match_id>/dispute/", bracket_views.match_dispute_view, name="match_dispute"),
    path("matches/<int:match_id>/resolve/", bracket_views.match_resolve_view, name="match_resolve"),
    path("matches/<int:match_id>/reopen/", bracket_views.match_reopen_view, name="match_reopen"),
    path("disputes/<int:dispute_id>/evidence/", bracket_views.dispute_evidence, name="dispute_evidence"),
    path("teams/", team_views.team_list, name="team_list"),
    path("teams/<int:team_id>/", team_views.team_detail, name="team_detail"),
    path("teams/<int:team_id>/members/", team_views.team_member_add_view, name="team_member_add"),
    path("teams/<int:team_id>/captain/<int:user_id>/", team_views.team_captain_view, name="team_captain"),
    path(
        "teams/invites/<int:invite_id>/<str:answer>/",
        team_views.team_invite_answer_view,
        name="team_invite_answer",
    ),
    path(
        "teams/<int:team_id>/members/<int:user_id>/remove/",
        team_views.team_member_remove_view,
        name="team_member_remove",
    ),
]
