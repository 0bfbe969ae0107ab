// What the page scripts share, loaded by base.html: forms that submit once, the JSON API with the
// error envelope, a form's status line and error box, Stripe.js's card element, and sections
// taken from a fresh copy of a page (the server stays the only place that renders them).
(() => {
  "use strict";

  const CARD_STYLE = {
    base: { color: "#e8edf6", fontSize: "16px", "::placeholder": { color: "#7d89a3" } },
    invalid: { color: "#ff7b7b" },
  };

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  const newIdempotencyKey = () =>
    Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");

  const csrfToken = () => {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };

  // A double click must not send a second entry, withdrawal or bank change.
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

  // The page at `url` as the server renders it now; throws when it cannot be had.
  const fetchDocument = async (url) => {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) throw new Error(`The server answered ${response.status}.`);
    return new DOMParser().parseFromString(await response.text(), "text/html");
  };

  // Replaces each element of this page named in `ids` by its fresh copy from `doc`; returns the
  // ids that changed.
  const swapSections = (doc, ids) =>
    ids.filter((id) => {
      const current = document.getElementById(id);
      const fresh = doc.getElementById(id);
      if (!current || !fresh || current.isEqualNode(fresh)) return false;
      current.replaceWith(document.adoptNode(fresh));
      return true;
    });

  // A form's status line and error box: say(text), showError(text), clearError().
  const statusReporter = (statusLine, errorBox) => {
    const say = (text) => {
      statusLine.textContent = text;
    };
    return {
      say,
      showError: (text) => {
        errorBox.replaceChildren(Object.assign(document.createElement("p"), { textContent: text }));
        errorBox.hidden = false;
        say("");
      },
      clearError: () => {
        errorBox.hidden = true;
        errorBox.replaceChildren();
      },
    };
  };

  // Stripe.js's card element in `target`, its complaints shown by `reporter`; null without Stripe.js.
  const mountCard = (stripeKey, target, reporter) => {
    if (typeof window.Stripe !== "function") return null;
    const stripe = window.Stripe(stripeKey);
    const card = stripe.elements().create("card", { style: CARD_STYLE });
    card.mount(target);
    card.on("change", (event) => {
      if (event && event.error) reporter.showError(event.error.message);
      else reporter.clearError();
    });
    return { stripe, card };
  };

  window.Driftwood = Object.assign(window.Driftwood || {}, {
    api,
    csrfToken,
    fetchDocument,
    mountCard,
    newIdempotencyKey,
    sleep,
    statusReporter,
    submitOnce,
    swapSections,
  });
})();
