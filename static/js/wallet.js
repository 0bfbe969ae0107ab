// Wallet page: card top-ups through Stripe.js, and money forms that submit only once.
//
// A top-up is: POST the amount to the top-up API (session cookie, CSRF header, a fresh
// Idempotency-Key), confirm the card payment with Stripe.js using the intent's client
// secret, then poll GET /api/v1/wallet until Stripe's webhook has credited the wallet.
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

  const mounted = mountCard(form.dataset.stripeKey, "#card-element", reporter);
  if (!mounted) {
    showError(window.Driftwood.t("Card payments are unavailable right now. Please try again later."));
    submit.disabled = true;
    return;
  }
  const { stripe, card } = mounted;

  let busy = false;
  const setBusy = (value) => {
    busy = value;
    submit.disabled = value;
    amountInput.readOnly = value;
    form.setAttribute("aria-busy", String(value));
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

    setBusy(true);
    try {
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
    } catch (error) {
      showError(error.message || window.Driftwood.t("The top-up did not go through. Please try again."));
    } finally {
      setBusy(false);
    }
  });
})();
