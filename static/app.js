// Switchboard's own little JS: the composer's keys, and scrolling a dialog to
// its newest message.
(function () {
  "use strict";

  // Enter sends; Shift+Enter is a new line.
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key !== "Enter" || e.shiftKey || e.isComposing || !t.matches(".composer textarea")) return;
    e.preventDefault();
    if (t.value.trim() !== "") t.form.requestSubmit();
  });

  function scrollToEnd() {
    document.querySelectorAll(".messages").forEach(function (m) { m.scrollTop = m.scrollHeight; });
  }
  document.addEventListener("DOMContentLoaded", scrollToEnd);
  document.addEventListener("htmx:afterSettle", scrollToEnd);
  document.addEventListener("htmx:oobAfterSwap", scrollToEnd);

  // Keep the open dialog highlighted in the list.
  document.addEventListener("htmx:afterSettle", function () {
    var v = document.querySelector("[data-testid=dialog-view]");
    var open = v ? v.getAttribute("data-dialog") : null;
    document.querySelectorAll(".dialog-row").forEach(function (r) {
      r.classList.toggle("open", r.getAttribute("data-dialog") === open);
    });
  });
})();

// The live stream's state, for the connection indicator (and browser tests).
(function () {
  function set(state) { document.body.setAttribute("data-live-state", state); }
  document.addEventListener("htmx:sseOpen", function () { set("open"); });
  document.addEventListener("htmx:sseError", function () { set("error"); });
})();
