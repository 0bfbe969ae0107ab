from django.urls import path

from social import views

app_name = "social"

urlpatterns = [
    path("friends/", views.friends, name="friends"),
    path("friends/requests/<int:friendship_id>/accept/", views.request_accept, name="request_accept"),
    path("friends/requests/<int:friendship_id>/reject/", views.request_reject, name="request_reject"),
    path("friends/requests/<int:friendship_id>/cancel/", views.request_cancel, name="request_cancel"),
    path("players/", views.player_search, name="player_search"),
    path("players/<int:user_id>/", views.profile, name="profile"),
    path("players/<int:user_id>/followers/", views.followers, name="followers"),
    path("players/<int:user_id>/following/", views.following, name="following"),
    path("players/<int:user_id>/friend/", views.friend_add, name="friend_add"),
    path("players/<int:user_id>/unfriend/", views.unfriend, name="unfriend"),
    path("players/<int:user_id>/follow/", views.follow, name="follow"),
    path("players/<int:user_id>/star/", views.star, name="star"),
    path("players/<int:user_id>/report/", views.report, name="report"),
]
