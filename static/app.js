// Switchboard's own little JS: the composer's keys, and scrolling a dialog to
// its newest message.
(function () {
  "use strict";

  // Enter sends; Shift+Enter is a new line.
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key !== "Enter" || e.shiftKey || e.isComposing || !t.matches(".composer textarea")) return;
    e.preventDefault();
    var files = t.form.querySelector("input[type=file]");
    if (t.value.trim() !== "" || (files && files.files.length > 0)) t.form.requestSubmit();
  });

  // htmx takes a swapped-in form over only once the swap settles (20 ms
  // later). A form submitted before that is taken over on its submit, so
  // that it never submits the browser's way: a page load without the
  // page's token ("your session has ended"), the composer's text in its
  // URL. htmx.process is a no-op on a form it has taken over already; its
  // handler, added to the form now, runs when the event reaches the form.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (window.htmx && f.matches && f.matches("form[hx-post], form[hx-get], form[hx-put], form[hx-patch], form[hx-delete]")) htmx.process(f);
  }, true);

  function scrollToEnd() {
    document.querySelectorAll(".messages").forEach(function (m) { m.scrollTop = m.scrollHeight; });
  }
  document.addEventListener("DOMContentLoaded", scrollToEnd);
  document.addEventListener("htmx:afterSettle", scrollToEnd);
  document.addEventListener("htmx:oobAfterSwap", scrollToEnd);
})();

// The live stream's state, for the connection indicator (and browser tests).
(function () {
  function set(state) { document.body.setAttribute("data-live-state", state); }
  document.addEventListener("htmx:sseOpen", function () { set("open"); });
  document.addEventListener("htmx:sseError", function () { set("error"); });
})();

// A reset reads the list, the open conversation and the card's rows again.
// A live update that arrives while those reloads are on their way waits for
// them: a reload that read the page before the update would otherwise wipe
// out what the update drew (a message just sent or received). The updates
// held are applied in their order once the last reload has landed.
(function () {
  "use strict";
  var reloads = new Set(), held = [], stuck = null;

  function isReload(e) {
    var cfg = e.detail && e.detail.requestConfig;
    return !!(cfg && cfg.triggeringEvent && cfg.triggeringEvent.type === "sse:reset");
  }
  function release() {
    clearTimeout(stuck);
    stuck = null;
    var updates = held;
    held = [];
    updates.forEach(function (u) {
      if (document.body.contains(u.elt)) htmx.swap(u.elt, u.data, {swapStyle: "none"}, {contextElement: u.elt});
    });
  }
  function landed(e) {
    if (!isReload(e) || !reloads.delete(e.detail.xhr)) return;
    if (reloads.size === 0) release();
  }
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (!isReload(e)) return;
    reloads.add(e.detail.xhr);
    // However a reload ends (an error, an abort) htmx reports it after the
    // request; this is only a last resort.
    if (!stuck) stuck = setTimeout(function () { reloads.clear(); release(); }, 15000);
  });
  document.addEventListener("htmx:afterRequest", landed);
  document.addEventListener("htmx:sseBeforeMessage", function (e) {
    if (reloads.size === 0 || e.detail.type !== "update") return;
    e.preventDefault();
    held.push({elt: e.target, data: e.detail.data});
  });
})();

// The composer's paperclip: our 50 MB per file is checked before uploading
// (the server checks again), and the chosen files are listed.
(function () {
  "use strict";

  // A refusal the composer explains (422) is shown, not dropped.
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.htmx) return;
    htmx.config.responseHandling = [
      {code: "204", swap: false},
      {code: "[23]..", swap: true},
      {code: "422", swap: true, error: false},
      {code: "[45]..", swap: false, error: true},
    ];
  });

  document.addEventListener("change", function (e) {
    var input = e.target;
    if (!input.matches(".composer input[type=file]")) return;
    var form = input.form;
    var error = form.querySelector(".composer-error");
    var list = form.querySelector(".composer-file-list");
    var max = parseInt(input.dataset.maxSize, 10);
    var big = Array.prototype.filter.call(input.files, function (f) { return f.size > max; });
    error.textContent = "";
    if (big.length > 0) {
      var flash = document.createElement("div");
      flash.className = "flash error";
      flash.setAttribute("role", "alert");
      flash.setAttribute("data-testid", "flash-error");
      flash.textContent = input.dataset.tooLarge.replace("%s", big[0].name);
      error.appendChild(flash);
      input.value = "";
    }
    list.textContent = Array.prototype.map.call(input.files, function (f) { return "📄 " + f.name; }).join("  ");
  });

  // A form marked data-reset-on-success empties once its request succeeded
  // (the composer after a send); a refusal (422, swapped as a success)
  // keeps what was typed.
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.target, ok = e.detail.successful && e.detail.xhr && e.detail.xhr.status < 300;
    if (ok && form.matches && form.matches("form[data-reset-on-success]")) form.reset();
  });

  document.addEventListener("reset", function (e) {
    var list = e.target.querySelector && e.target.querySelector(".composer-file-list");
    if (list) list.textContent = "";
  });
})();

// Times in the viewer's own time zone and language: the time alone for
// today, the date too for older messages.
(function () {
  function localize(root) {
    var lang = document.documentElement.lang || "en";
    var now = new Date();
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d)) return;
      var opts = { hour: "2-digit", minute: "2-digit" };
      if (d.toDateString() !== now.toDateString()) {
        opts.day = "numeric";
        opts.month = "short";
        if (d.getFullYear() !== now.getFullYear()) opts.year = "numeric";
      }
      el.textContent = new Intl.DateTimeFormat(lang, opts).format(d);
      el.title = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" }).format(d);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { localize(document); });
  document.addEventListener("htmx:load", function (e) { localize(e.target); });
})();

// A link swapped in a moment ago may not be htmx's yet; a click on it then
// would leave the page. Hand it to htmx first (a no-op when it already is).
document.addEventListener("click", function (e) {
  var a = e.target.closest && e.target.closest("a[hx-get]");
  if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
  htmx.process(a);
}, true);
