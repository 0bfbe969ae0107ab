"""Pieces every app's admin shares."""

from django.contrib import admin


class ReadOnlyAdminMixin:
    """For a ModelAdmin or an inline: staff may look, never add, edit or delete; changes go through
    the services (and the database refuses some edits anyway, e.g. to the ledger)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A model staff may look at, never add, edit or delete: changes go through the services."""
