"""The games events are played in."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from driftwood.core.pagination import PagePagination
from driftwood.core.schema import ERRORS
from tournaments import selectors


class GameSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.SlugField()


class GameListApi(APIView):
    """Every game, by name. Public: no login needed."""

    permission_classes = [AllowAny]
    pagination_class = PagePagination  # also tells the schema the list is paginated

    @extend_schema(
        operation_id="game_list",
        responses={200: GameSerializer(many=True), 400: ERRORS["400"], 401: ERRORS["401"]},
    )
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.games(), request, view=self)
        return paginator.get_paginated_response(GameSerializer(page, many=True).data)
