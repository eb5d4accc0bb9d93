// The report form's place, for phones: the coordinate fields fold behind "Koordinaten eingeben"
// (the map sets them), and a place set before sending comes back when the citizen presses Back.
// Runs before map.js (both deferred, in this order), so map.js finds the restored place.
(function () {
  "use strict";
  var KEY = "maengelmelder.place";
  var lat = document.getElementById("lat");
  var lon = document.getElementById("lon");
  var toggle = document.querySelector("details.coords-toggle");
  if (!lat || !lon) { return; }

  if (toggle && !toggle.dataset.keepOpen) { toggle.open = false; }
  // "Karte überspringen und Koordinaten eingeben" leads into the folded fields: open them.
  document.querySelectorAll('a[href="#lat"]').forEach(function (link) {
    link.addEventListener("click", function () { if (toggle) { toggle.open = true; } });
  });

  var navigation = window.performance && performance.getEntriesByType
    ? performance.getEntriesByType("navigation")[0] : null;
  var back = navigation && navigation.type === "back_forward";
  var saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { saved = null; }
  if (back && saved && !lat.value && !lon.value) {
    lat.value = saved.lat;
    lon.value = saved.lon;
  }

  function remember() {
    try { sessionStorage.setItem(KEY, JSON.stringify({ lat: lat.value, lon: lon.value })); }
    catch (e) { /* private mode: Back then starts without the place */ }
  }
  // map.js sets the fields without events: remember them when the form is sent.
  lat.form.addEventListener("submit", remember);
  lat.addEventListener("change", remember);
  lon.addEventListener("change", remember);
})();
