/* Feedback Bot web chat: one WebSocket, a signed token in localStorage, unacknowledged messages resent. */
(function () {
  "use strict";
  var TOKEN_KEY = "feedback-bot-token";
  var PENDING_KEY = "feedback-bot-pending";
  var log = document.getElementById("log");          // the scrolling region
  var list = document.getElementById("messages");    // its items
  var statusLine = document.getElementById("status");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var languageSelect = document.getElementById("language");
  var typing = document.getElementById("typing");
  var embedded = window.parent !== window;  // inside the shop's widget
  var texts = {};                           // language code → the page's texts in it
  var directions = {};                      // language code → "ltr" | "rtl"
  var shown = "en";                         // the language the page is shown in
  var typingTimer = null;
  var socket = null;
  var attempts = 0;
  var memory = {};                     // stands in for localStorage where the browser blocks it (third-party frames)
  var pending = load(PENDING_KEY, []); // frames sent but not acknowledged yet, resent after reconnecting
  var bubbles = {};                    // message id → list item

  function read(key) {
    try { return localStorage.getItem(key); } catch (error) { return key in memory ? memory[key] : null; }
  }
  function write(key, value) {
    memory[key] = value;
    try { localStorage.setItem(key, value); } catch (error) { /* blocked: kept for the page's life */ }
  }
  function load(key, fallback) {
    try { var value = JSON.parse(read(key)); return value === null ? fallback : value; }
    catch (error) { return fallback; }
  }
  function save() { write(PENDING_KEY, JSON.stringify(pending)); }
  function newId() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function status(text) { statusLine.textContent = text || ""; }
  function say(key) { return (texts[shown] || {})[key] || (texts.en || {})[key] || ""; }

  // The whole frame follows the conversation's language: texts, lang, dir (the layout mirrors).
  function showIn(code) {
    if (!texts[code]) return;
    shown = code;
    document.documentElement.lang = code;
    document.documentElement.dir = directions[code] || "ltr";
    document.querySelectorAll("[data-text]").forEach(function (e) { e.textContent = say(e.dataset.text); });
    document.querySelectorAll("[data-label]").forEach(function (e) { e.setAttribute("aria-label", say(e.dataset.label)); });
    input.placeholder = say("placeholder");
    if (!shopName) document.getElementById("chat-title").textContent = say("title");
    document.title = shopName ? shopName + " · " + say("title") : say("title");
    if (languageSelect.options.length) languageSelect.options[0].textContent = say("language");
    Array.prototype.forEach.call(list.querySelectorAll("time"), stampText);
  }
  var shopName = null;
  function brand(shop) {
    shopName = shop && shop.name ? shop.name : null;
    if (shopName) document.getElementById("chat-title").textContent = shopName;
    var logo = document.getElementById("logo");
    if (shop && shop.logo) { logo.src = shop.logo; logo.hidden = false; }
  }

  // "The bot is writing" from the customer's action until its answer arrives (at most 10 s).
  function busy(on) {
    clearTimeout(typingTimer);
    typing.hidden = !on;
    if (on) { typingTimer = setTimeout(function () { typing.hidden = true; }, 10000); log.scrollTop = log.scrollHeight; }
  }

  function stampText(element) {
    var at = new Date(element.dateTime);
    try { element.textContent = at.toLocaleTimeString(shown, { hour: "2-digit", minute: "2-digit" }); }
    catch (error) { element.textContent = at.toISOString().slice(11, 16); }
  }
  function timeOf(iso) {
    var element = document.createElement("time");
    element.dateTime = iso || new Date().toISOString();
    stampText(element);
    return element;
  }
  function atBottom() { return log.scrollHeight - log.scrollTop - log.clientHeight < 80; }

  function render(message, element) {
    var item = element || document.createElement("li");
    item.className = "msg " + (message.direction === "in" ? "in" : "out");
    item.dataset.id = message.id;
    item.textContent = "";
    item.appendChild(bubbleOf(message.text, message.rtl ? "rtl" : "auto"));
    item.appendChild(timeOf(message.at));
    var rows = message.choices || [];
    // A scale (one choice per row) is drawn as compact chips that wrap, not a column of full-width pills.
    var scale = rows.length > 2 && rows.every(function (row) { return row.length === 1; });
    (scale ? [[].concat.apply([], rows)] : rows).forEach(function (row) {
      var group = document.createElement("div");
      group.className = scale ? "choices chips" : "choices";
      group.setAttribute("role", "group");
      row.forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = choice.label;
        button.addEventListener("click", function () { press(message.id, choice, item); });
        group.appendChild(button);
      });
      item.appendChild(group);
    });
    return item;
  }

  // A web address (http or https only) becomes a link; a /command keeps its slash in front in
  // right-to-left text (<bdi dir=ltr>), so "/stop" never shows as "stop/".
  var TOKENS = /(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]»」])|(^|[\s(«"'“])(\/[a-z][a-z_]{0,31})(?![\w/])/gi;
  function bubbleOf(text, direction) {
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.dir = direction;
    var at = 0, match;
    TOKENS.lastIndex = 0;
    while ((match = TOKENS.exec(text)) !== null) {
      var start = match.index + (match[2] || "").length;
      bubble.appendChild(document.createTextNode(text.slice(at, start)));
      var isolated = document.createElement("bdi");
      isolated.dir = "ltr";
      if (match[1]) {
        var link = document.createElement("a");
        link.href = match[1]; link.textContent = match[1];
        link.target = "_blank"; link.rel = "noopener noreferrer";
        isolated.appendChild(link);
      } else {
        isolated.textContent = match[3];
      }
      bubble.appendChild(isolated);
      at = TOKENS.lastIndex;
    }
    bubble.appendChild(document.createTextNode(text.slice(at)));
    return bubble;
  }

  // Only the newest question's buttons are live: a newer set of choices, or an answer the customer
  // typed (not a /command), retires every earlier set, so a stale button can never be pressed.
  function retireStale() {
    var items = list.children, live = null;
    for (var i = items.length - 1; i >= 0; i--) {
      var item = items[i];
      if (item.classList.contains("in") && !item.dataset.command) break;
      if (item.classList.contains("out") && item.querySelector(".choices")) { live = item; break; }
    }
    Array.prototype.forEach.call(list.querySelectorAll(".choices"), function (group) {
      if (group.parentNode !== live) group.remove();
    });
  }

  function show(message) {
    var stick = atBottom();
    if (bubbles[message.id]) { render(message, bubbles[message.id]); retireStale(); return; }
    var item = render(message);
    bubbles[message.id] = item;
    list.appendChild(item);
    retireStale();
    busy(false);
    if (message.lang && message.direction === "out") showIn(message.lang);
    // Focus moves to the newest choices so keyboard users can answer at once.
    if (stick) log.scrollTop = log.scrollHeight;
    var first = item.querySelector(".choices button");
    if (first && (document.activeElement === document.body || document.activeElement === null ||
        (document.activeElement && document.activeElement.closest && document.activeElement.closest(".choices")))) {
      first.focus();
    }
  }

  function ownBubble(frame) {
    var item = document.createElement("li");
    item.className = "msg in pending";
    item.dataset.pending = frame.id;
    if (frame.text.charAt(0) === "/") item.dataset.command = "yes";
    item.appendChild(bubbleOf(frame.text, "auto"));
    item.appendChild(timeOf(null));
    list.appendChild(item);
    retireStale();
    log.scrollTop = log.scrollHeight;
  }

  function transmit(frame) {
    pending.push(frame);
    save();
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function press(messageId, choice, item) {
    item.querySelectorAll(".choices button").forEach(function (b) { b.disabled = true; });
    transmit({ type: "button", id: newId(), payload: choice.payload, ref: messageId });
    busy(true);
  }

  function sendText(text, silent) {
    var frame = { type: "text", id: newId(), text: text };
    if (!silent) ownBubble(frame);
    transmit(frame);
    busy(true);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    if (text.length > input.maxLength && input.maxLength > 0) { status(say("too_long")); return; }
    input.value = "";
    sendText(text, false);
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  languageSelect.addEventListener("change", function () {
    if (languageSelect.value) {
      transmit({ type: "button", id: newId(), payload: "lang:" + languageSelect.value });
      showIn(languageSelect.value);
      busy(true);
    }
  });

  function acknowledged(id) {
    pending = pending.filter(function (frame) { return frame.id !== id; });
    save();
    var own = log.querySelector('[data-pending="' + id + '"]');
    if (own) own.classList.remove("pending");
  }

  function failed(frame) {
    var known = { rate_limited: 1, too_long: 1, empty: 1 };
    busy(false);
    status(say(known[frame.code] ? frame.code : "failed"));
    if (frame.id) {
      pending = pending.filter(function (p) { return p.id !== frame.id; });
      save();
      var own = log.querySelector('[data-pending="' + frame.id + '"]');
      if (own) { own.classList.remove("pending"); own.classList.add("failed"); }
      log.querySelectorAll(".choices button:disabled").forEach(function (b) { b.disabled = false; });
    }
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "welcome":
        write(TOKEN_KEY, frame.token);
        if (frame.max_chars) input.maxLength = frame.max_chars;
        languageSelect.textContent = "";
        var placeholder = document.createElement("option");
        placeholder.value = "";
        languageSelect.appendChild(placeholder);
        frame.languages.forEach(function (language) {
          texts[language.code] = language.text;
          directions[language.code] = language.dir;
          var option = document.createElement("option");
          option.value = language.code; option.textContent = language.name; option.lang = language.code;
          languageSelect.appendChild(option);
        });
        brand(frame.shop);
        showIn(frame.language);
        if (frame["new"]) { pending = []; save(); }
        break;
      case "history":
        list.textContent = "";
        bubbles = {};
        frame.messages.forEach(show);
        // What was not acknowledged is resent once; a new conversation starts with one /start.
        pending.forEach(function (p) { socket.send(JSON.stringify(p)); if (p.type === "text" && p.text !== "/start") ownBubble(p); });
        if (!frame.messages.length && !pending.length) sendText("/start", true);
        status("");
        break;
      case "message": case "edit": show(frame.message); break;
      case "ack": acknowledged(frame.id); break;
      case "notice": status(frame.text); break;
      case "error": failed(frame); break;
    }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/chat/ws");
    socket.addEventListener("open", function () {
      attempts = 0;
      socket.send(JSON.stringify({ type: "hello", token: read(TOKEN_KEY),
                                   language: navigator.language || null }));
    });
    socket.addEventListener("message", function (event) {
      try { onFrame(JSON.parse(event.data)); } catch (error) { console.error(error); }
    });
    socket.addEventListener("close", function () {
      status(say("reconnecting"));
      var delay = Math.min(15000, 500 * Math.pow(2, attempts++));
      setTimeout(connect, delay);
    });
  }
  // In the widget: the header's close button and Escape (focus inside this frame) close the panel.
  function closePanel() { window.parent.postMessage({ feedbackBot: "close" }, "*"); }
  if (embedded) {
    var closeButton = document.getElementById("close");
    closeButton.hidden = false;
    closeButton.addEventListener("click", closePanel);
    document.addEventListener("keydown", function (event) { if (event.key === "Escape") closePanel(); });
  }
  window.feedbackBotChat = { reconnect: function () { if (socket) socket.close(); } };
  connect();
})();
