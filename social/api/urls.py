"""/api/v1/ routes of the social app ("Auth and users" profiles and "Social graph" in the contract)."""

from driftwood.core.urls import api_path
from social.api import views

urlpatterns = [
    *api_path("users/<int:user_id>", views.UserProfileApi.as_view(), name="user-profile"),
    *api_path("users/<int:user_id>/friends", views.UserFriendListApi.as_view(), name="user-friends"),
    *api_path("users/<int:user_id>/star", views.StarToggleApi.as_view(), name="user-star"),
    *api_path("users/<int:user_id>/report", views.ReportCreateApi.as_view(), name="user-report"),
    *api_path("friends/request", views.FriendRequestSendApi.as_view(), name="friend-request"),
    *api_path("friends/requests", views.FriendRequestListApi.as_view(), name="friend-requests"),
    *api_path(
        "friends/<int:friendship_id>/accept", views.FriendRequestAcceptApi.as_view(), name="friend-request-accept"
    ),
    *api_path(
        "friends/<int:friendship_id>/reject", views.FriendRequestRejectApi.as_view(), name="friend-request-reject"
    ),
    *api_path("friends/<int:user_id>", views.FriendRemoveApi.as_view(), name="friend-remove"),
    *api_path("follow/<int:target_user_id>", views.FollowToggleApi.as_view(), name="follow"),
]
