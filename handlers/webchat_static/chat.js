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
  var socket = null;
  var attempts = 0;
  var pending = load(PENDING_KEY, []); // frames sent but not acknowledged yet, resent after reconnecting
  var bubbles = {};                    // message id → list item

  function load(key, fallback) {
    try { var value = JSON.parse(localStorage.getItem(key)); return value === null ? fallback : value; }
    catch (error) { return fallback; }
  }
  function save() { try { localStorage.setItem(PENDING_KEY, JSON.stringify(pending)); } catch (error) {} }
  function newId() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function status(text) { statusLine.textContent = text || ""; }
  function atBottom() { return log.scrollHeight - log.scrollTop - log.clientHeight < 80; }

  function render(message, element) {
    var item = element || document.createElement("li");
    item.className = "msg " + (message.direction === "in" ? "in" : "out");
    item.dataset.id = message.id;
    item.textContent = "";
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.textContent = message.text;
    if (message.rtl) bubble.dir = "rtl";
    item.appendChild(bubble);
    (message.choices || []).forEach(function (row) {
      var group = document.createElement("div");
      group.className = "choices";
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

  function show(message) {
    var stick = atBottom();
    if (bubbles[message.id]) { render(message, bubbles[message.id]); return; }
    var item = render(message);
    bubbles[message.id] = item;
    list.appendChild(item);
    // Older messages' buttons stay usable (a survey answer can be changed by the bot's own rules),
    // but focus moves to the newest choices so keyboard users can answer at once.
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
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.textContent = frame.text;
    item.appendChild(bubble);
    list.appendChild(item);
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
  }

  function sendText(text, silent) {
    var frame = { type: "text", id: newId(), text: text };
    if (!silent) ownBubble(frame);
    transmit(frame);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    if (text.length > input.maxLength && input.maxLength > 0) { status("That message is too long."); return; }
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
      document.documentElement.lang = languageSelect.value;
    }
  });

  function acknowledged(id) {
    pending = pending.filter(function (frame) { return frame.id !== id; });
    save();
    var own = log.querySelector('[data-pending="' + id + '"]');
    if (own) own.classList.remove("pending");
  }

  function failed(frame) {
    var names = { rate_limited: "Too many messages: wait a moment and send again.",
                  too_long: "That message is too long.", empty: "That message is empty." };
    status(names[frame.code] || "That message could not be sent.");
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
        localStorage.setItem(TOKEN_KEY, frame.token);
        if (frame.max_chars) input.maxLength = frame.max_chars;
        languageSelect.textContent = "";
        var placeholder = document.createElement("option");
        placeholder.value = ""; placeholder.textContent = "Language";
        languageSelect.appendChild(placeholder);
        frame.languages.forEach(function (language) {
          var option = document.createElement("option");
          option.value = language.code; option.textContent = language.name;
          languageSelect.appendChild(option);
        });
        if (frame["new"]) { pending = []; save(); }
        break;
      case "history":
        list.textContent = "";
        bubbles = {};
        frame.messages.forEach(show);
        if (!frame.messages.length && !pending.length) sendText("/start", true);
        pending.forEach(function (p) { socket.send(JSON.stringify(p)); if (p.type === "text" && p.text !== "/start") ownBubble(p); });
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
      socket.send(JSON.stringify({ type: "hello", token: localStorage.getItem(TOKEN_KEY),
                                   language: navigator.language || null }));
    });
    socket.addEventListener("message", function (event) {
      try { onFrame(JSON.parse(event.data)); } catch (error) { console.error(error); }
    });
    socket.addEventListener("close", function () {
      status("Connection lost — reconnecting…");
      var delay = Math.min(15000, 500 * Math.pow(2, attempts++));
      setTimeout(connect, delay);
    });
  }
  window.feedbackBotChat = { reconnect: function () { if (socket) socket.close(); } };
  connect();
})();
