// Wallet page: top-ups by card (Stripe.js), FPX or GrabPay, and money forms that submit only once.
//
// A card top-up is: POST the amount to the top-up API (session cookie, CSRF header, a fresh
// Idempotency-Key), confirm the card payment with Stripe.js using the intent's client
// secret, then poll GET /api/v1/wallet until Stripe's webhook has credited the wallet.
// FPX (with the bank picked here) and GrabPay: the API answers with the intent already
// confirmed and `redirect_url`, the bank's or GrabPay's page; the browser goes there, and comes
// back to the top-up's return page (static/js/topup-return.js), which waits for the webhook.
// Money stays a string of digits here: it is compared and formatted, never computed.
(() => {
  "use strict";

  // Unless <body data-payment-poll-ms> says otherwise (settings.PAGE_PAYMENT_POLL_MS).
  const POLL_INTERVAL_MS = Number(document.body.dataset.paymentPollMs) || 1000;
  const POLL_WAIT_MS = 60000;

  const { api, fetchDocument, mountCard, newIdempotencyKey, sleep, statusReporter, submitOnce, swapSections } =
    window.Driftwood;

  // A double click must not send a second withdrawal or bank change.
  document.querySelectorAll("form[data-submit-once]").forEach(submitOnce);

  const form = document.getElementById("topup-form");
  if (!form) return;

  const amountInput = form.querySelector("input[name=amount]");
  const submit = form.querySelector("[data-topup-submit]");
  const statusLine = form.querySelector("[data-topup-status]");
  const errorBox = form.querySelector("[data-topup-error]");
  const reporter = statusReporter(statusLine, errorBox);
  const { say, showError, clearError } = reporter;

  // "1234.5" -> "RM 1,234.50" without turning money into a float.
  const ringgit = (value) => {
    const [whole, fraction = ""] = String(value).split(".");
    return `RM ${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${fraction.padEnd(2, "0").slice(0, 2)}`;
  };

  const showBalances = (summary) => {
    document.querySelectorAll("[data-balance]").forEach((element) => {
      const value = summary[element.dataset.balance];
      if (value !== undefined) element.textContent = ringgit(value);
    });
  };

  // The new ledger row belongs in the history too: take that section from a fresh copy of the page.
  const refreshHistory = async () => {
    const doc = await fetchDocument(window.location.href).catch(() => null);
    if (doc) swapSections(doc, ["history"]);
  };

  const waitForCredit = async (previousBalance) => {
    for (let waited = 0; waited < POLL_WAIT_MS; waited += POLL_INTERVAL_MS) {
      await sleep(POLL_INTERVAL_MS);
      const summary = await api(form.dataset.walletUrl);
      if (summary.current_balance !== previousBalance) return summary;
    }
    return null;
  };

  const methodInputs = form.querySelectorAll("input[name=payment_method]");
  const bankSelect = form.querySelector("select[name=fpx_bank]");
  const method = () => {
    const checked = form.querySelector("input[name=payment_method]:checked");
    return checked ? checked.value : "card";
  };

  // Card payments need Stripe.js; FPX and GrabPay do not (the server confirms them).
  const mounted = mountCard(form.dataset.stripeKey, "#card-element", reporter);
  const cardInput = form.querySelector("input[name=payment_method][value=card]");
  if (!mounted && cardInput) {
    cardInput.disabled = true;
    const other = form.querySelector("input[name=payment_method]:not([value=card])");
    if (other) other.checked = true;
  }
  const { stripe, card } = mounted || {};

  // Only the chosen method's part of the form shows (also a method the browser restored on back navigation).
  const showChosenMethod = () => {
    form.querySelectorAll("[data-pay-with]").forEach((part) => {
      part.hidden = part.dataset.payWith !== method();
    });
    if (method() === "card" && !mounted) showError(form.dataset.cardUnavailableMessage);
  };
  showChosenMethod();
  methodInputs.forEach((input) =>
    input.addEventListener("change", () => {
      clearError();
      showChosenMethod();
    }),
  );

  let busy = false;
  const setBusy = (value) => {
    busy = value;
    submit.disabled = value;
    amountInput.readOnly = value;
    form.setAttribute("aria-busy", String(value));
  };

  const payByCard = async (amount) => {
    const before = await api(form.dataset.walletUrl);
    say(window.Driftwood.t("Creating your top-up…"));
    const topup = await api(form.dataset.topupsUrl, {
      method: "POST",
      headers: { "Idempotency-Key": newIdempotencyKey() },
      body: JSON.stringify({ amount }),
    });

    say(window.Driftwood.t("Confirming the card payment…"));
    const result = await stripe.confirmCardPayment(topup.client_secret, { payment_method: { card } });
    const intentStatus = result.paymentIntent && result.paymentIntent.status;
    if (result.error || !["succeeded", "processing"].includes(intentStatus)) {
      const reason = (result.error && result.error.message) || window.Driftwood.t("The card payment was not completed.");
      throw new Error(`${reason} You have not been charged.`);
    }

    say(window.Driftwood.t("Payment confirmed. Waiting for your wallet to be credited…"));
    const after = await waitForCredit(before.current_balance);
    if (after === null) {
      say(window.Driftwood.t("Your payment went through. Your balance will update in a moment: reload this page shortly."));
      return;
    }
    showBalances(after);
    amountInput.value = "";
    say(`${ringgit(topup.amount)} added to your wallet.`);
    await refreshHistory();
  };

  // FPX and GrabPay: the server opens the payment; the player approves it on the bank's or GrabPay's page.
  const payByRedirect = async (amount, chosen) => {
    const body = { amount, payment_method: chosen };
    if (chosen === "fpx") body.fpx_bank = bankSelect.value;
    const topup = await api(form.dataset.topupsUrl, {
      method: "POST",
      headers: { "Idempotency-Key": newIdempotencyKey() },
      body: JSON.stringify(body),
    });
    say(chosen === "fpx" ? form.dataset.toFpxMessage : form.dataset.toGrabpayMessage);
    window.location.assign(topup.redirect_url);
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    clearError();
    const amount = amountInput.value.trim();
    if (!/^\d+(\.\d{1,2})?$/.test(amount)) {
      showError('Enter an amount such as "50.00".');
      amountInput.focus();
      return;
    }
    // The form's own limits, in its own words (the API would say them in its wire digits).
    const below = amountInput.min !== "" && Number(amount) < Number(amountInput.min);
    const above = amountInput.max !== "" && Number(amount) > Number(amountInput.max);
    if (below || above) {
      showError(below ? form.dataset.minMessage : form.dataset.maxMessage);
      amountInput.focus();
      return;
    }
    const chosen = method();
    if (chosen === "card" && !mounted) {
      showError(form.dataset.cardUnavailableMessage);
      return;
    }
    if (chosen === "fpx" && !bankSelect.value) {
      showError(form.dataset.chooseBankMessage);
      bankSelect.focus();
      return;
    }

    setBusy(true);
    // Leaving for the bank's or GrabPay's page, the form stays busy: nothing is sent twice meanwhile.
    let leaving = false;
    try {
      if (chosen === "card") {
        await payByCard(amount);
      } else {
        await payByRedirect(amount, chosen);
        leaving = true;
      }
    } catch (error) {
      showError(error.message || window.Driftwood.t("The top-up did not go through. Please try again."));
    } finally {
      if (!leaving) setBusy(false);
    }
  });

  // Back from the bank's page with the browser's Back button (the page restored as it was left).
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    setBusy(false);
    say("");
  });
})();
