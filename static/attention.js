// Attention: the total unread in the page title (and, inside Bitrix24, in
// the title the portal shows for the app, BX24.setTitle), and a short
// sound on a new inbound message unless the user muted it (a setting kept
// on the server, per user: the same on each of their devices, and not
// shared by two people on one browser).
(function () {
  "use strict";
  var base = null;

  function retitle() {
    var el = document.getElementById("unread-total");
    if (!el) return;
    if (base === null) base = document.title;
    var n = parseInt(el.textContent, 10) || 0;
    var title = n > 0 ? "(" + n + ") " + base : base;
    if (document.title === title) return;
    document.title = title;
    if (window.BX24 && window.parent !== window && BX24.setTitle) BX24.setTitle(title);
  }
  document.addEventListener("DOMContentLoaded", retitle);
  document.addEventListener("htmx:afterSettle", retitle);
  document.addEventListener("htmx:oobAfterSwap", retitle);

  // The chime: two short notes made with Web Audio (no file to fetch).
  var audio = null;
  function chime() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    audio = audio || new Ctx();
    if (audio.state === "suspended") audio.resume();
    [880, 1320].forEach(function (freq, i) {
      var osc = audio.createOscillator(), gain = audio.createGain(), at = audio.currentTime + i * 0.12;
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.15, at);
      gain.gain.exponentialRampToValueAtTime(0.001, at + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start(at);
      osc.stop(at + 0.25);
    });
  }

  // A new inbound message arrives as a #chime swapped in by the live
  // stream; each message rings once per page, and only when sound is on.
  var rung = {};
  document.addEventListener("htmx:oobAfterSwap", function (e) {
    var el = e.target; // the element swapped in
    if (!el || el.id !== "chime") return;
    var msg = el.dataset.message;
    if (!msg || rung[msg]) return;
    rung[msg] = true;
    var toggle = document.querySelector(".sound-toggle");
    if (toggle && toggle.getAttribute("aria-pressed") !== "true") return;
    document.body.dataset.chimes = String((parseInt(document.body.dataset.chimes, 10) || 0) + 1);
    chime();
  });
})();
