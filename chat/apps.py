from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"

    def ready(self):
        from chat import presence
        from driftwood.notifications.services import online_check_with

        # Players with a chat socket open see notifications live: no push to their phones.
        online_check_with(presence.online)
