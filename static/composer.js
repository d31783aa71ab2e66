// The composer's tools: the emoji picker (emojibase-data, vendored, read
// from our own origin on first use) and the upload progress bar with its
// cancel button. Everything is wired by delegation, so composers swapped in
// by htmx work without a call.
(function () {
  "use strict";

  // The emoji data of a language, fetched once per page.
  var loaded = {};
  function emojiData(panel) {
    var src = panel.dataset.emojiData, groups = panel.dataset.emojiGroups;
    if (!loaded[src]) {
      loaded[src] = Promise.all([fetch(src), fetch(groups)]).then(function (rs) {
        if (!rs[0].ok || !rs[1].ok) throw new Error("emoji data: " + rs[0].status + " " + rs[1].status);
        return Promise.all([rs[0].json(), rs[1].json()]);
      }).then(function (d) { return {emoji: d[0], groups: d[1].groups}; });
    }
    return loaded[src];
  }

  // One button per emoji, by group (the skin-tone components left out);
  // a search keeps those whose name or tags hold every word typed.
  function fill(panel, query) {
    var grid = panel.querySelector(".emoji-grid");
    emojiData(panel).then(function (d) {
      var words = query.toLowerCase().split(/\s+/).filter(Boolean);
      var byGroup = {};
      d.emoji.forEach(function (e) {
        if (e.group === undefined || e.group === 2) return;
        if (words.length > 0) {
          var hay = (e.label + " " + (e.tags || []).join(" ")).toLowerCase();
          if (!words.every(function (w) { return hay.indexOf(w) >= 0; })) return;
        }
        (byGroup[e.group] = byGroup[e.group] || []).push(e);
      });
      grid.textContent = "";
      d.groups.forEach(function (g) {
        var list = byGroup[g.order];
        if (!list) return;
        var head = document.createElement("div");
        head.className = "emoji-group";
        head.textContent = g.message;
        grid.appendChild(head);
        list.sort(function (a, b) { return a.order - b.order; }).forEach(function (e) {
          var b = document.createElement("button");
          b.type = "button";
          b.className = "emoji";
          b.textContent = e.unicode;
          b.title = e.label;
          b.setAttribute("aria-label", e.label);
          b.setAttribute("data-testid", "emoji");
          grid.appendChild(b);
        });
      });
      if (!grid.firstChild) {
        var none = document.createElement("div");
        none.className = "emoji-none";
        none.textContent = panel.dataset.emptyText;
        grid.appendChild(none);
      }
      panel.dataset.state = "ready";
    }, function () {
      grid.textContent = panel.dataset.failedText;
      panel.dataset.state = "failed";
    });
  }

  function toggle(button, open) {
    var panel = button.form.querySelector(".emoji-panel");
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (!open) return;
    var search = panel.querySelector(".emoji-search");
    if (!panel.dataset.state || search.value !== "") { // it opens on every emoji, not on the last search
      search.value = "";
      fill(panel, "");
    }
    search.focus();
  }

  // Puts text at the textarea's caret, as typing would.
  function insert(textarea, text) {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    textarea.setRangeText(text, start, end, "end");
    textarea.dispatchEvent(new Event("input", {bubbles: true}));
    textarea.focus();
  }

  document.addEventListener("click", function (e) {
    var t = e.target.closest ? e.target.closest("button") : null;
    if (t && t.matches(".emoji-toggle")) {
      toggle(t, t.getAttribute("aria-expanded") !== "true");
      return;
    }
    if (t && t.matches(".emoji-panel .emoji")) {
      insert(t.form.querySelector("textarea[name=text]"), t.textContent);
      return;
    }
    // A click elsewhere closes an open picker.
    document.querySelectorAll(".emoji-panel:not([hidden])").forEach(function (p) {
      if (!p.contains(e.target)) toggle(p.closest("form").querySelector(".emoji-toggle"), false);
    });
  });

  document.addEventListener("input", function (e) {
    if (e.target.matches(".emoji-search")) fill(e.target.closest(".emoji-panel"), e.target.value);
  });

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var panel = e.target.closest && e.target.closest(".emoji-panel");
    if (panel) toggle(panel.closest("form").querySelector(".emoji-toggle"), false);
  });

  // What a send answers is appended to the dialog, but the live stream may
  // have shown the same message a moment before (and its status since):
  // one render stays, the first.
  document.addEventListener("htmx:afterSwap", function (e) {
    var list = e.detail.target;
    if (!list || !list.matches || !list.matches(".messages")) return;
    var seen = {};
    Array.prototype.slice.call(list.children).forEach(function (m) {
      if (!m.id) return;
      if (seen[m.id]) m.remove();
      seen[m.id] = true;
    });
  });

  // A picture or video that loads after the list scrolled to its end would
  // push the newest message out of sight: the end stays in view.
  function keepEnd(e) {
    var t = e.target;
    if (!t.matches || !t.matches(".messages img, .messages video")) return;
    var list = t.closest(".messages");
    if (list.scrollHeight - list.scrollTop - list.clientHeight <= t.offsetHeight + 80) list.scrollTop = list.scrollHeight;
  }
  document.addEventListener("load", keepEnd, true);
  document.addEventListener("loadedmetadata", keepEnd, true);

  // Upload progress: shown while a composer (or a template form, marked
  // data-upload-progress) request carries files.
  function progressOf(form) { return form.querySelector(".upload"); }
  function uploads(form) { return form.matches && form.matches("form.composer, form[data-upload-progress]"); }

  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.target;
    if (!uploads(form)) return;
    var up = progressOf(form);
    up.hidden = true;
    up.dataset.state = "";
    up.querySelector(".upload-note").textContent = "";
    var files = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (i) { return i.files.length > 0; });
    if (!files) return;
    up.hidden = false;
    up.dataset.state = "uploading";
    up.querySelector("progress").value = 0;
    up.querySelector(".upload-percent").textContent = "0%";
  });

  document.addEventListener("htmx:xhr:progress", function (e) {
    var form = e.target;
    if (!uploads(form) || !e.detail.lengthComputable) return;
    var up = progressOf(form), pct = Math.floor(100 * e.detail.loaded / e.detail.total);
    up.querySelector("progress").value = pct;
    up.querySelector(".upload-percent").textContent = pct + "%";
  });

  // Cancel aborts the upload (htmx:abort); the text and the chosen files
  // stay, and the server keeps nothing of a body that never ended.
  document.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest(".upload-cancel") : null;
    if (!b) return;
    progressOf(b.form).dataset.state = "cancelled";
    htmx.trigger(b.form, "htmx:abort");
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.target;
    if (!uploads(form)) return;
    var up = progressOf(form);
    if (up.dataset.state === "cancelled") {
      up.querySelector(".upload-note").textContent = up.dataset.cancelledText;
      return;
    }
    if (up.dataset.state === "uploading") up.dataset.state = e.detail.successful ? "done" : "failed";
    up.hidden = true;
  });
})();
