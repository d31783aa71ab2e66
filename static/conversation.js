// The conversation's own JS: CRM links open in Bitrix24's slider, search
// hits open at their message, the open conversation stays highlighted in
// the list, and the list's filter in its tabs.
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
  }
  document.addEventListener("DOMContentLoaded", focusHit);
  document.addEventListener("htmx:afterSettle", focusHit);

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

  // An emptied search box gives the list back.
  document.addEventListener("input", function (e) {
    if (!e.target.matches || !e.target.matches(".search input") || e.target.value.trim() !== "") return;
    var res = document.getElementById("search-results");
    if (res) res.textContent = "";
  });
})();
