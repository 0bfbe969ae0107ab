// Development only: finishes the card step that localstripe's stand-in Stripe.js leaves out.
//
// Loaded right after Stripe.js when settings.STRIPE_LOCAL_CARD_SHIM is on (never with real
// Stripe). It wraps confirmCardPayment: the fake card element's test card goes to our
// endpoint, which attaches it to the caller's PaymentIntent and confirms it with the secret
// key (driftwood/dev/localstripe_card.py); if the card asks for 3-D Secure, the stand-in's own
// confirmCardPayment then shows its prompt. The pages' scripts need no change.
(() => {
  "use strict";

  const endpoint = document.currentScript.dataset.endpoint;
  const original = window.Stripe;
  if (typeof original !== "function" || !endpoint) return;

  const csrfToken = () => {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
    return cookie ? cookie.split("=")[1] : "";
  };

  window.Stripe = (key) => {
    const stripe = original(key);
    const confirmWithPrompt = stripe.confirmCardPayment;
    stripe.confirmCardPayment = async (clientSecret, data) => {
      const element = data && data.payment_method && data.payment_method.card;
      const card = element && element.value && element.value.card;
      if (!card) return confirmWithPrompt(clientSecret, data);
      const response = await fetch(endpoint, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ client_secret: clientSecret, card }),
      });
      const intent = await response.json().catch(() => ({}));
      if (!response.ok) return { error: { message: intent.message || window.Driftwood.t("The card was declined.") } };
      if (intent.status === "requires_action") return confirmWithPrompt(clientSecret, data);
      if (intent.status === "succeeded" || intent.status === "processing") return { paymentIntent: intent };
      return { error: { message: window.Driftwood.t("The card was declined.") } };
    };
    return stripe;
  };
})();
