// The staff queue's "Nächste zuerst", as progressive enhancement (without this file the lat/lon
// query parameters work as before, typed or bookmarked):
// - choosing it fills in the device's position before the form is sent;
// - the chosen order is remembered on the device (localStorage), so the queue opens sorted the
//   same way when the crew comes back from a job through the navigation;
// - while sorted by distance, the position is read again whenever the page is shown again
//   (pageshow, visibilitychange) and watched while it is visible; once the device is more than
//   MOVED metres from the position the list was sorted for, the list is asked for again;
// - the distance in every row follows the latest position.
// The position is only read after the crew chose "Nächste zuerst".
(function () {
  "use strict";
  var KEY = "maengelmelder.queue.sortierung";
  var MOVED = 200;
  var NEAREST = "naehe";
  var form = document.getElementById("queue-sort");
  var status = document.getElementById("near-status");
  if (!form || !status) { return; }
  var geo = "geolocation" in navigator ? navigator.geolocation : null;
  var shownSort = form.elements.sortierung.value;
  var sortedFor = status.dataset.lat ? { lat: Number(status.dataset.lat), lon: Number(status.dataset.lon) } : null;
  var rows = Array.prototype.slice.call(document.querySelectorAll(".queue-rows li[data-lat]"));
  var watch = null;
  var leaving = false;

  function remember(value) {
    try { localStorage.setItem(KEY, value); } catch (ignore) { /* private mode: not remembered */ }
  }
  function remembered() {
    try { return localStorage.getItem(KEY); } catch (ignore) { return null; }
  }
  function say(key) { status.textContent = key ? status.dataset[key] : ""; }

  // Metres between two points on a sphere of the earth's mean radius (Haversine): within a city
  // it differs from PostGIS's ellipsoid by a few metres per kilometre.
  function metres(a, b) {
    var rad = Math.PI / 180, dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad;
    var h = Math.pow(Math.sin(dLat / 2), 2) +
            Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.pow(Math.sin(dLon / 2), 2);
    return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  // As the server writes it (app.staff.crew.distance_text).
  function distanceText(m) {
    if (m < 10) { return "unter 10 m"; }
    if (m < 995) { return Math.round(m / 10) * 10 + " m"; }
    if (m < 99950) { return (m / 1000).toFixed(1).replace(".", ",") + " km"; }
    return Math.round(m / 1000) + " km";
  }

  function showDistances(here) {
    rows.forEach(function (row) {
      var cell = row.querySelector("[data-distance]");
      if (cell) { cell.textContent = distanceText(metres(here, { lat: Number(row.dataset.lat), lon: Number(row.dataset.lon) })); }
    });
  }

  // The same queue (filters kept), sorted for another position or in the remembered order.
  function open(sort, here) {
    var query = new URLSearchParams(window.location.search);
    query.set("sortierung", sort);
    query.delete("lat");
    query.delete("lon");
    if (here) {
      query.set("lat", here.lat.toFixed(6));
      query.set("lon", here.lon.toFixed(6));
    }
    var target = "?" + query.toString();
    if (target === window.location.search) { say("failed"); return; } // never a reload loop
    leaving = true;
    window.location.replace(window.location.pathname + target);
  }

  function arrived(pos) {
    if (leaving) { return; }
    var here = { lat: pos.coords.latitude, lon: pos.coords.longitude };
    showDistances(here);
    if (!sortedFor || metres(sortedFor, here) > MOVED) {
      say(sortedFor ? "moved" : "busy");
      open(NEAREST, here);
    }
  }

  function failed() { if (!leaving) { say("failed"); } }

  function read() {
    geo.getCurrentPosition(arrived, failed, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  }

  function follow(visible) {
    if (visible && watch === null) {
      watch = geo.watchPosition(arrived, function () { /* the next reading may work */ },
                                { enableHighAccuracy: true, maximumAge: 30000 });
    } else if (!visible && watch !== null) {
      geo.clearWatch(watch);
      watch = null;
    }
  }

  // Choosing "Nächste zuerst" in the form: the position goes with it.
  form.addEventListener("submit", function (e) {
    var sort = form.elements.sortierung.value;
    remember(sort);
    if (sort !== NEAREST || !geo) { return; }
    e.preventDefault();
    say("busy");
    geo.getCurrentPosition(function (pos) {
      form.elements.lat.value = pos.coords.latitude.toFixed(6);
      form.elements.lon.value = pos.coords.longitude.toFixed(6);
      form.submit();
    }, function () { form.submit(); }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  });

  var asked = new URLSearchParams(window.location.search).get("sortierung");
  if (asked) {
    remember(asked);
  } else {
    var kept = remembered();
    if (kept === NEAREST && geo) { say("busy"); read(); return; }
    var offered = Array.prototype.some.call(form.elements.sortierung.options, function (o) { return o.value === kept; });
    if (kept && kept !== shownSort && offered) {
      open(kept, null);
      return;
    }
  }
  if (shownSort !== NEAREST || !geo) { return; }
  if (!sortedFor) { say("busy"); }
  read();
  follow(document.visibilityState === "visible");
  document.addEventListener("visibilitychange", function () {
    var visible = document.visibilityState === "visible";
    follow(visible);
    if (visible) { read(); }
  });
  // Back from a job: a page restored from the back/forward cache runs no script again.
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) {
      leaving = false;
      read();
      follow(true);
    }
  });
})();
