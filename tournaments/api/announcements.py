"""An event's announcements: read by anyone who may see the event, posted by its organizer.

Posting notifies every entrant and pins the announcement in the event's chat room, as the manage
page does (`tournaments.services.announcements`).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.pagination import PagePagination
from driftwood.core.schema import ERRORS, error_response
from driftwood.core.text import TextField
from tournaments import selectors
from tournaments.api.events import NOT_FOUND, NOT_ORGANIZER, require_visible_event
from tournaments.models import Announcement
from tournaments.services.announcements import PER_HOUR, announcement_post


class AnnouncementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField(help_text="Plain text; line breaks kept.")
    created_at = serializers.DateTimeField()


class EventAnnouncementsApi(APIView):
    """GET: the event's announcements, newest first (public). POST: the organizer announces something."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = PagePagination  # also tells the schema the list is paginated

    class InputSerializer(serializers.Serializer):
        title = TextField(max_length=Announcement.TITLE_MAX_LENGTH)
        body = TextField(multiline=True, max_length=Announcement.BODY_MAX_LENGTH)

    @extend_schema(
        operation_id="event_announcement_list",
        responses={200: AnnouncementSerializer(many=True), 400: ERRORS["400"], 401: ERRORS["401"], 404: NOT_FOUND},
    )
    def get(self, request, event_id: int):
        require_visible_event(user=request.user, event_id=event_id)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.event_announcements(event_id=event_id), request, view=self)
        return paginator.get_paginated_response(AnnouncementSerializer(page, many=True).data)

    @extend_schema(
        operation_id="event_announcement_create",
        request=InputSerializer,
        responses={
            201: AnnouncementSerializer,
            400: error_response("`invalid` with `errors`: an empty or too long `title` or `body`."),
            403: NOT_ORGANIZER,
            404: NOT_FOUND,
            409: error_response("`invalid_status`: a draft or a cancelled event."),
            429: error_response(f"`rate_limited`: {PER_HOUR} announcements an hour per event; see `Retry-After`."),
        },
    )
    def post(self, request, event_id: int):
        require_visible_event(user=request.user, event_id=event_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        announcement = announcement_post(event_id=event_id, actor=request.user, **data.validated_data)
        return Response(AnnouncementSerializer(announcement).data, status=status.HTTP_201_CREATED)
