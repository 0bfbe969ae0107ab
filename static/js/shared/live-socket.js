// Reconnecting WebSockets for the live pages (bracket, event, chat), loaded by base.html.
//
// After a drop the socket comes back with a growing, jittered delay (1 s doubling to 30 s; the
// first delay is <body data-reconnect-min-ms> when set, settings.PAGE_RECONNECT_MIN_MS). A server
// that lost Redis sends an `unavailable` frame whose `retry_after` (seconds) is the least
// wait, then closes with 4503: the backoff keeps growing through such refusals, while a socket
// that worked and then dropped starts afresh. The close codes a page calls final end the retries;
// the browser coming back online retries at once.
//
// The server accepts a socket only once it is subscribed, so a page that re-reads what it shows in
// `onOpen` misses nothing sent after that read.
//
// The page's [data-connection] indicator (templates/core/_connection.html) says how the socket is:
// a small dot and "Live updates on", "Reconnecting…" or "Live updates off". It is about this page's
// connection, never the event's status (that badge says "Live" only while an event is played).
(() => {
  "use strict";

  const RECONNECT_MIN_MS = 1000;
  const RECONNECT_MAX_MS = 30000;
  const CLOSE_UNAVAILABLE = 4503;

  // The page's own origin, unless the sockets are served apart from the pages (`make serve`).
  const socketOrigin = () => {
    const configured = document.body.dataset.websocketOrigin;
    if (configured) return configured;
    return `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}`;
  };

  // The page's words in its language (base.html's #js-strings, from driftwood/core/js_strings.py):
  // t("English text", { name: value }) fills %(name)s placeholders; untranslated texts stay English.
  const STRINGS = (() => {
    const element = document.getElementById("js-strings");
    try {
      return (element && JSON.parse(element.textContent)) || {};
    } catch {
      return {};
    }
  })();
  const t = (text, values = {}) =>
    (STRINGS[text] || text).replace(/%\((\w+)\)s/g, (match, name) => (name in values ? String(values[name]) : match));

  const CONNECTION_TEXT = {
    connecting: t("Connecting…"),
    live: t("Live updates on"),
    reconnecting: t("Reconnecting…"),
    offline: t("Live updates off"),
    unsupported: t("Live updates unavailable in this browser"),
  };

  // The page's connection indicator, if it has one: `show(state, text)` sets its dot and words.
  const connectionIndicator = () => {
    const element = document.querySelector("[data-connection]");
    const label = element && element.querySelector("[data-connection-label]");
    return (state, text = CONNECTION_TEXT[state]) => {
      if (!element) return;
      element.dataset.state = state;
      (label || element).textContent = text;
    };
  };

  // Connects to `path` now. Hooks, all optional: onOpen(); onFrame(frame) for every
  // JSON frame; onClose(event, willRetry) after every close (event is null when the socket could
  // not even be created); onRetry(delayMs) once the next attempt is scheduled; onUnsupported()
  // when the browser has no WebSocket. Returns { send(frame) } (false when not connected).
  // The page's [data-connection] indicator follows along.
  const liveSocket = (path, { finalCodes = [], onOpen, onFrame, onClose, onRetry, onUnsupported } = {}) => {
    const final = new Set(finalCodes);
    const showConnection = connectionIndicator();
    const reconnectMin = Number(document.body.dataset.reconnectMinMs) || RECONNECT_MIN_MS;
    let socket = null;
    let reconnectDelay = reconnectMin;
    let retryHintMs = 0;
    let reconnectTimer = null;

    const scheduleReconnect = () => {
      // Jitter: not every page at once. Never sooner than the server asked.
      const delay = Math.max(reconnectDelay * (0.75 + Math.random() * 0.5), retryHintMs);
      retryHintMs = 0;
      reconnectDelay = Math.min(reconnectDelay * 2, RECONNECT_MAX_MS);
      reconnectTimer = setTimeout(connect, delay);
      showConnection("reconnecting", t("Reconnecting in %(seconds)s s…", { seconds: Math.ceil(delay / 1000) }));
      if (onRetry) onRetry(delay);
    };

    function connect() {
      reconnectTimer = null;
      try {
        socket = new WebSocket(`${socketOrigin()}${path}`);
      } catch {
        socket = null;
        showConnection("reconnecting");
        if (onClose) onClose(null, true);
        scheduleReconnect();
        return;
      }
      let opened = false;
      socket.addEventListener("open", () => {
        opened = true;
        showConnection("live");
        if (onOpen) onOpen();
      });
      socket.addEventListener("message", (message) => {
        let frame;
        try {
          frame = JSON.parse(message.data);
        } catch {
          return;
        }
        if (!frame) return;
        if (frame.type === "error" && frame.code === "unavailable") {
          retryHintMs = (Number(frame.retry_after) || 0) * 1000;
        }
        if (onFrame) onFrame(frame);
      });
      socket.addEventListener("close", (event) => {
        socket = null;
        const willRetry = !final.has(event.code);
        showConnection(willRetry ? "reconnecting" : "offline");
        if (onClose) onClose(event, willRetry);
        if (!willRetry) return;
        // A socket that worked starts the backoff afresh; a refusal (4503) keeps it growing.
        if (opened && event.code !== CLOSE_UNAVAILABLE) reconnectDelay = reconnectMin;
        scheduleReconnect();
      });
    }

    const send = (frame) => {
      if (socket === null || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(frame));
      return true;
    };

    if (!("WebSocket" in window)) {
      showConnection("unsupported");
      if (onUnsupported) onUnsupported();
      return { send };
    }
    // Back online: try now instead of waiting out the backoff.
    window.addEventListener("online", () => {
      if (reconnectTimer === null) return;
      clearTimeout(reconnectTimer);
      connect();
    });
    showConnection("connecting");
    connect();
    return { send };
  };

  window.Driftwood = Object.assign(window.Driftwood || {}, { liveSocket, t });
})();
