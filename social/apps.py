from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "social"
    verbose_name = _("Social")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from driftwood.accounts.services import shut_out_explain_with
        from social.moderation import sanction_explanation, session_index_add

        # A ban ends the player's sessions: remember which ones are theirs as they log in.
        user_logged_in.connect(session_index_add, dispatch_uid="social.session_index_add")
        # Log-in tells a suspended or banned player why, and until when.
        shut_out_explain_with(sanction_explanation)
