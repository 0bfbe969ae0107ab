// A top-up's return page (after the bank's or GrabPay's page): while the top-up is pending, poll
// GET /api/v1/wallet/topups/<id> every <body data-payment-poll-ms> (settings.PAGE_PAYMENT_POLL_MS)
// until Stripe's webhook has settled it, then take the result section from a fresh copy of the
// page (the server renders its words). After POLL_WAIT_MS it slows to one poll in ten: a bank can
// take minutes, and the page should still catch up without a reload.
(() => {
  "use strict";

  const POLL_INTERVAL_MS = Number(document.body.dataset.paymentPollMs) || 1000;
  const POLL_WAIT_MS = 60000;
  const { api, fetchDocument, sleep, swapSections } = window.Driftwood;

  const section = () => document.getElementById("topup-result");
  const start = section();
  if (!start || start.dataset.topupStatus !== "pending") return;
  const statusUrl = start.dataset.topupApi;

  const settle = async () => {
    for (let waited = 0; ; waited += POLL_INTERVAL_MS) {
      await sleep(waited < POLL_WAIT_MS ? POLL_INTERVAL_MS : POLL_INTERVAL_MS * 10);
      const topup = await api(statusUrl).catch(() => null);
      if (!topup || topup.status === "pending") continue;
      const doc = await fetchDocument(window.location.href).catch(() => null);
      if (doc && swapSections(doc, ["topup-result"]).length && section().dataset.topupStatus !== "pending") return;
    }
  };

  settle();
})();
