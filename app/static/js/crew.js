// The staff report page on a crew's phone, as progressive enhancement (without this file the
// page works: the links start the navigation, the form is sent as it is, and a refused save
// shows the note again and asks for the photo again):
// - the job on a small map; "Meinen Standort zeigen" adds the device's position (read only
//   when asked), the distance, and makes the OpenStreetMap route start there;
// - the status form's photo is shrunk in the browser to the size the server keeps, and the
//   form is sent with progress; a refused save (422, 409) replaces the page's content with the
//   server's answer, which holds the note and choices, and the photo, kept here as a File, is
//   attached again. A lost connection keeps everything in place and says so.
(function () {
  "use strict";
  var placeMap = null; // the Leaflet map of the current page content
  var kept = null; // {original: File, file: File (what is sent), ready: Promise}
  var busy = false;

  function byId(id) { return document.getElementById(id); }
  function say(id, text) { var el = byId(id); if (el) { el.textContent = text; } }
  function megabytes(n) { return (n / 1048576).toFixed(1).replace(".", ",") + " MB"; }

  // As app.staff.crew.distance_text writes it.
  function distanceText(m) {
    if (m < 10) { return "unter 10 m"; }
    if (m < 995) { return Math.round(m / 10) * 10 + " m"; }
    if (m < 99950) { return (m / 1000).toFixed(1).replace(".", ",") + " km"; }
    return Math.round(m / 1000) + " km";
  }

  function showPlace() {
    var el = byId("crew-map");
    if (placeMap) { placeMap.remove(); placeMap = null; }
    if (!el || typeof L === "undefined") { return; }
    var job = L.latLng(Number(el.dataset.lat), Number(el.dataset.lon));
    var map = placeMap = L.map(el, { scrollWheelZoom: false, dragging: !L.Browser.mobile });
    L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution, maxZoom: 19 }).addTo(map);
    map.setView(job, 16);
    L.marker(job, { title: el.dataset.title, keyboard: false }).addTo(map);
    var button = byId("show-me"), status = byId("show-me-status"), route = byId("osm-route");
    if (!button || !status || !("geolocation" in navigator)) { return; }
    button.hidden = false;
    var me = null;
    button.addEventListener("click", function () {
      status.textContent = status.dataset.busy;
      navigator.geolocation.getCurrentPosition(function (pos) {
        if (map !== placeMap) { return; } // the page content was replaced meanwhile
        var here = L.latLng(pos.coords.latitude, pos.coords.longitude);
        if (me) { me.remove(); }
        me = L.layerGroup([
          L.circle(here, { radius: Math.min(pos.coords.accuracy || 0, 500), weight: 1, interactive: false }),
          L.circleMarker(here, { radius: 8, color: "#fff", weight: 3, fillColor: "#0b5cad", fillOpacity: 1, interactive: false })
        ]).addTo(map);
        map.fitBounds(L.latLngBounds([job, here]), { padding: [24, 24], maxZoom: 17 });
        status.textContent = status.dataset.found.replace("%s", distanceText(map.distance(here, job)));
        if (route) {
          var url = new URL(route.href);
          var to = (url.searchParams.get("route") || "").split(";").pop();
          url.searchParams.set("route", here.lat.toFixed(6) + "," + here.lng.toFixed(6) + ";" + to);
          route.href = url.toString();
        }
      }, function (error) {
        status.textContent = error.code === 1 ? status.dataset.denied : status.dataset.failed;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
    });
  }

  var shrink = window.shrinkPhoto;  // static/js/shrink.js

  function statusForm() { return document.querySelector("form.staff-action[action$='/status']"); }

  function take(input) {
    var file = input.files && input.files[0];
    if (!file) { kept = null; say("photo-state", ""); return; }
    var photo = { original: file, file: file };
    kept = photo;
    say("photo-state", "Foto „" + file.name + "“ wird verkleinert …");
    photo.ready = shrink(file, Number(input.dataset.maxSize)).then(function (sent) {
      photo.file = sent;
      if (kept === photo) {
        say("photo-state", "Foto „" + file.name + "“ (" + megabytes(sent.size) + ") wird mit dem Speichern gesendet.");
      }
    });
  }

  // The server's answer to a refused save replaces the page's content; the photo goes back
  // into the new form's file input.
  function showRefusal(html) {
    var answer = new DOMParser().parseFromString(html, "text/html");
    var fresh = answer.querySelector("main"), old = document.querySelector("main");
    if (!fresh || !old) { return false; }
    old.replaceWith(document.adoptNode(fresh));
    if (answer.title) { document.title = answer.title; }
    showPlace();
    var input = byId("photo");
    if (kept && input && typeof DataTransfer === "function") {
      var list = new DataTransfer();
      list.items.add(kept.file);
      input.files = list.files;
      say("photo-state", "Ihr Foto „" + kept.original.name + "“ ist noch angehängt und wird mit dem nächsten Speichern gesendet.");
    }
    var message = document.querySelector("main [role=alert]") || byId("status-heading");
    if (message) {
      message.setAttribute("tabindex", "-1");
      message.focus();
    }
    return true;
  }

  function finish(problem) {
    busy = false;
    var form = statusForm(), button = form && form.querySelector("button[type=submit]");
    say("status-send-state", "");
    say("status-send-error", problem || "");
    if (button) {
      button.disabled = false;
      if (problem) { button.focus(); }
    }
  }

  function send(form) {
    busy = true;
    // The last save's message would pass for this one's.
    Array.prototype.forEach.call(document.querySelectorAll("main > [role=status], main > [role=alert]"),
                                 function (old) { old.remove(); });
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    say("status-send-error", "");
    say("status-send-state", "Wird gespeichert …");
    (kept ? kept.ready : Promise.resolve()).then(function () {
      var data = new FormData(form);
      if (kept) { data.set("photo", kept.file, kept.file.name); }
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable && kept) {
          say("status-send-state", "Wird gesendet … " + Math.floor((e.loaded / e.total) * 100) + " %");
        }
      });
      request.addEventListener("load", function () {
        var type = request.getResponseHeader("Content-Type") || "";
        if (request.status === 200 && type.indexOf("application/json") === 0) {
          var target = null;
          try { target = JSON.parse(request.responseText).redirect; } catch (ignore) { /* below */ }
          if (target) { kept = null; window.location.assign(target); return; }
        }
        if ((request.status === 409 || request.status === 422) && type.indexOf("text/html") === 0) {
          busy = false;
          if (showRefusal(request.responseText)) { return; }
        }
        finish("Nicht gespeichert (Fehler " + request.status + "). Ihre Notiz und Ihr Foto sind noch da; bitte erneut speichern.");
      });
      var lost = function () {
        var unsent = "Keine Verbindung: nicht gespeichert. Ihre Notiz und Ihr Foto sind noch da; bitte erneut speichern, sobald das Netz da ist.";
        if (!window.staffKeepOffline) { finish(unsent); return; }
        // Waits on the device (photo included) and is sent with its request key when the
        // network is back: a save that did reach the server is not made twice.
        window.staffKeepOffline(form, data).then(function () {
          kept = null;
          finish("");
        }, function () { finish(unsent); });
      };
      request.addEventListener("error", lost);
      request.addEventListener("timeout", lost);
      request.send(data);
    });
  }

  document.addEventListener("change", function (e) {
    var form = statusForm();
    if (e.target.id === "photo" && form && form.contains(e.target)) { take(e.target); }
  });

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (e.defaultPrevented || form !== statusForm()) { return; }
    if (!window.XMLHttpRequest || !window.FormData || !window.Promise || typeof DataTransfer !== "function") { return; }
    e.preventDefault();
    if (!busy) { send(form); }
  });

  document.addEventListener("DOMContentLoaded", showPlace);
})();
