from django.urls import path

from driftwood.dev import localstripe_card, stripe_redirects

app_name = "dev"

urlpatterns = [
    path("localstripe-card/", localstripe_card.card_confirm, name="localstripe_card"),
    path("stripe-redirect/<str:payment_intent_id>/", stripe_redirects.stripe_redirect, name="stripe_redirect"),
]
