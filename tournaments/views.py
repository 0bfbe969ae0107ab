"""Tournament pages (session auth). Forms validate, services write, views only connect them.

Domain errors become messages on the page the player returns to; a service's
ValidationError lands on the form's fields. Card entry fees run in the browser: the event
page's script posts to the join API with `payment_method: "stripe"` and confirms the card
with Stripe.js (static/js/events.js), which also keeps the participant count live over
`ws/events/<id>/`, polling the event API when the socket is unavailable.

Brackets: the bracket page draws `bracket_selectors.bracket_view` and re-reads its fragment
whenever `ws/events/<id>/` says the bracket changed (static/js/bracket.js); match pages take
score reports, disputes (evidence files are served only to the people involved) and the
organizer's resolutions; the manage page holds check-in, seeding and the start.
"""

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from driftwood.accounts.models import User
from driftwood.core.exceptions import DomainError
from driftwood.core.throttles import page_budget_spent
from tournaments import bracket_selectors, selectors
from tournaments.forms import (
    CancelEventForm,
    DisputeForm,
    EventFilterForm,
    EventForm,
    JoinForm,
    MemberAddForm,
    ResolveForm,
    ScoreForm,
    SeedingForm,
    TeamForm,
)
from tournaments.models import Dispute, Event, Match, MatchReport, Registration, Team
from tournaments.services.checkin import check_in_window, entries_refresh, entry_check_in
from tournaments.services.events import event_cancel, event_create, event_publish, event_update
from tournaments.services.matches import dispute_open, match_reopen, match_report, match_resolve, match_role
from tournaments.services.registrations import registration_join, registration_leave
from tournaments.services.seeding import seeding_apply, seeding_confirm
from tournaments.services.start import event_start
from tournaments.services.teams import team_create, team_member_add, team_member_remove
from wallet.exceptions import InsufficientBalance
from wallet.selectors import wallet_summary
from wallet.templatetags.wallet_format import ringgit

EVENTS_PER_PAGE = 12
API_ROOT = "/api/v1"
Status = Event.Status
# What the list shows unless a status is chosen: what can still be joined or watched.
UPCOMING = (Status.DRAFT, Status.REGISTRATION_OPEN, Status.REGISTRATION_CLOSED, Status.ONGOING)
FINISHED = (Status.COMPLETED, Status.CANCELLED)
# Before the start: check-in runs and the seeds can be set.
BRACKET_SETUP = (Status.REGISTRATION_OPEN, Status.REGISTRATION_CLOSED)


def _page_number(request) -> int:
    try:
        return max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        return 1


def _one_page(queryset, request) -> dict:
    """One page of rows; one row beyond it tells whether another page exists (no COUNT)."""
    page = _page_number(request)
    offset = (page - 1) * EVENTS_PER_PAGE
    rows = list(queryset[offset : offset + EVENTS_PER_PAGE + 1])
    return {
        "rows": rows[:EVENTS_PER_PAGE],
        "page": page,
        "has_previous": page > 1,
        "has_next": len(rows) > EVENTS_PER_PAGE,
    }


def _with_slots_left(events: list[Event]) -> list[Event]:
    for event in events:
        event.slots_left = max(event.max_participants - event.confirmed_count, 0)
    return events


def _rate_limited(request, scope: str | None = None) -> bool:
    """Count one hit against the API's budget for `scope` (default: the caller's tier); True (with a
    message) when it is spent."""
    spent = page_budget_spent(request, scope)
    if spent:
        messages.error(request, f"Too many requests. Try again in {spent.retry_after} seconds.")
    return spent is not None


def _event_or_404(request, event_id: int) -> Event:
    event = selectors.event_get(user=request.user, event_id=event_id)
    if event is None:
        raise Http404("No such event.")
    return event


def _back_to(event: Event):
    return redirect("tournaments:event_detail", event_id=event.pk)


def _is_open(event: Event) -> bool:
    return event.status == Status.REGISTRATION_OPEN and event.registration_closes_at > timezone.now()


# --- Events


