// Driftwood: the mobile menu toggle and dismissible toasts. Pages work without it.
(() => {
  "use strict";

  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("site-nav");

  const setOpen = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("is-open", open);
  };

  if (toggle && nav) {
    toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && nav.classList.contains("is-open")) {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-dismiss]");
    if (!button) return;
    const toast = button.closest(".toast");
    const next = toast.nextElementSibling || toast.previousElementSibling;
    toast.remove();
    // Keep keyboard focus somewhere sensible once the focused button is gone.
    const target = next ? next.querySelector("[data-dismiss]") : document.getElementById("main");
    target?.focus({ preventScroll: true });
  });
})();
