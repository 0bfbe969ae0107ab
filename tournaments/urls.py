from django.urls import path

from tournaments import views

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
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:team_id>/", views.team_detail, name="team_detail"),
    path("teams/<int:team_id>/members/", views.team_member_add_view, name="team_member_add"),
    path(
        "teams/<int:team_id>/members/<int:user_id>/remove/",
        views.team_member_remove_view,
        name="team_member_remove",
    ),
]
