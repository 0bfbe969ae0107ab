"""The site, plus a page that queues a task (what a view does after a write), for the log tests."""

from django.http import JsonResponse
from django.urls import path

from driftwood.notifications.tasks import send_email
from driftwood.urls import urlpatterns as site_urlpatterns


def queue_email(request):
    subject = request.GET["subject"]
    send_email.delay(to=["player1@example.com"], subject=subject, body="Lobby opens now.")
    return JsonResponse({"queued": subject}, status=202)


urlpatterns = [path("test/queue-email", queue_email), *site_urlpatterns]
