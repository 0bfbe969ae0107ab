"""Tournament pages (session auth). Forms validate, services write, views only connect them.

Domain errors become messages on the page the player returns to; a service's
ValidationError lands on the form's fields. Card entry fees run in the browser: the event
page's script posts to the join API with `payment_method: "stripe"` and confirms the card
with Stripe.js (static/js/events.js), which also keeps the participant count live over
`ws/events/<id>/`, polling the event API when the socket is unavailable. FPX entry fees: the
script posts `payment_method: "fpx"` with the bank and sends the player to the bank's page,
which sends them back here with `?payment=<id>`; the page says how that payment stands and
waits for the webhook.

The bracket, match and manage pages are in `tournaments.brackets.views`; the team pages in
`tournaments.team_views`.
"""

from dataclasses import fields
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from driftwood.core.exceptions import DomainError
from driftwood.core.money import format_money
from driftwood.core.paging import paginate
from driftwood.core.throttles import page_rate_limited
from tournaments import selectors
from tournaments.brackets import selectors as bracket_selectors
from tournaments.brackets.ffa.forms import ffa_settings_save
from tournaments.brackets.ffa.selectors import lobby_to_play
from tournaments.brackets.rules import NOT_STARTED
from tournaments.forms import (
    CancelEventForm,
    EventFilterForm,
    EventForm,
    JoinForm,
)
from tournaments.models import Event, Registration
from tournaments.selectors import payments as payment_selectors
from tournaments.services import event_rules
from tournaments.services.checkin import check_in_window
from tournaments.services.events import EVENT_WRITE_FIELDS, event_cancel, event_create, event_publish, event_update
from tournaments.services.registrations import registration_join, registration_leave
from wallet.exceptions import InsufficientBalance
from wallet.selectors import wallet_summary
from wallet.services.payment_methods import FPX_BANK_CHOICES

EVENTS_PER_PAGE = 12
ANNOUNCEMENTS_SHOWN = 5
API_ROOT = "/api/v1"
Status = Event.Status
# What the list shows unless a status is chosen: events not started yet (registration or check-in;
# a draft only to its organizer). Events being played are the "Live now" filter.
UPCOMING = (Status.DRAFT, Status.REGISTRATION_OPEN, Status.REGISTRATION_CLOSED)
FINISHED = (Status.COMPLETED, Status.CANCELLED)
# Before the start: check-in runs and the seeds can be set.


def _with_slots_left(events: list[Event]) -> list[Event]:
    for event in events:
        event.slots_left = max(event.max_participants - event.confirmed_count, 0)
    return events


def event_or_404(request, event_id: int) -> Event:
    event = selectors.event_get(user=request.user, event_id=event_id)
    if event is None:
        raise Http404(_("No such event."))
    return event


def event_back_to(event: Event):
    return redirect("tournaments:event_detail", event_id=event.pk)


# --- Events


@require_safe
def event_list(request):
    filters = EventFilterForm(request.GET)
    filters.is_valid()  # an unreadable filter is dropped (and marked); the valid ones still apply
    data = filters.cleaned_data
    status = data.get("status") or None
    events = selectors.event_list(
        user=request.user,
        status=status,
        game=data["game"].slug if data.get("game") else None,
        search=(data.get("search") or "").strip() or None,
    )
    if status is None:
        events = events.filter(status__in=UPCOMING)
    page = paginate(request, events, EVENTS_PER_PAGE)
    context = {
        "filter_form": filters,
        "filtered": bool(status or data.get("game") or data.get("search")),
        "events": _with_slots_left(page.items),
        "page": page,
    }
    return render(request, "tournaments/event_list.html", context)


