"""/api/v1/ for games, events, registrations and teams ("Tournaments" in the contract).

Pieces shared by the views of this package live here.
"""

from rest_framework import serializers


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
