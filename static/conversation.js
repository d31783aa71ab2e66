// The conversation's own JS: CRM links open in Bitrix24's slider, search
// hits open at their message, earlier messages load above the ones read,
// the open conversation stays highlighted in the list, and the list's
// filter in its tabs.
(function () {
  "use strict";

  // A CRM link opens its card in the portal's slider (BX24.openPath); a
  // Ctrl/Cmd/Shift-click, or a page outside the portal, follows the link to
  // the portal page in a new tab.
  var bx24Ready = false;
  document.addEventListener("DOMContentLoaded", function () {
    if (window.BX24 && window.parent !== window) BX24.init(function () { bx24Ready = true; });
  });
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[data-bx-path]");
    if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || !bx24Ready) return;
    e.preventDefault();
    BX24.openPath(a.getAttribute("data-bx-path"), function () {});
  });

  // A search hit's message: scrolled to and marked, after the list was
  // scrolled to its end.
  function focusHit() {
    var v = document.querySelector("[data-testid=dialog-view][data-focus]:not([data-focus=''])");
    if (!v) return;
    var m = document.getElementById(v.getAttribute("data-focus"));
    v.setAttribute("data-focus", "");
    if (!m) return;
    m.classList.add("focus");
    m.scrollIntoView({block: "center"});
    noteReading(m.closest(".messages"));
  }

  // A list we scrolled is judged at once by app.js's rule (is its reader
  // away from its end?): the browser's own scroll event comes a frame late.
  function noteReading(list) {
    if (list) list.dispatchEvent(new Event("scroll"));
  }
  document.addEventListener("DOMContentLoaded", focusHit);
  document.addEventListener("htmx:afterSettle", focusHit);

  // Earlier messages go in above the ones read: what was in view stays in
  // view (its distance from the list's end is kept).
  var above = null;
  document.addEventListener("htmx:beforeSwap", function (e) {
    var b = e.detail.elt;
    if (!b.matches || !b.matches("[data-testid=messages-earlier]")) return;
    var list = b.closest(".messages");
    above = {xhr: e.detail.xhr, list: list, fromEnd: list.scrollHeight - list.scrollTop};
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    if (!above || above.xhr !== e.detail.xhr) return;
    above.list.scrollTop = above.list.scrollHeight - above.fromEnd;
    noteReading(above.list);
    above = null;
  });

  // The open conversation's row is marked in the list (rows are clients).
  function markOpen() {
    var v = document.querySelector("[data-testid=dialog-view]");
    var open = v ? v.getAttribute("data-client") : null;
    document.querySelectorAll(".dialog-row[data-client]").forEach(function (r) {
      r.classList.toggle("open", r.getAttribute("data-client") === open);
    });
  }
  document.addEventListener("htmx:afterSettle", markOpen);
  document.addEventListener("htmx:oobAfterSwap", markOpen);

  // The filter tab of the list shown is the active one (a filter swaps the
  // list, not the tabs).
  function markFilter() {
    var list = document.getElementById("dialog-list");
    if (!list) return;
    document.querySelectorAll(".filter a[data-testid^=filter-]").forEach(function (a) {
      a.classList.toggle("active", a.getAttribute("data-testid") === "filter-" + list.getAttribute("data-filter"));
    });
  }
  document.addEventListener("htmx:afterSettle", markFilter);

  // An emptied search box gives the list back; so does a filter tab (it
  // filters the list), and so does going back to a page whose search box
  // the browser restores empty (htmx's snapshot keeps the results, not the
  // box's text).
  function searchBox() { return document.querySelector(".search input"); }
  function endSearch() {
    var box = searchBox(), res = document.getElementById("search-results");
    if (box) box.value = "";
    if (res) res.textContent = "";
  }
  document.addEventListener("input", function (e) {
    if (e.target === searchBox() && e.target.value.trim() === "") endSearch();
  });
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest(".filter a")) endSearch();
  });
  document.addEventListener("htmx:historyRestore", function () {
    var box = searchBox();
    if (box && box.value.trim() === "") endSearch();
  });
})();
