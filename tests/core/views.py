"""Test-only API views that exercise the core conventions through real requests."""

from django.contrib.admin.models import ADDITION, LogEntry
from rest_framework import serializers, status
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.accounts.models import User
from driftwood.core.exceptions import Conflict
from driftwood.core.idempotency import idempotent
from driftwood.core.money import MoneyField
from driftwood.core.pagination import PagePagination
from driftwood.core.throttles import MoneyRateThrottle, TieredRateThrottle


class FailingApi(APIView):
    def get(self, request):
        raise RuntimeError("deliberate failure with a secret in it: hunter2")


class StaffOnlyApi(APIView):
    permission_classes = [IsAdminUser]

    def get(self, request):
        return Response({"ok": True})


class ConflictApi(APIView):
    def post(self, request):
        raise Conflict("Already done.")


class MoneyEchoApi(APIView):
    class InputSerializer(serializers.Serializer):
        amount = MoneyField(min_value="1.00", max_value="10000.00")

    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"amount": MoneyField().to_representation(data.validated_data["amount"])})


class SideEffectApi(APIView):
    """Each effect is one admin LogEntry row: a table with no uniqueness to hide a double."""

    throttle_classes = [TieredRateThrottle, MoneyRateThrottle]

    @idempotent
    def post(self, request):
        note = str(request.data.get("note", ""))
        if note == "explode":
            LogEntry.objects.create(user=request.user, action_flag=ADDITION, object_repr="doomed")
            raise RuntimeError("failed after writing")
        if note == "refuse":
            raise Conflict("Refused.")
        entry = LogEntry.objects.create(user=request.user, action_flag=ADDITION, object_repr=note)
        return Response({"effect_id": entry.pk, "note": note}, status=status.HTTP_201_CREATED)


class UserListApi(APIView):
    """A paginated list of users, newest id first."""

    def get(self, request):
        paginator = PagePagination()
        page = paginator.paginate_queryset(User.objects.order_by("-pk"), request, view=self)
        return paginator.get_paginated_response([{"id": user.pk} for user in page])
