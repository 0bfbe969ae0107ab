"""Profiles, friends, follows, stars and reports: thin views over social.services and social.selectors.

Banned (inactive) players do not exist here: asking about one is a 404, as for an unknown id.
Stars are private: no response of this module reveals them (the caller sees their own in GET /me).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.accounts.models import User
from driftwood.core.pagination import PagePagination
from driftwood.core.schema import error_response
from driftwood.core.text import TextField
from social import selectors, services
from social.exceptions import UserNotFound
from social.models import Friendship, Report

RELATIONSHIPS = [selectors.NONE, selectors.FRIENDS, selectors.REQUEST_SENT, selectors.REQUEST_RECEIVED, selectors.SELF]
# In the caller's language (English: the contract's words).
REQUEST_MESSAGES = {
    "sent": _("Friend request sent"),
    "already_sent": _("Request already sent"),
    "accepted": _("You are now friends"),
}


PLAYER_NOT_FOUND = error_response("`not_found`: no such player, or a banned one.")
NOT_YOURSELF = error_response("`invalid`: you cannot do this to yourself.")
REQUEST_NOT_FOUND = error_response("`not_found`: no such friend request, or one between two other players.")
NOT_RECIPIENT = error_response("`permission_denied`: only the player who received the request may answer it.")
NOT_PENDING = error_response("`not_pending`: the request was already answered.")


def _require_visible_player(user_id: int) -> None:
    if not User.objects.filter(pk=user_id, is_active=True).exists():
        raise UserNotFound()


class FriendshipSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user_id = serializers.IntegerField(source="requester_id", help_text="The player who sent the request.")
    friend_id = serializers.IntegerField(source="addressee_id", help_text="The player who received it.")
    status = serializers.ChoiceField(choices=Friendship.Status.choices)
    created_at = serializers.DateTimeField(help_text="When the request was sent.")


class PlayerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()


class UserProfileApi(APIView):
    """A player's public profile, with the caller's relationship to them."""

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        display_name = serializers.CharField()
        friend_count = serializers.IntegerField()
        follower_count = serializers.IntegerField()
        following_count = serializers.IntegerField()
        relationship = serializers.ChoiceField(choices=RELATIONSHIPS, help_text="From the caller's side.")
        following = serializers.BooleanField(help_text="Whether the caller follows this player.")

    @extend_schema(operation_id="user_profile", responses={200: OutputSerializer, 404: PLAYER_NOT_FOUND})
    def get(self, request, user_id: int):
        profile = selectors.user_profile(viewer_id=request.user.pk, user_id=user_id)
        if profile is None:
            raise UserNotFound()
        return Response(self.OutputSerializer(profile).data)


class FriendRequestSendApi(APIView):
    """Ask a player to be friends. Asking a player who already asked you makes you friends at once."""

    class InputSerializer(serializers.Serializer):
        target_user_id = serializers.IntegerField(min_value=1)

    class OutputSerializer(serializers.Serializer):
        success = serializers.BooleanField()
        message = serializers.CharField()
        friendship = FriendshipSerializer()

    @extend_schema(
        operation_id="friend_request_send",
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            200: OpenApiResponse(
                OutputSerializer,
                description='Your pending request already existed ("Request already sent"), or the player had '
                "already asked you, and you are now friends (status `accepted`).",
            ),
            400: error_response("`invalid`: a missing or bad `target_user_id`, or your own id."),
            404: PLAYER_NOT_FOUND,
            409: error_response("`already_friends`."),
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.friend_request_send(requester=request.user, target_id=data.validated_data["target_user_id"])
        body = {"success": True, "message": REQUEST_MESSAGES[result.outcome], "friendship": result.friendship}
        code = status.HTTP_201_CREATED if result.outcome == "sent" else status.HTTP_200_OK
        return Response(self.OutputSerializer(body).data, status=code)


class FriendRequestListApi(APIView):
    """Friend requests the caller received and has not answered, newest first."""

    pagination_class = PagePagination  # also tells the schema the list is paginated

    class OutputSerializer(FriendshipSerializer):
        requester = PlayerRefSerializer(help_text="The player who sent the request.")

    @extend_schema(operation_id="friend_request_list", responses={200: OutputSerializer(many=True)})
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.incoming_requests(user_id=request.user.pk), request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


ANSWER_RESPONSES = {
    200: FriendshipSerializer,
    403: NOT_RECIPIENT,
    404: REQUEST_NOT_FOUND,
    409: NOT_PENDING,
}


class FriendRequestAcceptApi(APIView):
    @extend_schema(operation_id="friend_request_accept", request=None, responses=ANSWER_RESPONSES)
    def post(self, request, friendship_id: int):
        friendship = services.friend_request_accept(user=request.user, friendship_id=friendship_id)
        return Response(FriendshipSerializer(friendship).data)


class FriendRequestRejectApi(APIView):
    @extend_schema(operation_id="friend_request_reject", request=None, responses=ANSWER_RESPONSES)
    def post(self, request, friendship_id: int):
        friendship = services.friend_request_reject(user=request.user, friendship_id=friendship_id)
        return Response(FriendshipSerializer(friendship).data)


class FriendRemoveApi(APIView):
    """Unfriend a player."""

    @extend_schema(
        operation_id="friend_remove",
        responses={204: None, 404: error_response("`not_found`: you are not friends with this player.")},
    )
    def delete(self, request, user_id: int):
        services.friend_remove(user=request.user, friend_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserFriendListApi(APIView):
    """A player's friends by username, each with the caller's relationship to them. Banned players are left out."""

    pagination_class = PagePagination  # also tells the schema the list is paginated

    class FilterSerializer(serializers.Serializer):
        search = serializers.CharField(required=False, allow_blank=True, max_length=150)

    class OutputSerializer(PlayerRefSerializer):
        relationship = serializers.ChoiceField(choices=RELATIONSHIPS, help_text="From the caller's side.")

    @extend_schema(
        operation_id="user_friend_list",
        parameters=[
            OpenApiParameter(
                "search", str, required=False, description="Part of a username or display name, ignoring case."
            ),
        ],
        responses={200: OutputSerializer(many=True), 404: PLAYER_NOT_FOUND},
    )
    def get(self, request, user_id: int):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        _require_visible_player(user_id)
        friends = selectors.friends_of(
            user_id=user_id, viewer_id=request.user.pk, search=filters.validated_data.get("search", "")
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(friends, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class FollowToggleApi(APIView):
    """Follow a player, or stop following them if the caller already does."""

    class OutputSerializer(serializers.Serializer):
        following = serializers.BooleanField(help_text="Whether the caller follows the player now.")
        follower_count = serializers.IntegerField(help_text="The player's followers, after this change.")

    @extend_schema(
        operation_id="follow_toggle",
        request=None,
        responses={200: OutputSerializer, 400: NOT_YOURSELF, 404: PLAYER_NOT_FOUND},
    )
    def post(self, request, target_user_id: int):
        following = services.follow_toggle(follower=request.user, target_id=target_user_id)
        counts = selectors.social_counts(user_id=target_user_id)
        return Response(
            self.OutputSerializer({"following": following, "follower_count": counts["follower_count"]}).data
        )


class StarToggleApi(APIView):
    """Star a player, or unstar them if the caller already did. Stars are private to the caller."""

    class OutputSerializer(serializers.Serializer):
        starred = serializers.BooleanField(help_text="Whether the caller has starred the player now.")

    @extend_schema(
        operation_id="star_toggle",
        request=None,
        responses={200: OutputSerializer, 400: NOT_YOURSELF, 404: PLAYER_NOT_FOUND},
    )
    def post(self, request, user_id: int):
        starred = services.star_toggle(user=request.user, target_id=user_id)
        return Response(self.OutputSerializer({"starred": starred}).data)


class ReportCreateApi(APIView):
    """Report a player to the moderators: once per player every 24 hours."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.ChoiceField(choices=Report.Reason.choices)
        description = TextField(multiline=True, required=False, allow_blank=True, max_length=2000, default="")

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.ChoiceField(choices=Report.Status.choices)
        message = serializers.CharField()

    @extend_schema(
        operation_id="report_create",
        request=InputSerializer,
        parameters=[
            OpenApiParameter(
                "Retry-After",
                int,
                OpenApiParameter.HEADER,
                response=[429],
                description="Seconds until this player may be reported again.",
            ),
        ],
        responses={
            201: OutputSerializer,
            400: error_response("`invalid`: an unknown reason, a description over 2000 characters, or yourself."),
            404: error_response("`not_found`: no such player."),
            429: error_response("`rate_limited`: you reported this player in the last 24 hours (see `Retry-After`)."),
        },
    )
    def post(self, request, user_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_create(reporter=request.user, target_id=user_id, **data.validated_data)
        body = {"id": report.pk, "status": report.status, "message": _("Report submitted for review")}
        return Response(self.OutputSerializer(body).data, status=status.HTTP_201_CREATED)
