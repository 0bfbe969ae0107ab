// The bracket page, live: a WebSocket on ws/events/<id>/ says when a match (or the event's
// status) changed, and the page re-reads its bracket fragment and swaps it in, so scores and
// winners appear without a reload. The server stays the only place that draws the bracket.
//
// The socket reconnects with a growing, jittered delay (1 s doubling to 30 s; a server that lost
// Redis closes with 4503 after an `unavailable` frame whose `retry_after` is the least wait) and,
// once back, re-reads the fragment to catch up on anything it missed. Pages work without this script: reload to update.
(() => {
  "use strict";

  const page = document.querySelector("[data-bracket-live]");
  if (!page) return;

  const RECONNECT_MIN_MS = 1000;
  const RECONNECT_MAX_MS = 30000;
  // The server refused this listener for good (bad token, invisible event): do not retry.
  const FINAL_CLOSE_CODES = new Set([4401, 4404]);
  const CLOSE_UNAVAILABLE = 4503; // the server lost Redis for now: back off and try again
  const LIVE_CHANGES = new Set(["bracket", "status"]);

  const indicator = page.querySelector("[data-live-indicator]");
  const announce = page.querySelector("[data-bracket-announce]");

  // Keep each bracket section's horizontal scroll where the reader left it.
  const scrollPositions = () => {
    const positions = {};
    page.querySelectorAll("[data-bk-scroll]").forEach((element) => {
      positions[element.dataset.bkScroll] = element.scrollLeft;
    });
    return positions;
  };
  const restoreScroll = (positions) => {
    page.querySelectorAll("[data-bk-scroll]").forEach((element) => {
      const left = positions[element.dataset.bkScroll];
      if (left) element.scrollLeft = left;
    });
  };

  // One refresh at a time; a change arriving meanwhile asks for one more afterwards.
  let refreshing = false;
  let pending = false;
  const refresh = async () => {
    if (refreshing) {
      pending = true;
      return;
    }
    refreshing = true;
    try {
      do {
        pending = false;
        const response = await fetch(page.dataset.fragmentUrl, {
          credentials: "same-origin",
          headers: { Accept: "text/html" },
        });
        if (!response.ok) break;
        const doc = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = doc.getElementById("bracket-body");
        const current = document.getElementById("bracket-body");
        if (!fresh || !current) break;
        if (fresh.innerHTML === current.innerHTML) continue;
        const positions = scrollPositions();
        current.replaceWith(document.adoptNode(fresh));
        restoreScroll(positions);
        if (announce) announce.textContent = "The bracket was updated.";
      } while (pending);
    } catch {
      // The next change (or reconnect) will catch up.
    } finally {
      refreshing = false;
    }
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
    if (!("WebSocket" in window)) return;
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    let socket;
    try {
      socket = new WebSocket(`${scheme}://${window.location.host}${page.dataset.socketPath}`);
    } catch {
      scheduleReconnect();
      return;
    }
    let opened = false;
    socket.addEventListener("open", () => {
      opened = true;
      if (indicator) indicator.hidden = false;
      // Anything that happened between rendering the page (or losing the socket) and subscribing.
      refresh();
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
      if (update && update.type === "event.update" && LIVE_CHANGES.has(update.change)) refresh();
    });
    socket.addEventListener("close", (event) => {
      if (indicator) indicator.hidden = true;
      if (FINAL_CLOSE_CODES.has(event.code)) return;
      // A socket that worked starts the backoff afresh; a refusal (4503) keeps it growing.
      if (opened && event.code !== CLOSE_UNAVAILABLE) reconnectDelay = RECONNECT_MIN_MS;
      scheduleReconnect();
    });
  };

  connect();
})();
