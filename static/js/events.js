// Tournament pages: forms that submit only once, the event page's live participant count,
// and card entry fees through Stripe.js.
//
// Live count: a WebSocket on ws/events/<id>/ delivers every registration or status change;
// when it cannot connect (or drops) the page polls GET /api/v1/events/<id> instead and keeps
// trying to reconnect, with a growing, jittered delay (a server that lost Redis closes with 4503
// after an `unavailable` frame whose `retry_after` is the least wait). On a change the page re-reads its own HTML and swaps in the fresh
// participant list (and, when the status changed, the entry panel): the server stays the
// only place that renders them.
//
// Card entry: POST the join API with payment_method "stripe" (session cookie, CSRF header,
// one Idempotency-Key per page so a retry replays the same payment), confirm the card with
// Stripe.js, then wait for Stripe's webhook to confirm the place and reload.
(() => {
  "use strict";

  const POLL_INTERVAL_MS = 5000;
  const RECONNECT_MAX_MS = 30000;
  const CONFIRM_POLL_MS = 1000;
  const CONFIRM_POLL_ATTEMPTS = 60;
  // The server refused this listener for good (bad token, invisible event): do not retry.
  const FINAL_CLOSE_CODES = new Set([4401, 4404]);
  const CLOSE_UNAVAILABLE = 4503; // the server lost Redis for now: back off and try again
  const RECONNECT_MIN_MS = 1000;

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  const newIdempotencyKey = () =>
    Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");

  // A double click must not send a second entry, publish or cancellation.
  const submitOnce = (form) => {
    form.addEventListener("submit", (event) => {
      if (event.defaultPrevented) return;
      if (form.dataset.submitting) {
        event.preventDefault();
        return;
      }
      form.dataset.submitting = "true";
      form.querySelectorAll("button[type=submit]").forEach((button) => button.setAttribute("aria-disabled", "true"));
    });
  };

  const bindSubmitOnce = (root) => {
    root.querySelectorAll("form[data-submit-once]").forEach((form) => {
      if (form.id !== "join-form" && form.id !== "card-finish-form") submitOnce(form);
    });
  };

  bindSubmitOnce(document);

  const page = document.querySelector("[data-event-live]");
  if (!page) return;

  const csrfToken = () => {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };

  // Calls the JSON API; an error envelope becomes an Error carrying its most specific message.
  const api = async (url, options = {}) => {
    const response = await fetch(url, {
      credentials: "same-origin",
      ...options,
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken(),
        ...options.headers,
      },
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const fieldErrors = body && body.errors ? Object.values(body.errors).flat() : [];
      throw new Error(fieldErrors[0] || (body && body.message) || `The server answered ${response.status}.`);
    }
    return body;
  };

  const freshPage = async () => {
    const response = await fetch(window.location.href, { credentials: "same-origin" });
    if (!response.ok) return null;
    return new DOMParser().parseFromString(await response.text(), "text/html");
  };

  // ---------- Card payments

  // #join-form enters the event (wallet by plain post, card through the API); #card-finish-form
  // pays a pending card entry, e.g. after the page was reloaded mid-payment.
  const initCardForm = (form) => {
    const submit = form.querySelector("[data-join-submit]");
    const statusLine = form.querySelector("[data-join-status]");
    const errorBox = form.querySelector("[data-join-error]");
    const cardField = form.querySelector("[data-card-field]");
    const methods = form.querySelectorAll("input[name=payment_method]");
    const idempotencyKey = newIdempotencyKey();
    let stripe = null;
    let card = null;
    let busy = false;

    const say = (text) => {
      statusLine.textContent = text;
    };
    const showError = (text) => {
      errorBox.replaceChildren(Object.assign(document.createElement("p"), { textContent: text }));
      errorBox.hidden = false;
      say("");
    };
    const clearError = () => {
      errorBox.hidden = true;
      errorBox.replaceChildren();
    };
    const setBusy = (value) => {
      busy = value;
      submit.disabled = value;
      form.setAttribute("aria-busy", String(value));
    };
    const method = () => {
      const checked = form.querySelector("input[name=payment_method]:checked");
      return checked ? checked.value : "wallet";
    };

    const mountCard = () => {
      if (card) return true;
      if (typeof window.Stripe !== "function") {
        showError("Card payments are unavailable right now. Pay from your wallet, or try again later.");
        return false;
      }
      stripe = window.Stripe(form.dataset.stripeKey);
      card = stripe.elements().create("card", {
        style: {
          base: { color: "#e8edf6", fontSize: "16px", "::placeholder": { color: "#7d89a3" } },
          invalid: { color: "#ff7b7b" },
        },
      });
      card.mount(form.querySelector("#card-element"));
      card.on("change", (event) => {
        if (event && event.error) showError(event.error.message);
        else clearError();
      });
      return true;
    };

    // The finish form always pays by card; the join form shows the card box only when chosen
    // (also when the browser restored a checked "Card" on back navigation).
    const showChosenMethod = () => {
      const byCard = Boolean(form.dataset.clientSecret) || method() === "stripe";
      if (cardField) cardField.hidden = !byCard;
      if (byCard) mountCard();
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
      for (let attempt = 0; attempt < CONFIRM_POLL_ATTEMPTS; attempt += 1) {
        await sleep(CONFIRM_POLL_MS);
        const doc = await freshPage();
        const marker = doc && doc.querySelector("[data-registration-status]");
        if (marker && marker.dataset.registrationStatus !== "pending") return true;
      }
      return false;
    };

    form.addEventListener("submit", async (event) => {
      if (!form.dataset.clientSecret && method() !== "stripe") {
        // A wallet or free entry is a plain form post, sent once.
        if (busy || form.dataset.submitting) event.preventDefault();
        form.dataset.submitting = "true";
        submit.setAttribute("aria-disabled", "true");
        return;
      }
      event.preventDefault();
      if (busy || !mountCard()) return;
      clearError();
      setBusy(true);
      try {
        let clientSecret = form.dataset.clientSecret;
        if (!clientSecret) {
          say("Reserving your entry…");
          const teamSelect = form.querySelector("select[name=team]");
          const body = { payment_method: "stripe" };
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
          clientSecret = joined.payment.client_secret;
        }
        say("Confirming the card payment…");
        const result = await stripe.confirmCardPayment(clientSecret, { payment_method: { card } });
        if (result.error) {
          throw new Error(result.error.message || "The card payment was not completed. You have not been charged.");
        }
        say("Payment received. Confirming your place…");
        if (await waitForConfirmation()) {
          window.location.reload();
          return;
        }
        say("Your payment went through. Your place will show in a moment: reload this page shortly.");
      } catch (error) {
        showError(error.message || "Joining did not go through. Please try again.");
      } finally {
        setBusy(false);
      }
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
  const indicator = page.querySelector("[data-live-indicator]");

  const showCounts = () => {
    const values = {
      confirmed_count: state.confirmed,
      pending_count: state.pending,
      slots_left: Math.max(state.max - state.confirmed, 0),
    };
    page.querySelectorAll("[data-count]").forEach((element) => {
      element.textContent = String(values[element.dataset.count]);
    });
    const pendingNote = page.querySelector("[data-pending-note]");
    if (pendingNote) pendingNote.hidden = state.pending === 0;
  };

  let refreshing = Promise.resolve();
  const refreshSections = (ids) => {
    refreshing = refreshing.then(async () => {
      const doc = await freshPage().catch(() => null);
      if (!doc) return;
      ids.forEach((id) => {
        const current = document.getElementById(id);
        const fresh = doc.getElementById(id);
        if (current && fresh) current.replaceWith(document.adoptNode(fresh));
      });
      if (ids.includes("entry-panel")) {
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

  let reconnectDelay = RECONNECT_MIN_MS;
  let retryHintMs = 0;
  const scheduleReconnect = () => {
    // Jitter: not every page at once. Never sooner than the server asked.
    setTimeout(connect, Math.max(reconnectDelay * (0.75 + Math.random() * 0.5), retryHintMs));
    retryHintMs = 0;
    reconnectDelay = Math.min(reconnectDelay * 2, RECONNECT_MAX_MS);
  };
  const connect = () => {
    if (!("WebSocket" in window)) {
      startPolling();
      return;
    }
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    let socket;
    try {
      socket = new WebSocket(`${scheme}://${window.location.host}${page.dataset.socketPath}`);
    } catch {
      startPolling();
      return;
    }
    let opened = false;
    socket.addEventListener("open", () => {
      opened = true;
      stopPolling();
      if (indicator) indicator.hidden = false;
      // Anything that happened between rendering the page and subscribing.
      poll();
    });
    socket.addEventListener("message", (message) => {
      let update;
      try {
        update = JSON.parse(message.data);
      } catch {
        return;
      }
      if (update && update.type === "error" && update.code === "unavailable") {
        retryHintMs = (Number(update.retry_after) || 0) * 1000;
      }
      if (update && update.type === "event.update") apply(update);
    });
    socket.addEventListener("close", (event) => {
      if (indicator) indicator.hidden = true;
      if (FINAL_CLOSE_CODES.has(event.code)) return;
      startPolling();
      // A socket that worked starts the backoff afresh; a refusal (4503) keeps it growing.
      if (opened && event.code !== CLOSE_UNAVAILABLE) reconnectDelay = RECONNECT_MIN_MS;
      scheduleReconnect();
    });
  };

  initCardForms();
  connect();
})();
