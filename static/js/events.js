// Tournament pages: forms that submit only once, the event page's live participant count,
// and card entry fees through Stripe.js.
//
// Live count: a WebSocket on ws/events/<id>/ delivers every registration or status change;
// when it cannot connect (or drops) the page polls GET /api/v1/events/<id> instead while the
// socket reconnects (static/js/shared/live-socket.js). On a change the page re-reads its own
// HTML and swaps in the fresh participant list (and, when the status changed, the entry panel):
// the server stays the only place that renders them.
//
// Card entry: POST the join API with payment_method "stripe" (session cookie, CSRF header,
// one Idempotency-Key per page so a retry replays the same payment), confirm the card with
// Stripe.js, then wait for Stripe's webhook to confirm the place and reload.
// FPX entry: POST payment_method "fpx" with the bank, then go to the bank's page (the answer's
// redirect_url); the bank sends the player back here with ?payment=<id>, and while that payment
// is pending ([data-payment-return="pending"]) the page re-reads itself until the webhook settled it.
(() => {
  "use strict";

  // Unless <body data-event-poll-ms> / <body data-payment-poll-ms> say otherwise (settings PAGE_*_MS).
  const POLL_INTERVAL_MS = Number(document.body.dataset.eventPollMs) || 5000;
  const CONFIRM_POLL_MS = Number(document.body.dataset.paymentPollMs) || 1000;
  const CONFIRM_WAIT_MS = 60000;
  // The server refused this listener for good (bad token, invisible event): do not retry.
  const FINAL_CLOSE_CODES = [4401, 4404];

  const { api, fetchDocument, mountCard, newIdempotencyKey, sleep, statusReporter, submitOnce, swapSections } =
    window.Driftwood;

  // A double click must not send a second entry, publish or cancellation.
  const bindSubmitOnce = (root) => {
    root.querySelectorAll("form[data-submit-once]").forEach((form) => {
      if (form.id !== "join-form" && form.id !== "card-finish-form") submitOnce(form);
    });
  };

  bindSubmitOnce(document);

  const page = document.querySelector("[data-event-live]");
  if (!page) return;

  const freshPage = () => fetchDocument(window.location.href).catch(() => null);

  // ---------- Card payments

  // #join-form enters the event (wallet by plain post, card through the API); #card-finish-form
  // pays a pending card entry, e.g. after the page was reloaded mid-payment.
  const initCardForm = (form) => {
    const submit = form.querySelector("[data-join-submit]");
    const statusLine = form.querySelector("[data-join-status]");
    const errorBox = form.querySelector("[data-join-error]");
    const cardField = form.querySelector("[data-card-field]");
    const bankField = form.querySelector("[data-bank-field]");
    const bankSelect = form.querySelector("select[name=fpx_bank]");
    const methods = form.querySelectorAll("input[name=payment_method]");
    const idempotencyKey = newIdempotencyKey();
    const reporter = statusReporter(statusLine, errorBox);
    const { say, showError, clearError } = reporter;
    let stripe = null;
    let card = null;
    let busy = false;

    const setBusy = (value) => {
      busy = value;
      submit.disabled = value;
      form.setAttribute("aria-busy", String(value));
    };
    const method = () => {
      const checked = form.querySelector("input[name=payment_method]:checked");
      return checked ? checked.value : "wallet";
    };

    const ensureCard = () => {
      if (card) return true;
      const mounted = mountCard(form.dataset.stripeKey, form.querySelector("#card-element"), reporter);
      if (!mounted) {
        showError(window.Driftwood.t("Card payments are unavailable right now. Pay from your wallet, or try again later."));
        return false;
      }
      ({ stripe, card } = mounted);
      return true;
    };

    // The finish form always pays by card; the join form shows the card box only when chosen
    // (also when the browser restored a checked "Card" on back navigation).
    const showChosenMethod = () => {
      const byCard = Boolean(form.dataset.clientSecret) || method() === "stripe";
      if (cardField) cardField.hidden = !byCard;
      if (bankField) bankField.hidden = method() !== "fpx";
      if (byCard) ensureCard();
    };
    showChosenMethod();
    methods.forEach((radio) =>
      radio.addEventListener("change", () => {
        clearError();
        showChosenMethod();
      }),
    );

    // Wait for the webhook: the page says when the place is no longer pending.
    const waitForConfirmation = async () => {
      for (let waited = 0; waited < CONFIRM_WAIT_MS; waited += CONFIRM_POLL_MS) {
        await sleep(CONFIRM_POLL_MS);
        const doc = await freshPage();
        const marker = doc && doc.querySelector("[data-registration-status]");
        if (marker && marker.dataset.registrationStatus !== "pending") return true;
      }
      return false;
    };

    form.addEventListener("submit", async (event) => {
      const chosen = form.dataset.clientSecret ? "stripe" : method();
      if (chosen === "wallet") {
        // A wallet or free entry is a plain form post, sent once.
        if (busy || form.dataset.submitting) event.preventDefault();
        form.dataset.submitting = "true";
        submit.setAttribute("aria-disabled", "true");
        return;
      }
      event.preventDefault();
      if (busy || (chosen === "stripe" && !ensureCard())) return;
      clearError();
      if (chosen === "fpx" && !bankSelect.value) {
        showError(form.dataset.chooseBankMessage);
        bankSelect.focus();
        return;
      }
      setBusy(true);
      // Leaving for the bank's page, the form stays busy: nothing is sent twice meanwhile.
      let leaving = false;
      try {
        let clientSecret = form.dataset.clientSecret;
        if (!clientSecret) {
          say(window.Driftwood.t("Reserving your entry…"));
          const teamSelect = form.querySelector("select[name=team]");
          const body = { payment_method: chosen };
          if (chosen === "fpx") body.fpx_bank = bankSelect.value;
          if (teamSelect && teamSelect.value) body.team_id = Number(teamSelect.value);
          const joined = await api(form.dataset.joinApi, {
            method: "POST",
            headers: { "Idempotency-Key": idempotencyKey },
            body: JSON.stringify(body),
          });
          if (joined.status !== "pending" || !joined.payment) {
            window.location.reload();
            return;
          }
          if (chosen === "fpx") {
            say(form.dataset.toBankMessage);
            leaving = true;
            window.location.assign(joined.payment.redirect_url);
            return;
          }
          clientSecret = joined.payment.client_secret;
        }
        say(window.Driftwood.t("Confirming the card payment…"));
        const result = await stripe.confirmCardPayment(clientSecret, { payment_method: { card } });
        if (result.error) {
          throw new Error(result.error.message || window.Driftwood.t("The card payment was not completed. You have not been charged."));
        }
        say(window.Driftwood.t("Payment received. Confirming your place…"));
        if (await waitForConfirmation()) {
          window.location.reload();
          return;
        }
        say(window.Driftwood.t("Your payment went through. Your place will show in a moment: reload this page shortly."));
      } catch (error) {
        showError(error.message || window.Driftwood.t("Joining did not go through. Please try again."));
      } finally {
        if (!leaving) setBusy(false);
      }
    });

    // Back from the bank's page with the browser's Back button (the page restored as it was left).
    window.addEventListener("pageshow", (event) => {
      if (event.persisted) setBusy(false);
    });
  };

  const initCardForms = () => {
    ["join-form", "card-finish-form"].forEach((id) => {
      const form = document.getElementById(id);
      if (form) initCardForm(form);
    });
  };

  // ---------- Live participant count

  const state = {
    status: page.dataset.status,
    confirmed: Number(page.dataset.confirmed),
    pending: Number(page.dataset.pending),
    max: Number(page.dataset.max),
  };

  const showCounts = () => {
    const values = {
      confirmed_count: state.confirmed,
      pending_count: state.pending,
      slots_left: Math.max(state.max - state.confirmed, 0),
    };
    page.querySelectorAll("[data-count]").forEach((element) => {
      element.textContent = String(values[element.dataset.count]);
    });
    page.querySelectorAll("[data-plural-of]").forEach((element) => {
      element.textContent = values[element.dataset.pluralOf] === 1 ? element.dataset.one : element.dataset.other;
    });
    const pendingNote = page.querySelector("[data-pending-note]");
    if (pendingNote) pendingNote.hidden = state.pending === 0;
  };

  let refreshing = Promise.resolve();
  const refreshSections = (ids) => {
    refreshing = refreshing.then(async () => {
      const doc = await freshPage();
      if (!doc) return;
      if (swapSections(doc, ids).includes("entry-panel")) {
        const panel = document.getElementById("entry-panel");
        if (panel) bindSubmitOnce(panel);
        initCardForms();
      }
    });
  };

  const apply = (update) => {
    const confirmed = Number(update.confirmed_count);
    const pending = Number(update.pending_count);
    const statusChanged = Boolean(update.status) && update.status !== state.status;
    const countsChanged = confirmed !== state.confirmed || pending !== state.pending;
    if (Number.isFinite(confirmed)) state.confirmed = confirmed;
    if (Number.isFinite(pending)) state.pending = pending;
    if (update.status) state.status = update.status;
    showCounts();
    if (statusChanged) refreshSections(["event-status", "participants", "entry-panel"]);
    else if (countsChanged) refreshSections(["participants"]);
  };

  let pollTimer = null;
  const poll = async () => {
    try {
      apply(await api(page.dataset.eventApi));
    } catch {
      // The next poll (or the socket) will catch up.
    }
  };
  const startPolling = () => {
    if (pollTimer === null) pollTimer = setInterval(poll, POLL_INTERVAL_MS);
  };
  const stopPolling = () => {
    if (pollTimer !== null) clearInterval(pollTimer);
    pollTimer = null;
  };

  // Back from the bank with an FPX payment still pending: re-read the page until Stripe's webhook
  // has settled it (slower after CONFIRM_WAIT_MS: a bank can take minutes), then show the outcome.
  const waitForPaymentReturn = async () => {
    for (let waited = 0; ; waited += CONFIRM_POLL_MS) {
      await sleep(waited < CONFIRM_WAIT_MS ? CONFIRM_POLL_MS : CONFIRM_POLL_MS * 10);
      const doc = await freshPage();
      const marker = doc && doc.querySelector("[data-payment-return]");
      if (marker && marker.dataset.paymentReturn !== "pending") {
        refreshSections(["entry-panel", "participants"]);
        return;
      }
    }
  };

  initCardForms();
  if (document.querySelector('[data-payment-return="pending"]')) waitForPaymentReturn();
  window.Driftwood.liveSocket(page.dataset.socketPath, {
    finalCodes: FINAL_CLOSE_CODES,
    onOpen: () => {
      stopPolling();
      // Anything that happened between rendering the page and subscribing.
      poll();
    },
    onFrame: (frame) => {
      if (frame.type === "event.update") apply(frame);
    },
    onClose: (_event, willRetry) => {
      if (willRetry) startPolling();
    },
    onUnsupported: startPolling,
  });
})();
