/* Feedback Bot chat widget: <script src="https://<bot host>/chat/widget.js" async></script> */
(function () {
  "use strict";
  if (window.__feedbackBotWidget) return;
  window.__feedbackBotWidget = true;
  var script = document.currentScript;
  var origin = new URL(script ? script.src : "/chat/widget.js", location.href).origin;
  var label = (script && script.getAttribute("data-label")) || "Feedback";
  var PANEL = "position:fixed;right:1rem;bottom:4.5rem;z-index:2147483646;border:0;" +
    "width:min(24rem,calc(100vw - 2rem));height:min(36rem,calc(100vh - 6rem));border-radius:1rem;" +
    "box-shadow:0 8px 28px rgba(0,0,0,.3);background:#fff";

  var button = document.createElement("button");
  button.type = "button";
  button.id = "feedback-bot-launcher";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "feedback-bot-frame");
  button.style.cssText = "position:fixed;right:1rem;bottom:1rem;z-index:2147483646;padding:.75rem 1.1rem;" +
    "border:0;border-radius:2rem;background:#0a58ca;color:#fff;font:600 16px system-ui,sans-serif;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer";

  var panel = null;
  // Asked once: may this page frame the chat? If not, a readable note instead of the browser's error page.
  function check() {
    var url = origin + "/chat/embed?lang=" + encodeURIComponent(navigator.language || "");
    return fetch(url, { mode: "cors", credentials: "omit" })
      .then(function (response) { return response.json(); })
      .catch(function () { return { allowed: true }; });  // unreachable: the frame shows the browser's own note
  }
  function refusal(text) {
    var note = document.createElement("div");
    note.id = "feedback-bot-frame";
    note.setAttribute("role", "alert");
    note.textContent = text;
    note.style.cssText = PANEL + ";height:auto;padding:1.2rem;font:16px/1.45 system-ui,sans-serif;color:#1b1f24";
    return note;
  }
  function chatFrame() {
    var frame = document.createElement("iframe");
    frame.id = "feedback-bot-frame";
    frame.title = label;
    frame.src = origin + "/chat";
    frame.style.cssText = PANEL;
    return frame;
  }
  function open() {
    button.setAttribute("aria-expanded", "true");
    if (panel) { panel.hidden = false; panel.focus(); return; }
    check().then(function (answer) {
      panel = answer.allowed === false ? refusal(answer.text) : chatFrame();
      panel.tabIndex = -1;
      document.body.appendChild(panel);
      panel.focus();
    });
  }
  function close() {
    if (panel) panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }
  button.addEventListener("click", function () {
    if (panel && !panel.hidden) close(); else open();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && panel && !panel.hidden) close();
  });
  // The chat asks to be closed (its header's close button, or Escape with the focus inside it).
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !panel || event.source !== panel.contentWindow) return;
    if (event.data && event.data.feedbackBot === "close") close();
  });
  function attach() { document.body.appendChild(button); }
  if (document.body) attach(); else document.addEventListener("DOMContentLoaded", attach);
})();
