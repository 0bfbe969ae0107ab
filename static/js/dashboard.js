// Dashboard: a live countdown beside each check-in deadline the server already printed, and the
// check-in forms submit once. Without script the deadline text stands on its own.
(() => {
  "use strict";

  document.querySelectorAll("form[data-submit-once]").forEach((form) => window.Driftwood?.submitOnce(form));

  const counters = Array.from(document.querySelectorAll("[data-countdown]"));
  if (!counters.length) return;

  const pad = (number) => String(number).padStart(2, "0");

  const left = (ms) => {
    const seconds = Math.floor(ms / 1000);
    const days = Math.floor(seconds / 86400);
    const hours = Math.floor((seconds % 86400) / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    if (days) return `${days} d ${hours} h`;
    if (hours) return `${hours} h ${pad(minutes)} min`;
    return `${minutes} min ${pad(seconds % 60)} s`;
  };

  const tick = () => {
    const now = Date.now();
    counters.forEach((counter) => {
      const remaining = Date.parse(counter.dataset.countdown) - now;
      counter.textContent = remaining > 0 ? `(in ${left(remaining)})` : `(${counter.dataset.countdownDone})`;
      counter.hidden = false;
    });
  };

  tick();
  setInterval(tick, 1000);
})();
