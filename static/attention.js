// Attention: the total unread in the page title (and, inside Bitrix24, in
// the title the portal shows for the app, BX24.setTitle), and a short
// sound on a new inbound message unless the user muted it (a setting kept
// on the server, per user: the same on each of their devices, and not
// shared by two people on one browser).
(function () {
  "use strict";
  var base = null, told = null; // told: the title the portal was last given

  function retitle() {
    var el = document.getElementById("unread-total");
    if (!el) return;
    if (base === null) base = document.title;
    var n = parseInt(el.textContent, 10) || 0;
    var title = n > 0 ? "(" + n + ") " + base : base;
    document.title = title;
    if (told !== title && window.BX24 && window.parent !== window && BX24.setTitle) {
      told = title;
      BX24.setTitle(title);
    }
  }
  // The portal's title is the app's from the start, nothing unread included
  // (the portal's own stayed until a first message).
  document.addEventListener("DOMContentLoaded", function () {
    if (window.BX24 && window.parent !== window) BX24.init(retitle);
    else retitle();
  });
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