@never_cache
@require_safe
def event_detail(request, event_id: int):
    event = event_or_404(request, event_id)
    user = request.user
    registration = selectors.registration_of(event=event, user=user)
    is_organizer = user.is_authenticated and event.organizer_id == user.pk
    options = selectors.entry_options(event=event, user=user, registration=registration)
    check_in_opens_at, check_in_open = check_in_window(event)
    confirmed = registration is not None and registration.status == Registration.Status.CONFIRMED
    entry = getattr(registration, "entry", None) if confirmed else None
    join_form = JoinForm(user=user) if options.can_join and not event.is_solo else None
    waitlisted = selectors.waitlist_entry_of(event=event, user=user) if registration is None else None
    # Back from the bank's FPX page (the payment's return_url): where that payment stands.
    returned = payment_selectors.payment_of(user=user, event=event, payment_id=request.GET.get("payment", ""))
    context = {
        "returned_payment": returned,
        "returned_payment_message": payment_selectors.payment_return_message(returned) if returned else "",
        "fpx_banks": FPX_BANK_CHOICES,
        "event": _with_slots_left([event])[0],
        "waitlisted": waitlisted,
        "waitlist": list(selectors.event_waitlist(event=event)) if is_organizer else [],
        "participants": selectors.event_participants(event=event),
        "registration": registration,
        "is_organizer": is_organizer,
        **{field.name: getattr(options, field.name) for field in fields(options)},
        "can_cancel": (is_organizer or user.is_staff) and event.status not in FINISHED,
        "can_edit": is_organizer and event_rules.edit_refusal(event, allow_published=True) is None,
        "announcements": list(selectors.event_announcements(event_id=event.pk)[:ANNOUNCEMENTS_SHOWN]),
        # The event's chat room is its organizer's and its confirmed players' (tournaments.selectors.event_has_member).
        "shows_event_chat": is_organizer or confirmed,
        "entry": entry,
        "check_in_opens_at": check_in_opens_at,
        "can_check_in": confirmed and check_in_open and (entry is None or entry.checked_in_at is None),
        "has_bracket": event.status in (Status.ONGOING, Status.COMPLETED),
        "match_to_play": bracket_selectors.match_to_play(entry) if event.status == Status.ONGOING else None,
        "lobby_to_play": lobby_to_play(entry)
        if event.status == Status.ONGOING and event.format == Event.Format.FREE_FOR_ALL
        else None,
        "can_manage": is_organizer and event.status in (*NOT_STARTED, Status.ONGOING, Status.COMPLETED),
        "join_form": join_form,
        # A team event's join form offers the teams the player captains: none, and it says how to make one.
        "has_no_team_to_enter": join_form is not None and not join_form.fields["team"].queryset.exists(),
        "wallet": wallet_summary(user=user) if user.is_authenticated else None,
        "event_api_url": f"{API_ROOT}/events/{event.pk}",
        "join_api_url": f"{API_ROOT}/events/{event.pk}/join",
        "socket_path": f"/ws/events/{event.pk}/",
        "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
    }
    return render(request, "tournaments/event_detail.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def event_new(request):
    form = EventForm(request.POST or None)
    if request.method == "POST" and page_rate_limited(request, "event_create"):
        return render(request, "tournaments/event_form.html", {"form": form, "event": None}, status=429)
    if request.method == "POST" and form.is_valid():
        values, ffa = form.split_values()
        try:
            with transaction.atomic():  # the event and its free-for-all settings, or neither
                event = event_create(organizer=request.user, **values)
                ffa_settings_save(event, request.user, ffa)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request, _("Draft “%(name)s” saved. Only you can see it until you publish it.") % {"name": event.name}
            )
            return event_back_to(event)
    return render(request, "tournaments/event_form.html", {"form": form, "event": None})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def event_edit(request, event_id: int):
    """A draft's every field; a published event's until it starts, less what `event_rules` locks."""
    event = event_or_404(request, event_id)
    if event.organizer_id != request.user.pk or event_rules.edit_refusal(event, allow_published=True):
        messages.error(request, _("Only the organizer can edit an event, and only until it starts."))
        return event_back_to(event)
    locked = event_rules.edit_locks(event, EVENT_WRITE_FIELDS)
    form = EventForm(request.POST or None, initial=EventForm.initial_for(event), locked=locked)
    context = {"form": form, "event": event}
    if request.method == "POST" and form.is_valid():
        times = [getattr(event, name) for name in event_rules.MATERIAL_FIELDS]
        values, ffa = form.split_values()
        try:
            with transaction.atomic():
                event = event_update(event_id=event.pk, actor=request.user, allow_published=True, **values)
                ffa_settings_save(event, request.user, ffa)
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return event_back_to(event)
        else:
            if event.status == Status.DRAFT:
                messages.success(request, _("Draft saved."))
            elif times != [getattr(event, name) for name in event_rules.MATERIAL_FIELDS]:
                messages.success(request, _("Changes saved. Everyone entered is notified of the new times."))
            else:
                messages.success(request, _("Changes saved."))
            return event_back_to(event)
    return render(request, "tournaments/event_form.html", context)


