// Fit inside Bitrix24: a card tab's frame is taller than what the portal's
// page shows of it (the card's header comes first), so the composer and
// Send fell below the fold. The page measures how much of it the portal
// shows (an IntersectionObserver sees the top page's viewport, across
// origins) and asks the portal for that height (BX24.resizeWindow), so the
// composer stays on screen; the dialog's messages scroll inside.
(function () {
  "use strict";
  if (window.parent === window || !window.BX24) return;
  var minHeight = 360; // below it the page cannot be used; the portal scrolls

  function resize(height) {
    var h = Math.max(minHeight, Math.floor(height));
    if (Math.abs(h - window.innerHeight) < 2) return;
    BX24.resizeWindow('100%', h);
  }

  BX24.init(function () {
    var app = document.querySelector(".app");
    if (!app || !window.IntersectionObserver) return;
    var steps = [];
    for (var i = 0; i <= 20; i++) steps.push(i / 20);
    new IntersectionObserver(function (entries) {
      var e = entries[entries.length - 1];
      if (!e.isIntersecting) return;
      // The shown part ends above the frame's bottom: shrink to it.
      if (e.intersectionRect.bottom < window.innerHeight - 1) resize(e.intersectionRect.bottom);
    }, {threshold: steps}).observe(app);
    document.body.dataset.fit = "on";
  });
})();
