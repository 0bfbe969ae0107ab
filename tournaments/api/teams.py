"""Teams: the creator is the captain; the captain invites players (who accept or decline), removes
members and hands over the captaincy; a member may leave."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.exceptions import NotFound
from driftwood.core.pagination import PagePagination
from driftwood.core.schema import error_response
from driftwood.core.text import TextField
from tournaments import selectors
from tournaments.api import UserRefSerializer
from tournaments.models import TeamInvite, TeamMember
from tournaments.services import teams as team_services

TEAM_NOT_FOUND = error_response("`not_found`: no such team.")


class TeamMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.pk", help_text="The player's user id.")
    username = serializers.CharField(source="user.username")
    display_name = serializers.CharField(source="user.display_name")
    role = serializers.ChoiceField(choices=TeamMember.Role.choices)
    joined_at = serializers.DateTimeField()


class TeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    captain = UserRefSerializer()
    members = TeamMemberSerializer(many=True, source="memberships.all", help_text="The captain first, then by joining.")
    created_at = serializers.DateTimeField()


def _team_response(team_id: int, status_code: int = status.HTTP_200_OK) -> Response:
    team = selectors.team_get(team_id=team_id)
    if team is None:
        raise NotFound(_("Team not found."))
    return Response(TeamSerializer(team).data, status=status_code)


class TeamListCreateApi(APIView):
    """GET: the teams the caller is in. POST: a new team captained by the caller."""

    pagination_class = PagePagination  # also tells the schema the list is paginated

    class InputSerializer(serializers.Serializer):
        name = TextField(max_length=60, help_text="Unique, ignoring case.")

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        captain = UserRefSerializer()
        member_count = serializers.IntegerField()

    @extend_schema(operation_id="team_list", responses={200: OutputSerializer(many=True)})
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.teams_of(user=request.user), request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="team_create",
        request=InputSerializer,
        responses={
            201: TeamSerializer,
            400: error_response("`invalid`: a missing or blank name, or one over 60 characters."),
            409: error_response("`team_name_taken`: a team with that name (ignoring case) exists."),
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = team_services.team_create(captain=request.user, name=data.validated_data["name"])
        return _team_response(team.pk, status.HTTP_201_CREATED)


class TeamDetailApi(APIView):
    @extend_schema(operation_id="team_detail", responses={200: TeamSerializer, 404: TEAM_NOT_FOUND})
    def get(self, request, team_id: int):
        return _team_response(team_id)


class PlayerSerializer(serializers.Serializer):
    """The player a captain invites, or hands the captaincy to."""

    user_id = serializers.IntegerField(min_value=1)


class InviteSerializer(serializers.Serializer):
    invite_id = serializers.IntegerField(source="pk")
    team_id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=TeamInvite.Status.choices)


class TeamMemberAddApi(APIView):
    """The captain invites a player (since the December 2026 additions: no longer adds them)."""

    @extend_schema(
        operation_id="team_member_add",
        request=PlayerSerializer,
        responses={
            201: InviteSerializer,
            403: error_response("`permission_denied`: only the captain invites players."),
            404: error_response("`not_found`: no such team, or no such (active) player."),
            409: error_response("`already_invited`: the player is in the team or already invited."),
        },
    )
    def post(self, request, team_id: int):
        data = PlayerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        player = get_user_model().objects.filter(pk=data.validated_data["user_id"], is_active=True).first()
        if player is None:
            raise NotFound(_("Player not found."))
        invite = team_services.team_invite(team_id=team_id, actor=request.user, user=player)
        return Response(InviteSerializer(invite).data, status=status.HTTP_201_CREATED)


class MyInvitesApi(APIView):
    """The caller's pending team invitations, newest first."""

    pagination_class = PagePagination

    class OutputSerializer(serializers.Serializer):
        invite_id = serializers.IntegerField(source="pk")
        team = inline_serializer("InviteTeam", {"id": serializers.IntegerField(), "name": serializers.CharField()})
        invited_by = inline_serializer(
            "InviteSender", {"id": serializers.IntegerField(), "username": serializers.CharField()}
        )
        created_at = serializers.DateTimeField()

    @extend_schema(operation_id="me_invites", responses={200: OutputSerializer(many=True)})
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.invites_pending_for(user=request.user), request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class InviteAnswerSerializer(serializers.Serializer):
    invite_id = serializers.IntegerField(source="pk")
    status = serializers.ChoiceField(choices=TeamInvite.Status.choices)


INVITE_ANSWERS = {
    200: InviteAnswerSerializer,
    404: error_response("`not_found`: no such invitation for the caller."),
    409: error_response("`not_pending`: already answered."),
}


def _invite_answer(request, invite_id: int, *, accept: bool) -> Response:
    invite = team_services.team_invite_respond(invite_id=invite_id, user=request.user, accept=accept)
    return Response(InviteAnswerSerializer(invite).data)


class InviteAcceptApi(APIView):
    """The invited player joins the roster."""

    @extend_schema(operation_id="invite_accept", request=None, responses=INVITE_ANSWERS)
    def post(self, request, invite_id: int):
        return _invite_answer(request, invite_id, accept=True)


class InviteDeclineApi(APIView):
    @extend_schema(operation_id="invite_decline", request=None, responses=INVITE_ANSWERS)
    def post(self, request, invite_id: int):
        return _invite_answer(request, invite_id, accept=False)


class TeamLeaveApi(APIView):
    @extend_schema(
        operation_id="team_leave",
        request=None,
        responses={
            204: None,
            404: error_response("`not_found`: no such team, or the caller is not in it."),
            409: error_response("`captain_cannot_leave` (hand over first) or `roster_locked`."),
        },
    )
    def post(self, request, team_id: int):
        team_services.team_member_remove(team_id=team_id, actor=request.user, user_id=request.user.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamCaptainApi(APIView):
    """The captain hands the captaincy to a member."""

    @extend_schema(
        operation_id="team_captain_hand_over",
        request=PlayerSerializer,
        responses={
            200: TeamSerializer,
            403: error_response("`permission_denied`: only the captain."),
            404: error_response("`not_found`: no such team, or the player is not a member."),
        },
    )
    def post(self, request, team_id: int):
        data = PlayerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team_services.team_captain_hand_over(team_id=team_id, actor=request.user, **data.validated_data)
        return _team_response(team_id)


class TeamMemberRemoveApi(APIView):
    """The captain removes a member, or a member leaves. The captain cannot leave their own team."""

    @extend_schema(
        operation_id="team_member_remove",
        responses={
            204: None,
            403: error_response("`permission_denied`: only the captain or the member themselves."),
            404: error_response("`not_found`: no such team, or the player is not in it."),
            409: error_response("`captain_cannot_leave` or `roster_locked`."),
        },
    )
    def delete(self, request, team_id: int, user_id: int):
        team_services.team_member_remove(team_id=team_id, actor=request.user, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
