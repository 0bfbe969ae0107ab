// Chat room page (templates/chat/room.html). The page renders the newest messages; this script
// connects to ws/chat/<room_id> (session cookie) for live messages, typing and presence, loads
// older history when scrolled to the top, and marks the room read while the page is visible.
//
// After a drop it reconnects with a growing, jittered delay (static/js/shared/live-socket.js, which
// also honours a server's `unavailable` frame and 4503 close). Every message carries its room's seq
// (1, 2, 3... without gaps): the page remembers the last seq up to which it has every message, and
// on every (re)connect, or when a frame skips a seq (the channel layer dropped one), it fetches the
// rest from the history API (`after_seq`), oldest first. Messages are keyed by id and placed by
// seq, so none shows twice and all show in order.
(() => {
  "use strict";

  const page = document.querySelector("[data-chat-room]");
  if (!page) return;

  const ME = Number(page.dataset.userId);
  const IS_DM = page.querySelector("[data-seen]") !== null;
  const FINAL_CLOSE_CODES = new Map([
    [4401, window.Driftwood.t("Your session has ended: log in again to chat.")],
    [4403, window.Driftwood.t("You are no longer in this room.")],
  ]);
  const TYPING_REPEAT_MS = 2000; // the server forgets a typist after 3 s
  const TYPING_IDLE_MS = 3000;
  const TYPING_SHOWN_MS = 4000;
  const OLDER_PAGE = 50;
  const CATCH_UP_PAGE = 100;
  const NEAR_BOTTOM_PX = 80;
  const NEAR_TOP_PX = 120;

  const scroller = page.querySelector("[data-scroll]");
  const list = page.querySelector("[data-messages]");
  const empty = page.querySelector("[data-empty]");
  const olderButton = page.querySelector("[data-load-older]");
  const seenNote = page.querySelector("[data-seen]");
  const typingLine = page.querySelector("[data-typing]");
  const form = page.querySelector("[data-composer]");
  const input = page.querySelector("[data-input]");
  const statusLine = page.querySelector("[data-status]");

  const names = new Map();
  page.querySelectorAll("[data-person]").forEach((person) => {
    names.set(Number(person.dataset.person), person.dataset.name);
  });

  const shown = new Set();
  let newestId = 0; // newest message on the page
  let newestMineId = 0;
  let lastSeq = 0; // every message up to this seq is on the page
  list.querySelectorAll("[data-message-id]").forEach((item) => {
    const id = Number(item.dataset.messageId);
    shown.add(id);
    newestId = Math.max(newestId, id);
    lastSeq = Math.max(lastSeq, Number(item.dataset.seq) || 0);
    if (Number(item.dataset.senderId) === ME) newestMineId = Math.max(newestMineId, id);
  });
  let nextBefore = page.dataset.nextBefore || null;
  let hasMore = page.dataset.hasMore === "true";
  let readUpTo = Number(page.dataset.lastReadId) || 0;
  let otherReadUpTo = Number(page.dataset.otherReadId) || 0;

  const timeFormat = new Intl.DateTimeFormat("en-MY", {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: "Asia/Kuala_Lumpur",
  });
  const dateFormat = new Intl.DateTimeFormat("en-MY", {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: "Asia/Kuala_Lumpur",
  });

  const setStatus = (text) => {
    if (statusLine) statusLine.textContent = text;
  };

  const nearBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
  const toBottom = () => {
    scroller.scrollTop = scroller.scrollHeight;
  };

  const render = (message) => {
    const item = document.createElement("li");
    const mine = message.sender !== null && message.sender.id === ME;
    item.className = mine ? "chat-message is-mine" : "chat-message";
    item.dataset.messageId = String(message.id);
    item.dataset.seq = String(message.seq);
    item.dataset.senderId = message.sender ? String(message.sender.id) : "";
    const meta = document.createElement("p");
    meta.className = "chat-message-meta";
    const who = document.createElement("strong");
    who.textContent = message.sender ? names.get(message.sender.id) || message.sender.username : window.Driftwood.t("Former player");
    const when = document.createElement("time");
    const at = new Date(message.created_at);
    when.dateTime = message.created_at;
    when.textContent = timeFormat.format(at);
    when.title = dateFormat.format(at);
    meta.append(who, " ", when);
    if (message.pinned) {
      item.classList.add("is-pinned");
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = "Announcement";
      meta.append(" ", badge);
    }
    const text = document.createElement("p");
    text.className = "chat-message-text";
    text.textContent = message.message;
    item.append(meta, text);
    return item;
  };

  // An organizer's announcement arriving live also joins the pinned block above the messages
  // (created here when the room had none), as a reload would show it.
  const pin = (message) => {
    let block = page.querySelector("[data-pinned]");
    if (!block) {
      block = document.createElement("section");
      block.className = "chat-pinned";
      block.dataset.pinned = "";
      const title = document.createElement("h3");
      title.className = "chat-pinned-title";
      title.textContent = "Pinned by the organizer";
      const pinnedList = document.createElement("ol");
      pinnedList.className = "chat-pinned-list";
      pinnedList.setAttribute("role", "list");
      block.append(title, pinnedList);
      page.querySelector("[data-scroll]").before(block);
    }
    if (block.querySelector(`[data-pinned-id="${Number(message.id)}"]`)) return;
    const item = document.createElement("li");
    item.className = "chat-pinned-item";
    item.dataset.pinnedId = String(Number(message.id));
    const text = document.createElement("p");
    text.className = "chat-pinned-text";
    text.textContent = message.message;
    const meta = document.createElement("p");
    meta.className = "muted chat-pinned-meta";
    const when = document.createElement("time");
    when.dateTime = message.created_at;
    when.textContent = dateFormat.format(new Date(message.created_at));
    meta.append(when);
    item.append(text, meta);
    block.querySelector(".chat-pinned-list").prepend(item);
  };

  const updateSeen = () => {
    if (seenNote) seenNote.hidden = !(newestMineId > 0 && otherReadUpTo >= newestMineId);
  };

  // Insert in seq order (the room's order); a message already on the page is ignored.
  const add = (message) => {
    if (shown.has(message.id)) return false;
    shown.add(message.id);
    let before = list.lastElementChild;
    while (before && Number(before.dataset.seq) > message.seq) before = before.previousElementSibling;
    const item = render(message);
    if (before) before.after(item);
    else list.prepend(item);
    newestId = Math.max(newestId, message.id);
    if (message.sender && message.sender.id === ME) {
      newestMineId = Math.max(newestMineId, message.id);
      readUpTo = Math.max(readUpTo, message.id); // the server counts our own messages as read
    }
    empty.hidden = true;
    return true;
  };

  const addNewer = (messages) => {
    const stick = nearBottom() || messages.some((message) => message.sender && message.sender.id === ME);
    let added = false;
    messages.forEach((message) => {
      added = add(message) || added;
    });
    if (added && stick) toBottom();
    updateSeen();
    return added;
  };

  const history = async (params) => {
    const query = new URLSearchParams();
    Object.entries(params).forEach(([key, value]) => {
      if (value) query.set(key, value);
    });
    const response = await fetch(`${page.dataset.historyApi}?${query}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(`history: ${response.status}`);
    return response.json();
  };

  // ---- Older history, on scroll (or the button, for keyboards) ----
  let loadingOlder = false;
  const loadOlder = async () => {
    if (loadingOlder || !hasMore || !nextBefore) return;
    loadingOlder = true;
    try {
      const body = await history({ limit: OLDER_PAGE, before: nextBefore });
      const fromBottom = scroller.scrollHeight - scroller.scrollTop;
      body.results.forEach(add);
      scroller.scrollTop = scroller.scrollHeight - fromBottom; // keep the reader's place
      hasMore = body.has_more;
      nextBefore = body.next_before;
      if (olderButton) olderButton.hidden = !hasMore;
    } catch {
      setStatus(window.Driftwood.t("Could not load older messages. Scroll up to try again."));
    } finally {
      loadingOlder = false;
    }
  };
  scroller.addEventListener("scroll", () => {
    if (scroller.scrollTop < NEAR_TOP_PX) loadOlder();
  });
  olderButton?.addEventListener("click", loadOlder);

  // ---- Catching up after (re)connecting, or over a gap in the seqs ----
  // One fetch at a time; a request meanwhile runs once more after it (from the seq reached).
  let catching = null;
  let catchAgain = false;
  const fetchAfter = async () => {
    for (;;) {
      const body = await history({ limit: CATCH_UP_PAGE, after_seq: String(lastSeq) });
      addNewer(body.results);
      body.results.forEach((message) => {
        lastSeq = Math.max(lastSeq, message.seq);
      });
      if (!body.has_more) return;
    }
  };
  const catchUp = async () => {
    if (catching) {
      catchAgain = true;
      return catching;
    }
    catching = (async () => {
      try {
        do {
          catchAgain = false;
          await fetchAfter();
        } while (catchAgain);
      } finally {
        catching = null;
      }
    })();
    return catching;
  };
  const caughtUpFailed = () => setStatus(window.Driftwood.t("Some messages may be missing: reload the page to see them."));

  // ---- Typing ----
  const typists = new Map(); // user id -> timer that forgets them
  const showTypists = () => {
    const who = [...typists.keys()].map((id) => names.get(id) || "Someone");
    if (who.length === 0) typingLine.textContent = "";
    else if (who.length === 1) typingLine.textContent = window.Driftwood.t("%(name)s is typing…", { name: who[0] });
    else if (who.length === 2) typingLine.textContent = window.Driftwood.t("%(first)s and %(second)s are typing…", { first: who[0], second: who[1] });
    else typingLine.textContent = window.Driftwood.t("Several people are typing…");
  };
  const forgetTypist = (userId) => {
    clearTimeout(typists.get(userId));
    typists.delete(userId);
    showTypists();
  };
  const noteTypist = (userId, isTyping) => {
    if (userId === ME) return;
    clearTimeout(typists.get(userId));
    if (!isTyping) {
      forgetTypist(userId);
      return;
    }
    typists.set(
      userId,
      setTimeout(() => forgetTypist(userId), TYPING_SHOWN_MS),
    );
    showTypists();
  };

  // ---- Presence ----
  const setPresence = (userId, online) => {
    page.querySelectorAll(`[data-person="${userId}"], [data-presence-for="${userId}"]`).forEach((element) => {
      element.dataset.online = String(online);
      const label = element.querySelector("[data-presence-label]");
      if (label) label.textContent = online ? window.Driftwood.t("Online") : window.Driftwood.t("Offline");
    });
  };

  // ---- The socket ----
  let live = null;
  const send = (frame) => live !== null && live.send(frame);

  const csrfToken = () => form?.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
  const markRead = () => {
    if (document.visibilityState !== "visible" || newestId <= readUpTo) return;
    readUpTo = newestId;
    if (send({ type: "read" })) return;
    fetch(page.dataset.readApi, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    }).catch(() => {
      readUpTo = 0; // try again on the next message or visit
    });
  };
  document.addEventListener("visibilitychange", markRead);

  const handlers = {
    message: (frame) => {
      if (frame.sender) forgetTypist(frame.sender.id);
      if (frame.pinned) pin(frame);
      addNewer([frame]);
      if (frame.seq === lastSeq + 1) lastSeq = frame.seq;
      else if (frame.seq > lastSeq + 1) catchUp().then(markRead, caughtUpFailed); // missed one or more
      markRead();
    },
    user_typing: (frame) => noteTypist(frame.user_id, frame.is_typing),
    presence: (frame) => setPresence(frame.user_id, frame.online),
    read: (frame) => {
      if (frame.user_id === ME) {
        readUpTo = Math.max(readUpTo, frame.up_to);
        return;
      }
      otherReadUpTo = Math.max(otherReadUpTo, frame.up_to);
      updateSeen();
    },
    error: (frame) => setStatus(frame.message || window.Driftwood.t("That did not work.")),
  };

  // ---- Sending ----
  let typingSentAt = 0;
  let typingIdle = null;
  const stopTyping = () => {
    clearTimeout(typingIdle);
    if (typingSentAt) send({ type: "typing", is_typing: false });
    typingSentAt = 0;
  };
  input?.addEventListener("input", () => {
    if (!input.value.trim()) {
      stopTyping();
      return;
    }
    const now = Date.now();
    if (now - typingSentAt >= TYPING_REPEAT_MS && send({ type: "typing", is_typing: true })) typingSentAt = now;
    clearTimeout(typingIdle);
    typingIdle = setTimeout(stopTyping, TYPING_IDLE_MS);
  });
  input?.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form?.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (!send({ type: "message", message: text })) {
      setStatus(window.Driftwood.t("Not connected: your message was not sent. It is still in the box."));
      return;
    }
    input.value = "";
    setStatus("");
    stopTyping();
  });

  updateSeen();
  toBottom();
  markRead();
  live = window.Driftwood.liveSocket(page.dataset.socketPath, {
    finalCodes: [...FINAL_CLOSE_CODES.keys()],
    onOpen: async () => {
      setStatus("");
      // Nobody is sent their own presence: you are online while your socket is open.
      setPresence(page.dataset.userId, true);
      try {
        await catchUp();
      } catch {
        caughtUpFailed();
      }
      markRead();
    },
    onFrame: (frame) => {
      const handle = handlers[frame.type];
      if (handle) handle(frame);
    },
    onClose: (event, willRetry) => {
      typists.forEach((_, userId) => forgetTypist(userId));
      if (willRetry) return;
      setStatus(FINAL_CLOSE_CODES.get(event.code));
    },
    onUnsupported: () => setStatus(window.Driftwood.t("Live chat is not supported by this browser.")),
  });
})();
