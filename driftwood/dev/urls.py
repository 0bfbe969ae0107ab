from django.urls import path

from driftwood.dev import localstripe_card

app_name = "dev"

urlpatterns = [
    path("localstripe-card/", localstripe_card.card_confirm, name="localstripe_card"),
]
