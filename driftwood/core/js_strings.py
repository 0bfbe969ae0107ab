"""The words the page scripts show (static/js), translated for the page's language.

base.html hands them to the scripts as JSON (`<script type="application/json" id="js-strings">`,
data, not code: the Content-Security-Policy is unchanged); `Driftwood.t("English text", {name: ..})`
in static/js/shared/live-socket.js looks a text up and fills its %(name)s placeholders, falling back
to the English. A script that shows a new text adds it here, so `makemessages` extracts it.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

JS_STRINGS = (
    # shared/live-socket.js
    _("Connecting…"),
    _("Live updates on"),
    _("Reconnecting…"),
    _("Live updates off"),
    _("Live updates unavailable in this browser"),
    _("Reconnecting in %(seconds)s s…"),
    # shared/page-helpers.js
    _("The server answered %(status)s."),
    # notifications.js
    _("just now"),
    _("unread"),
    _("%(count)s unread"),
    _("99+ unread"),
    _("You're all caught up."),
    _("rooms with unread messages"),
    # bracket.js
    _("The bracket was updated."),
    # chat.js
    _("Your session has ended: log in again to chat."),
    _("You are no longer in this room."),
    _("Former player"),
    _("Could not load older messages. Scroll up to try again."),
    _("Some messages may be missing: reload the page to see them."),
    _("%(name)s is typing…"),
    _("%(first)s and %(second)s are typing…"),
    _("Several people are typing…"),
    _("That did not work."),
    _("Not connected: your message was not sent. It is still in the box."),
    _("Live chat is not supported by this browser."),
    _("Online"),
    _("Offline"),
    # events.js
    _("Card payments are unavailable right now. Pay from your wallet, or try again later."),
    _("Reserving your entry…"),
    _("Confirming the card payment…"),
    _("The card payment was not completed. You have not been charged."),
    _("Payment received. Confirming your place…"),
    _("Your payment went through. Your place will show in a moment: reload this page shortly."),
    _("Joining did not go through. Please try again."),
    # wallet.js
    _("Card payments are unavailable right now. Please try again later."),
    _("Creating your top-up…"),
    _("The card payment was not completed."),
    _("Payment confirmed. Waiting for your wallet to be credited…"),
    _("Your payment went through. Your balance will update in a moment: reload this page shortly."),
    _("The top-up did not go through. Please try again."),
    # localstripe-card.js (development only)
    _("The card was declined."),
)


def js_strings() -> dict[str, str]:
    """{English: the active language's text} for every JS text that has a translation."""
    translated = ((text, gettext(text)) for text in JS_STRINGS)
    return {english: text for english, text in translated if text != english}
