from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "social"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from driftwood.accounts import shut_out
        from social.moderation import session_index_add, shut_out_explanation

        # A ban ends the player's sessions: remember which ones are theirs as they log in.
        user_logged_in.connect(session_index_add, dispatch_uid="social.session_index_add")
        # Log-in tells a suspended or banned player why, and until when.
        shut_out.explain_with(shut_out_explanation)
