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

  // A conversation follows its end (new messages, statuses) unless its
  // reader scrolled up from it: then it stays where they read.
  document.addEventListener("scroll", function (e) {
    var m = e.target;
    if (!m.classList || !m.classList.contains("messages")) return;
    if (m.scrollHeight - m.scrollTop - m.clientHeight > 80) m.setAttribute("data-reading", "");
    else m.removeAttribute("data-reading");
  }, true);
  function scrollToEnd() {
    document.querySelectorAll(".messages:not([data-reading])").forEach(function (m) { m.scrollTop = m.scrollHeight; });
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

// Live updates are applied here rather than by the SSE extension, for two
// reasons.
// - While the page reads a part of itself (a reset's reloads of the list,
//   the open conversation and the card's rows; a filter; a dialog opened),
//   an update that arrives waits for the read: an answer read before the
//   update would otherwise wipe out what the update drew (a message just
//   sent or received, a dialog just assigned). The updates held are
//   applied in their order once the last read has landed.
// - An update carries every part of the screen its event changes, for
//   whichever of them this page shows (the list's row, the card's, the
//   open conversation): the parts whose target is not on this page are
//   left out, which htmx would otherwise log as errors, several per event.
//   The same holds for the answers to the page's own requests.
(function () {
  "use strict";
  var reads = new Set(), held = [], stuck = null;

  function isRead(e) {
    var cfg = e.detail && e.detail.requestConfig;
    return !!(cfg && cfg.verb === "get");
  }
  function release() {
    clearTimeout(stuck);
    stuck = null;
    var updates = held;
    held = [];
    updates.forEach(function (u) { apply(u.elt, u.data); });
  }
  function apply(elt, data) {
    if (document.body.contains(elt)) htmx.swap(elt, onThisPage(data), {swapStyle: "none"}, {contextElement: elt});
  }
  // onThisPage is the update without its out-of-band parts whose target
  // this page lacks (hx-swap-oob: "true", a style, or "style:selector").
  function onThisPage(data) {
    var t = document.createElement("template");
    t.innerHTML = data;
    t.content.querySelectorAll("[hx-swap-oob]").forEach(function (part) {
      if (part.parentElement && part.parentElement.closest("[hx-swap-oob]")) return; // swapped with its parent
      var how = part.getAttribute("hx-swap-oob"), at = how.indexOf(":");
      var target = at >= 0 ? how.slice(at + 1) : (part.id ? "#" + part.id : "");
      if (target && !document.querySelector(target)) part.remove();
    });
    return t.innerHTML;
  }
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (!isRead(e)) return;
    // The request's own end, however it ends, after htmx swapped its answer
    // (htmx's own handler comes first): htmx's afterRequest never reaches
    // the document when what asked was replaced meanwhile (a conversation
    // reloading when another is opened).
    var xhr = e.detail.xhr;
    reads.add(xhr);
    xhr.addEventListener("loadend", function () {
      if (reads.delete(xhr) && reads.size === 0) release();
    });
    if (!stuck) stuck = setTimeout(function () { reads.clear(); release(); }, 15000); // a last resort
  });
  // An answer's out-of-band parts likewise (a send's answer deletes the
  // message the stream may have shown first). A whole page is left alone.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var body = e.detail.serverResponse;
    if (typeof body === "string" && body.indexOf("hx-swap-oob") >= 0 && !/<(html|body)[\s>]/i.test(body)) {
      e.detail.serverResponse = onThisPage(body);
    }
  });
  document.addEventListener("htmx:sseBeforeMessage", function (e) {
    if (e.detail.type !== "update") return;
    e.preventDefault();
    if (reads.size > 0) held.push({elt: e.target, data: e.detail.data});
    else apply(e.target, e.detail.data);
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
