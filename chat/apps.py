from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Chat")

    def ready(self):
        from chat import presence
        from driftwood.notifications.services import online_check_with

        # Players with a chat socket open see notifications live: no push to their phones.
        online_check_with(presence.online)