@login_required
@require_POST
def event_publish_view(request, event_id: int):
    event = event_or_404(request, event_id)
    try:
        event = event_publish(event_id=event.pk, actor=request.user)
    except InsufficientBalance:
        messages.error(
            request,
            _(
                "Publishing holds the %(prize_pool)s prize pool from your wallet, and your usable balance is too "
                "low. Top up your wallet first."
            )
            % {"prize_pool": format_money(event.prize_pool, style="page")},
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        prize_pool = format_money(event.prize_pool, style="page")
        held = (
            _(" %(prize_pool)s prize pool held from your wallet.") % {"prize_pool": prize_pool}
            if event.prize_pool
            else ""
        )
        messages.success(
            request, _("“%(name)s” is published: registration is open.%(held)s") % {"name": event.name, "held": held}
        )
    return event_back_to(event)


@login_required
@require_POST
def event_join(request, event_id: int):
    """A wallet (or free) entry; card entries go through the join API from the page's script."""
    event = event_or_404(request, event_id)
    if page_rate_limited(request, "money"):
        return event_back_to(event)
    form = JoinForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose one of your teams to register."))
        return event_back_to(event)
    team = form.cleaned_data["team"]
    waitlisting = request.POST.get("waitlist") == "1"
    try:
        result = registration_join(
            event_id=event.pk,
            user=request.user,
            team_id=team.pk if team else None,
            # The page charges only wallets; a card payer's waitlist seat is paid on the page later.
            payment_method="stripe" if waitlisting and request.POST.get("payment_method") == "stripe" else "wallet",
            waitlist=waitlisting,
        )
    except InsufficientBalance:
        messages.error(
            request,
            _("Your usable wallet balance is below the %(fee)s entry fee. Top up first.")
            % {"fee": format_money(event.entry_fee, style="page")},
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if result.position is not None:
            messages.success(
                request,
                _("You're on the waitlist for “%(name)s”, number %(position)s in line.")
                % {"name": event.name, "position": result.position},
            )
            return event_back_to(event)
        paid = (
            _(" %(amount)s paid from your wallet.") % {"amount": format_money(result.payment.amount, style="page")}
            if result.payment
            else ""
        )
        messages.success(request, _("You're in “%(name)s”!%(paid)s") % {"name": event.name, "paid": paid})
    return event_back_to(event)


@login_required
@require_POST
def event_leave(request, event_id: int):
    event = event_or_404(request, event_id)
    try:
        registration = registration_leave(event_id=event.pk, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return event_back_to(event)
    payment = getattr(registration, "payment", None)
    if payment is not None and payment.refunded_amount and payment.method == payment.Method.FPX:
        refunded = {"event": event.name, "amount": format_money(payment.refunded_amount, style="page")}
        messages.success(request, _("You left “%(event)s”. %(amount)s refunded to your bank account.") % refunded)
    elif payment is not None and payment.refunded_amount:
        where = _("to your wallet") if payment.method == payment.Method.WALLET else _("to your card")
        refunded = format_money(payment.refunded_amount, style="page")
        messages.success(
            request,
            _("You left “%(name)s”. %(refunded)s refunded %(where)s.")
            % {"name": event.name, "refunded": refunded, "where": where},
        )
    else:
        messages.success(request, _("You left “%(name)s”.") % {"name": event.name})
    return event_back_to(event)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def event_cancel_view(request, event_id: int):
    """The organizer (or staff) confirms the cancellation and the penalty on this page."""
    event = event_or_404(request, event_id)
    if not (event.organizer_id == request.user.pk or request.user.is_staff) or event.status in FINISHED:
        messages.error(request, _("Only the organizer can cancel this event, and only before it is over."))
        return event_back_to(event)
    form = CancelEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        penalty = form.cleaned_data["penalty_percent"]
        try:
            refunds = event_cancel(event_id=event.pk, actor=request.user, penalty_percent=penalty)
        except ValidationError as exc:
            form.add_error("penalty_percent", exc.message_dict.get("penalty_percent", exc.messages))
        except DomainError as exc:
            messages.error(request, exc.message)
            return event_back_to(event)
        else:
            total = sum((amount for refund in refunds.values() for amount in refund.values()), Decimal("0.00"))
            names = {"name": event.name, "count": len(refunds), "total": format_money(total, style="page")}
            if penalty:
                message = ngettext(
                    "“%(name)s” is cancelled. %(count)s paid entry refunded "
                    "(%(total)s in all, less a %(penalty)s%% penalty).",
                    "“%(name)s” is cancelled. %(count)s paid entries refunded "
                    "(%(total)s in all, less a %(penalty)s%% penalty).",
                    len(refunds),
                ) % {**names, "penalty": f"{penalty.normalize():f}"}
            else:
                message = (
                    ngettext(
                        "“%(name)s” is cancelled. %(count)s paid entry refunded (%(total)s in all).",
                        "“%(name)s” is cancelled. %(count)s paid entries refunded (%(total)s in all).",
                        len(refunds),
                    )
                    % names
                )
            messages.success(request, message)
            return event_back_to(event)
    return render(request, "tournaments/event_cancel.html", {"event": event, "form": form})


@login_required
@require_safe
def my_events(request):
    page = paginate(request, selectors.events_of(user=request.user), EVENTS_PER_PAGE)
    return render(request, "tournaments/my_events.html", {"events": _with_slots_left(page.items), "page": page})
