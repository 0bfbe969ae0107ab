"""Form plumbing every app's page forms share."""

from django.core.exceptions import ValidationError


class ServiceErrorsMixin:
    """Shows a service's ValidationError on the form, field by field."""

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)
