// The bracket page, live: a WebSocket on ws/events/<id>/ (static/js/shared/live-socket.js) says
// when a match (or the event's status) changed, and the page re-reads its bracket fragment and
// swaps it in, so scores and winners appear without a reload. The server stays the only place
// that draws the bracket.
//
// The page always ends on the server's state: it re-reads the fragment whenever the socket
// (re)opens, once more after a change announced while a read was under way, and again shortly
// after a read that failed. Pages work without this script: reload to update.
(() => {
  "use strict";

  const page = document.querySelector("[data-bracket-live]");
  if (!page) return;

  // The server refused this listener for good (bad token, invisible event): do not retry.
  const FINAL_CLOSE_CODES = [4401, 4404];
  const LIVE_CHANGES = new Set(["bracket", "status"]);
  const RETRY_MIN_MS = 2000;
  const RETRY_MAX_MS = 30000;

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

  let refreshing = false;
  let pending = false;
  let retryDelay = RETRY_MIN_MS;
  let retryTimer = null;
  const refresh = async () => {
    if (refreshing) {
      pending = true;
      return;
    }
    refreshing = true;
    clearTimeout(retryTimer);
    let failed = false;
    try {
      do {
        pending = false;
        const doc = await window.Driftwood.fetchDocument(page.dataset.fragmentUrl);
        const positions = scrollPositions();
        if (window.Driftwood.swapSections(doc, ["bracket-body"]).length > 0) {
          restoreScroll(positions);
          if (announce) announce.textContent = window.Driftwood.t("The bracket was updated.");
        }
      } while (pending);
      retryDelay = RETRY_MIN_MS;
    } catch {
      failed = true;
    } finally {
      refreshing = false;
    }
    if (failed) {
      retryTimer = setTimeout(refresh, retryDelay);
      retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
    }
  };

  window.Driftwood.liveSocket(page.dataset.socketPath, {
    finalCodes: FINAL_CLOSE_CODES,
    onOpen: () => {
      // Anything that happened between rendering the page (or losing the socket) and subscribing.
      refresh();
    },
    onFrame: (frame) => {
      if (frame.type === "event.update" && LIVE_CHANGES.has(frame.change)) refresh();
    },
  });
})();
