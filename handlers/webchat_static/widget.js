/* Feedback Bot chat widget: <script src="https://<bot host>/chat/widget.js" async></script> */
(function () {
  "use strict";
  if (window.__feedbackBotWidget) return;
  window.__feedbackBotWidget = true;
  var script = document.currentScript;
  var origin = new URL(script ? script.src : "/chat/widget.js", location.href).origin;
  var label = (script && script.getAttribute("data-label")) || "Feedback";

  var button = document.createElement("button");
  button.type = "button";
  button.id = "feedback-bot-launcher";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "feedback-bot-frame");
  button.style.cssText = "position:fixed;right:1rem;bottom:1rem;z-index:2147483646;padding:.75rem 1.1rem;" +
    "border:0;border-radius:2rem;background:#1f6feb;color:#fff;font:600 16px system-ui,sans-serif;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer";

  var frame = null;
  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "feedback-bot-frame";
      frame.title = label;
      frame.src = origin + "/chat";
      frame.style.cssText = "position:fixed;right:1rem;bottom:4.5rem;z-index:2147483646;border:0;" +
        "width:min(24rem,calc(100vw - 2rem));height:min(36rem,calc(100vh - 6rem));border-radius:1rem;" +
        "box-shadow:0 8px 28px rgba(0,0,0,.3);background:#fff";
      document.body.appendChild(frame);
    }
    frame.hidden = false;
    button.setAttribute("aria-expanded", "true");
    frame.focus();
  }
  function close() {
    if (frame) frame.hidden = true;
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }
  button.addEventListener("click", function () {
    if (frame && !frame.hidden) close(); else open();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && frame && !frame.hidden) close();
  });
  function attach() { document.body.appendChild(button); }
  if (document.body) attach(); else document.addEventListener("DOMContentLoaded", attach);
})();