@require_GET
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
    page = _one_page(events, request)
    context = {
        "filter_form": filters,
        "filtered": bool(status or data.get("game") or data.get("search")),
        "events": _with_slots_left(page["rows"]),
        **page,
    }
    return render(request, "tournaments/event_list.html", context)


@never_cache
@require_GET
def event_detail(request, event_id: int):
    event = _event_or_404(request, event_id)
    user = request.user
    registration = selectors.registration_of(event=event, user=user)
    is_organizer = user.is_authenticated and event.organizer_id == user.pk
    is_open = _is_open(event)
    can_join = user.is_authenticated and registration is None and is_open
    check_in_opens_at, check_in_open = check_in_window(event)
    confirmed = registration is not None and registration.status == Registration.Status.CONFIRMED
    entry = getattr(registration, "entry", None) if confirmed else None
    context = {
        "event": _with_slots_left([event])[0],
        "participants": selectors.event_participants(event=event),
        "registration": registration,
        "is_organizer": is_organizer,
        "is_open": is_open,
        "can_join": can_join,
        "can_leave": registration is not None
        and is_open
        and (registration.team_id is None or registration.registered_by_id == user.pk),
        "can_cancel": (is_organizer or user.is_staff) and event.status not in FINISHED,
        "entry": entry,
        "check_in_opens_at": check_in_opens_at,
        "can_check_in": confirmed and check_in_open and (entry is None or entry.checked_in_at is None),
        "has_bracket": event.status in (Status.ONGOING, Status.COMPLETED),
        "match_to_play": bracket_selectors.match_to_play(entry) if event.status == Status.ONGOING else None,
        "can_manage": is_organizer and event.status in (*BRACKET_SETUP, Status.ONGOING, Status.COMPLETED),
        "join_form": JoinForm(user=user) if can_join and not event.is_solo else None,
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
    if request.method == "POST" and _rate_limited(request, "event_create"):
        return render(request, "tournaments/event_form.html", {"form": form, "event": None}, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            event = event_create(organizer=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"Draft “{event.name}” saved. Only you can see it until you publish it.")
            return _back_to(event)
    return render(request, "tournaments/event_form.html", {"form": form, "event": None})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def event_edit(request, event_id: int):
    event = _event_or_404(request, event_id)
    if event.organizer_id != request.user.pk or event.status != Status.DRAFT:
        messages.error(request, "Only the organizer can edit an event, and only while it is a draft.")
        return _back_to(event)
    form = EventForm(request.POST or None, initial=EventForm.initial_for(event))
    if request.method == "POST" and form.is_valid():
        try:
            event = event_update(event_id=event.pk, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return _back_to(event)
        else:
            messages.success(request, "Draft saved.")
            return _back_to(event)
    return render(request, "tournaments/event_form.html", {"form": form, "event": event})


@login_required
@require_POST
def event_publish_view(request, event_id: int):
    event = _event_or_404(request, event_id)
    try:
        event = event_publish(event_id=event.pk, actor=request.user)
    except InsufficientBalance:
        messages.error(
            request,
            f"Publishing holds the {ringgit(event.prize_pool)} prize pool from your wallet, and your usable balance "
            "is too low. Top up your wallet first.",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        held = f" {ringgit(event.prize_pool)} prize pool held from your wallet." if event.prize_pool else ""
        messages.success(request, f"“{event.name}” is published: registration is open.{held}")
    return _back_to(event)


@login_required
@require_POST
def event_join(request, event_id: int):
    """A wallet (or free) entry; card entries go through the join API from the page's script."""
    event = _event_or_404(request, event_id)
    if _rate_limited(request, "money"):
        return _back_to(event)
    form = JoinForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "Choose one of your teams to register.")
        return _back_to(event)
    team = form.cleaned_data["team"]
    try:
        result = registration_join(
            event_id=event.pk, user=request.user, team_id=team.pk if team else None, payment_method="wallet"
        )
    except InsufficientBalance:
        messages.error(
            request, f"Your usable wallet balance is below the {ringgit(event.entry_fee)} entry fee. Top up first."
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        paid = f" {ringgit(result.payment.amount)} paid from your wallet." if result.payment else ""
        messages.success(request, f"You're in “{event.name}”!{paid}")
    return _back_to(event)


@login_required
@require_POST
def event_leave(request, event_id: int):
    event = _event_or_404(request, event_id)
    try:
        registration = registration_leave(event_id=event.pk, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back_to(event)
    payment = getattr(registration, "payment", None)
    if payment is not None and payment.refunded_amount:
        where = "to your wallet" if payment.method == payment.Method.WALLET else "to your card"
        messages.success(request, f"You left “{event.name}”. {ringgit(payment.refunded_amount)} refunded {where}.")
    else:
        messages.success(request, f"You left “{event.name}”.")
    return _back_to(event)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def event_cancel_view(request, event_id: int):
    """The organizer (or staff) confirms the cancellation and the penalty on this page."""
    event = _event_or_404(request, event_id)
    if not (event.organizer_id == request.user.pk or request.user.is_staff) or event.status in FINISHED:
        messages.error(request, "Only the organizer can cancel this event, and only before it is over.")
        return _back_to(event)
    form = CancelEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        penalty = form.cleaned_data["penalty_percent"]
        try:
            refunds = event_cancel(event_id=event.pk, actor=request.user, penalty_percent=penalty)
        except ValidationError as exc:
            form.add_error("penalty_percent", exc.message_dict.get("penalty_percent", exc.messages))
        except DomainError as exc:
            messages.error(request, exc.message)
            return _back_to(event)
        else:
            total = sum((amount for refund in refunds.values() for amount in refund.values()), Decimal("0.00"))
            messages.success(
                request,
                f"“{event.name}” is cancelled. {len(refunds)} paid "
                f"{'entry' if len(refunds) == 1 else 'entries'} refunded ({ringgit(total)} in all"
                f"{f', less a {penalty.normalize():f}% penalty' if penalty else ''}).",
            )
            return _back_to(event)
    return render(request, "tournaments/event_cancel.html", {"event": event, "form": form})


@login_required
@require_GET
def my_events(request):
    page = _one_page(selectors.events_of(user=request.user), request)
    return render(request, "tournaments/my_events.html", {"events": _with_slots_left(page["rows"]), **page})


# --- Teams


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def team_list(request):
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = team_create(captain=request.user, name=form.cleaned_data["name"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Team “{team.name}” created. Add your teammates by username.")
            return redirect("tournaments:team_detail", team_id=team.pk)
    return render(request, "tournaments/team_list.html", {"teams": selectors.teams_of(user=request.user), "form": form})


def _team_or_404(team_id: int) -> Team:
    team = selectors.team_get(team_id=team_id)
    if team is None:
        raise Http404("No such team.")
    return team


def _render_team(request, team: Team, *, add_form: MemberAddForm | None = None):
    context = {
        "team": team,
        "members": team.memberships.all(),
        "is_captain": team.captain_id == request.user.pk,
        "add_form": add_form or MemberAddForm(),
    }
    return render(request, "tournaments/team_detail.html", context)


@login_required
@never_cache
@require_GET
def team_detail(request, team_id: int):
    return _render_team(request, _team_or_404(team_id))


@login_required
@require_POST
def team_member_add_view(request, team_id: int):
    team = _team_or_404(team_id)
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        return _render_team(request, team, add_form=form)
    username = form.cleaned_data["username"]
    player = User.objects.filter(username__iexact=username, is_active=True).first()
    if player is None:
        form.add_error("username", f"There is no player called {username}.")
        return _render_team(request, team, add_form=form)
    try:
        team_member_add(team_id=team.pk, actor=request.user, user=player)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{player.public_name} (@{player.username}) joined {team.name}.")
    return redirect("tournaments:team_detail", team_id=team.pk)


@login_required
@require_POST
def team_member_remove_view(request, team_id: int, user_id: int):
    """The captain removes a member, or a member leaves (user_id is their own)."""
    team = _team_or_404(team_id)
    leaving = user_id == request.user.pk
    member = next((member.user for member in team.memberships.all() if member.user_id == user_id), None)
    try:
        team_member_remove(team_id=team.pk, actor=request.user, user_id=user_id)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("tournaments:team_detail", team_id=team.pk)
    if leaving:
        messages.success(request, f"You left {team.name}.")
        return redirect("tournaments:team_list")
    messages.success(request, f"{member.public_name if member else 'The player'} is no longer in {team.name}.")
    return redirect("tournaments:team_detail", team_id=team.pk)


# --- Brackets


def _service_error(request, exc: DomainError | ValidationError) -> None:
    messages.error(request, exc.message if isinstance(exc, DomainError) else " ".join(exc.messages))


def _is_live(event: Event) -> bool:
    """Results can still change: the event is being played, or completed inside the dispute window."""
    return event.status == Status.ONGOING or (event.status == Status.COMPLETED and event.prizes_paid_at is None)


def _bracket_context(event: Event) -> dict:
    return {"event": event, "bracket": bracket_selectors.bracket_view(event)}


@never_cache
@require_GET
def event_bracket(request, event_id: int):
    event = _event_or_404(request, event_id)
    context = {
        **_bracket_context(event),
        "is_organizer": request.user.is_authenticated and event.organizer_id == request.user.pk,
        "socket_path": f"/ws/events/{event.pk}/",
        "fragment_url": reverse("tournaments:event_bracket_fragment", args=[event.pk]),
    }
    return render(request, "tournaments/bracket.html", context)


@never_cache
@require_GET
def event_bracket_fragment(request, event_id: int):
    """The bracket alone, for the page's script to swap in when the socket says it changed."""
    event = _event_or_404(request, event_id)
    return render(request, "tournaments/_bracket_body.html", _bracket_context(event))


def _match_or_404(request, match_id: int) -> Match:
    match = bracket_selectors.match_get(user=request.user, match_id=match_id)
    if match is None:
        raise Http404("No such match.")
    return match


def _back_to_match(match: Match):
    return redirect("tournaments:match_detail", match_id=match.pk)


def _render_match(request, match: Match, *, status: int = 200, **forms):
    user = request.user
    event = match.event
    role = match_role(match, user)
    is_official = role in (MatchReport.Side.ORGANIZER, MatchReport.Side.STAFF)
    slot_a, slot_b = bracket_selectors.match_slots(match)
    names = {"name_a": slot_a.label, "name_b": slot_b.label}
    disputes = list(match.disputes.all())
    open_dispute = next((dispute for dispute in disputes if dispute.status == Dispute.Status.OPEN), None)
    live = _is_live(event)
    playable = event.status == Status.ONGOING and match.status in Match.PLAYABLE_STATUSES
    needs_decision = match.status == Match.Status.DISPUTED or open_dispute is not None
    playing = bracket_selectors.plays_in(match, user)
    reports = list(match.reports.all())
    can_report = playable and (
        role in (MatchReport.Side.A, MatchReport.Side.B) or (role == MatchReport.Side.ORGANIZER and not needs_decision)
    )
    can_resolve = (
        is_official
        and live
        and match.status in (*Match.PLAYABLE_STATUSES, Match.Status.COMPLETED)
        and (role == MatchReport.Side.STAFF or needs_decision or match.status == Match.Status.COMPLETED)
    )
    context = {
        "event": event,
        "match": match,
        "slot_a": slot_a,
        "slot_b": slot_b,
        "role": role,
        "is_official": is_official,
        "reports": reports,
        "current_reports": [report for report in reports if report.attempt == match.attempt],
        "disputes": disputes if is_official or playing else [],
        "open_dispute": open_dispute,
        "can_report": can_report,
        "can_dispute": (
            live
            and open_dispute is None
            and match.status in (Match.Status.REPORTED, Match.Status.DISPUTED, Match.Status.COMPLETED)
            and playing
        ),
        "can_resolve": can_resolve,
        "can_reopen": is_official and live and match.status == Match.Status.COMPLETED,
        "score_form": forms.get("score_form") or ScoreForm(**names),
        "dispute_form": forms.get("dispute_form") or DisputeForm(),
        "resolve_form": forms.get("resolve_form")
        or ResolveForm(initial={"score_a": match.score_a, "score_b": match.score_b}, **names),
    }
    return render(request, "tournaments/match_detail.html", context, status=status)


@never_cache
@require_GET
def match_detail(request, match_id: int):
    return _render_match(request, _match_or_404(request, match_id))


@login_required
@require_POST
def match_report_view(request, match_id: int):
    match = _match_or_404(request, match_id)
    if _rate_limited(request):
        return _back_to_match(match)
    slot_a, slot_b = bracket_selectors.match_slots(match)
    form = ScoreForm(request.POST, name_a=slot_a.label, name_b=slot_b.label)
    if not form.is_valid():
        return _render_match(request, match, score_form=form, status=400)
    try:
        match = match_report(match_id=match.pk, actor=request.user, **form.cleaned_data)
    except (DomainError, ValidationError) as exc:
        _service_error(request, exc)
    else:
        outcome = {
            Match.Status.COMPLETED: "The result is in and the bracket moves on.",
            Match.Status.REPORTED: "Score reported. The other side confirms it by reporting the same score.",
            Match.Status.DISPUTED: "Your score differs from the other side's: the organizer will decide.",
        }.get(match.status, "Score reported.")
        messages.success(request, outcome)
    return _back_to_match(match)


@login_required
@require_POST
def match_dispute_view(request, match_id: int):
    match = _match_or_404(request, match_id)
    if _rate_limited(request):
        return _back_to_match(match)
    form = DisputeForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_match(request, match, dispute_form=form, status=400)
    try:
        dispute_open(
            match_id=match.pk,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            evidence=form.cleaned_data["evidence"],
        )
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return _render_match(request, match, dispute_form=form, status=400)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Dispute opened. The organizer has been told and will decide the result.")
    return _back_to_match(match)


@login_required
@require_POST
def match_resolve_view(request, match_id: int):
    match = _match_or_404(request, match_id)
    if _rate_limited(request):
        return _back_to_match(match)
    slot_a, slot_b = bracket_selectors.match_slots(match)
    form = ResolveForm(request.POST, name_a=slot_a.label, name_b=slot_b.label)
    if not form.is_valid():
        return _render_match(request, match, resolve_form=form, status=400)
    try:
        match_resolve(match_id=match.pk, actor=request.user, **form.cleaned_data)
    except (DomainError, ValidationError) as exc:
        _service_error(request, exc)
    else:
        messages.success(request, "Result decided. Open disputes on this match are closed.")
    return _back_to_match(match)


def _safe_next(request, fallback):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return fallback


@login_required
@require_POST
def match_reopen_view(request, match_id: int):
    match = _match_or_404(request, match_id)
    if _rate_limited(request):
        return _back_to_match(match)
    try:
        match_reopen(match_id=match.pk, actor=request.user)
    except (DomainError, ValidationError) as exc:
        _service_error(request, exc)
    else:
        messages.success(request, f"{match.key} is open again: what it decided has been rolled back.")
    return _safe_next(request, _back_to_match(match))


@require_GET
def dispute_evidence(request, dispute_id: int):
    """The evidence file, for the organizer, staff and the match's players only; 404 for anyone else."""
    dispute = bracket_selectors.dispute_get(dispute_id=dispute_id)
    user = request.user
    if dispute is None or not dispute.evidence or not user.is_authenticated:
        raise Http404("No such file.")
    match = dispute.match
    if not (user.is_staff or match.event.organizer_id == user.pk or bracket_selectors.plays_in(match, user)):
        raise Http404("No such file.")
    try:
        handle = dispute.evidence.open("rb")
    except FileNotFoundError:
        raise Http404("No such file.") from None
    response = FileResponse(handle, filename=Path(dispute.evidence.name).name)
    response["Cache-Control"] = "private, no-store"
    return response


# --- Organizer: check-in, seeding, start


def _organizer_event_or_redirect(request, event_id: int):
    """(event, None) for the organizer, else (event, a redirect back to the event with a message)."""
    event = _event_or_404(request, event_id)
    if event.organizer_id != request.user.pk:
        messages.error(request, "Only the organizer can manage this event.")
        return event, _back_to(event)
    return event, None


def _render_manage(request, event: Event, *, seeding_form: SeedingForm | None = None, status: int = 200):
    entries = bracket_selectors.manage_entries(event)
    active = [entry for entry in entries if entry.status == entry.Status.ACTIVE]
    opens_at, check_in_open = check_in_window(event)
    context = {
        "event": event,
        "entries": entries,
        "checked_in": sum(1 for entry in active if entry.checked_in_at),
        "active_count": len(active),
        "check_in_opens_at": opens_at,
        "check_in_open": check_in_open,
        "seeding_form": seeding_form or SeedingForm(initial={"method": event.seeding}, entries=active),
        "can_seed": event.status in BRACKET_SETUP
        or (event.status == Status.ONGOING and not bracket_selectors.bracket_has_results(event)),
        "can_start": event.status in BRACKET_SETUP,
        "attention": bracket_selectors.matches_needing_attention(event),
        "completed_matches": bracket_selectors.matches_completed(event) if _is_live(event) else [],
    }
    return render(request, "tournaments/event_manage.html", context, status=status)


def _active_entries(event: Event) -> list:
    return [entry for entry in bracket_selectors.manage_entries(event) if entry.status == entry.Status.ACTIVE]


@login_required
@never_cache
@require_GET
def event_manage(request, event_id: int):
    event, refused = _organizer_event_or_redirect(request, event_id)
    if refused:
        return refused
    # Entries follow the confirmed registrations until the start: list (and seed) the current ones.
    entries_refresh(event_id=event.pk)
    return _render_manage(request, event)


def _back_to_manage(event: Event):
    return redirect("tournaments:event_manage", event_id=event.pk)


@login_required
@require_POST
def event_seeding_view(request, event_id: int):
    event, refused = _organizer_event_or_redirect(request, event_id)
    if refused:
        return refused
    form = SeedingForm(request.POST, entries=_active_entries(event))
    if not form.is_valid():
        return _render_manage(request, event, seeding_form=form, status=400)
    method = form.cleaned_data["method"]
    try:
        seeding_apply(event_id=event.pk, actor=request.user, method=method, order=form.cleaned_data["order"])
    except (DomainError, ValidationError) as exc:
        _service_error(request, exc)
    else:
        label = Event.Seeding(method).label.lower()
        if event.status == Status.ONGOING:
            messages.success(request, f"Seeded by {label}: the bracket was drawn again.")
        else:
            messages.success(request, f"Seeded by {label}. Check the order, then confirm it.")
    return _back_to_manage(event)


@login_required
@require_POST
def event_seeding_confirm_view(request, event_id: int):
    event, refused = _organizer_event_or_redirect(request, event_id)
    if refused:
        return refused
    try:
        seeding_confirm(event_id=event.pk, actor=request.user)
    except (DomainError, ValidationError) as exc:
        _service_error(request, exc)
    else:
        messages.success(request, "Seeding confirmed. The bracket is drawn in this order when you start.")
    return _back_to_manage(event)


@login_required
@require_POST
def event_start_view(request, event_id: int):
    event, refused = _organizer_event_or_redirect(request, event_id)
    if refused:
        return refused
    try:
        stage = event_start(event_id=event.pk, actor=request.user)
    except (DomainError, ValidationError) as exc:
        _service_error(request, exc)
        return _back_to_manage(event)
    messages.success(request, f"“{event.name}” has started: {stage.matches.count()} matches drawn. Good luck!")
    return redirect("tournaments:event_bracket", event_id=event.pk)


@login_required
@require_POST
def event_check_in_view(request, event_id: int):
    event = _event_or_404(request, event_id)
    if _rate_limited(request):
        return _back_to(event)
    try:
        entry_check_in(event_id=event.pk, actor=request.user)
    except (DomainError, ValidationError) as exc:
        _service_error(request, exc)
    else:
        messages.success(request, "You're checked in. Stay close: the bracket is drawn when the organizer starts.")
    return _back_to(event)
