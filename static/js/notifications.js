// Live badges on every page of a signed-in player: /ws/notifications pushes new notifications and
// the unread count (the bell), and the number of chat rooms with unread messages (the Chat menu).
// On the notifications page new items appear at the top. Pages work without it (counts on load).
(() => {
  "use strict";

  const bell = document.getElementById("nav-notifications");
  if (!bell || !window.Driftwood || !window.Driftwood.liveSocket) return;

  const setBadge = (link, count, label) => {
    let badge = link.querySelector(".nav-badge");
    if (!count) {
      badge?.remove();
      return;
    }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "nav-badge";
      link.append(badge);
    }
    badge.dataset.unreadCount = String(count);
    badge.textContent = count > 99 ? "99+" : String(count);
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = ` ${label}`;
    badge.append(hidden);
  };

  // Only paths on this site become links (the server checks this too).
  const sitePath = (url) => typeof url === "string" && url.startsWith("/") && !url.startsWith("//");

  const prependItem = (frame) => {
    const page = document.querySelector(".notifications-page[data-live-list]");
    if (!page || document.querySelector(`[data-notification-id="${Number(frame.id)}"]`)) return;
    let list = page.querySelector(".notification-list");
    if (!list) {
      list = document.createElement("ul");
      list.className = "notification-list";
      list.setAttribute("role", "list");
      page.querySelector(".empty")?.replaceWith(list);
      if (!list.isConnected) page.append(list);
    }
    const item = document.createElement("li");
    item.className = "card notification is-unread";
    item.dataset.notificationId = String(Number(frame.id));
    const main = document.createElement("div");
    main.className = "notification-main";
    const title = document.createElement("p");
    title.className = "notification-title";
    const dot = document.createElement("span");
    dot.className = "notification-dot";
    dot.setAttribute("aria-hidden", "true");
    title.append(dot);
    if (sitePath(frame.url)) {
      const link = document.createElement("a");
      link.href = frame.url;
      link.textContent = frame.title;
      title.append(link);
    } else {
      title.append(document.createTextNode(frame.title));
    }
    main.append(title);
    if (frame.body) {
      const body = document.createElement("p");
      body.className = "notification-body";
      body.textContent = frame.body;
      main.append(body);
    }
    const meta = document.createElement("p");
    meta.className = "notification-meta";
    meta.textContent = window.Driftwood.t("just now");
    main.append(meta);
    item.append(main);
    list.prepend(item);
  };

  const chatLink = document.getElementById("nav-chat");
  const summary = document.getElementById("notifications-summary");
  // On phones the menu hides both badges: its button carries a dot while either counts something.
  const menuButton = document.querySelector(".nav-toggle");
  const counts = {
    notifications: Number(bell.querySelector(".nav-badge")?.dataset.unreadCount || 0),
    chat: Number(chatLink?.querySelector(".nav-badge")?.dataset.unreadCount || 0),
  };
  const count = (which, value) => {
    counts[which] = value;
    menuButton?.classList.toggle("has-unread", counts.notifications > 0 || counts.chat > 0);
  };

  window.Driftwood.liveSocket(bell.dataset.socketPath || "/ws/notifications", {
    finalCodes: [4401, 4403],
    onOpen: () => {
      bell.dataset.live = "true";
    },
    onClose: () => {
      bell.dataset.live = "false";
    },
    onFrame: (frame) => {
      if (frame.type === "unread") {
        count("notifications", frame.count);
        setBadge(bell, frame.count, window.Driftwood.t("unread"));
        if (summary) summary.textContent = frame.count
          ? frame.count > 99
            ? window.Driftwood.t("99+ unread")
            : window.Driftwood.t("%(count)s unread", { count: frame.count })
          : window.Driftwood.t("You're all caught up.");
      } else if (frame.type === "chat_unread" && chatLink) {
        count("chat", frame.count);
        setBadge(chatLink, frame.count, window.Driftwood.t("rooms with unread messages"));
      } else if (frame.type === "notification") {
        prependItem(frame);
      }
    },
  });
})();
