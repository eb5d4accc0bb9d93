// Progressive enhancement: every page works without this file; it adds the Leaflet map.
// Settings come from data-* attributes, because the CSP allows no inline script.
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");
  if (typeof L !== "undefined") {
    // The zoom buttons speak the page's language (WCAG 3.1.2).
    L.Control.Zoom.prototype.options.zoomInTitle = "Vergrößern";
    L.Control.Zoom.prototype.options.zoomOutTitle = "Verkleinern";
  }

  // wheel: zoom with the mouse wheel (only where it cannot trap a page's scrolling).
  function baseMap(el, wheel) {
    var map = L.map(el, { scrollWheelZoom: !!wheel, zoomSnap: 0.25 });
    L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution, maxZoom: 19 }).addTo(map);
    if (el.dataset.bounds) {
      var b = el.dataset.bounds.split(",").map(Number);
      map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [6, 6] });
    } else {
      map.setView([51.17, 7.08], 12);
    }
    if (el.dataset.outlineUrl) {
      fetch(el.dataset.outlineUrl).then(function (r) { return r.json(); }).then(function (data) {
        var outline = L.geoJSON(data, { style: { color: "#084785", weight: 2, fill: false }, interactive: false });
        outline.addTo(map);
        if (!el.dataset.bounds && outline.getBounds().isValid()) { map.fitBounds(outline.getBounds()); }
      });
    }
    return map;
  }

  function fmt(n) { return n.toFixed(6).replace(".", ","); }

  function picker(el) {
    var map = baseMap(el);
    var lat = document.getElementById("lat");
    var lon = document.getElementById("lon");
    var status = document.getElementById("location-status");
    var describe = placeDescription(el);
    var marker = null;

    // quiet: the page came with this point and its description (sent back by the server).
    function place(latlng, fromInput, quiet) {
      if (!marker) {
        marker = L.marker(latlng, { draggable: true, keyboard: true, title: "Ort des Mangels" }).addTo(map);
        marker.on("dragend", function () { place(marker.getLatLng()); });
      } else {
        marker.setLatLng(latlng);
      }
      if (!fromInput) {
        lat.value = fmt(latlng.lat);
        lon.value = fmt(latlng.lng);
        status.textContent = "Ort gesetzt: " + lat.value + ", " + lon.value;
        // Others on the page follow the place (nearby.js: similar reports around it).
        lat.dispatchEvent(new Event("change", { bubbles: true }));
      }
      if (!quiet) { describe(latlng); }
    }

    function fromInputs(quiet) {
      var a = parseFloat(lat.value.replace(",", "."));
      var b = parseFloat(lon.value.replace(",", "."));
      if (isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) {
        place(L.latLng(a, b), true, quiet);
        return true;
      }
      return false;
    }

    // A place chosen by address: set like a tap on the map, and shown in the middle.
    function goTo(a, b) {
      var here = L.latLng(a, b);
      place(here);
      map.setView(here, 17);
    }

    function typed() { if (!fromInputs()) { describe(null); } }
    map.on("click", function (e) { place(e.latlng); });
    lat.addEventListener("change", typed);
    lon.addEventListener("change", typed);
    if (fromInputs(describe.shown())) { map.setView(marker.getLatLng(), 16); }

    offerPhotoPosition(el, place, map, function () { return marker !== null; });
    addressSearch(el, goTo);
    // Places found by the search without this script (radio buttons): choosing one sets the pin.
    Array.prototype.forEach.call(document.querySelectorAll("input[name=address_choice]"), function (radio) {
      radio.addEventListener("change", function () {
        var point = radio.value.split(",").map(Number);
        if (radio.checked && point.length === 2) { goTo(point[0], point[1]); }
      });
    });

    var button = document.getElementById("use-location");
    if (!("geolocation" in navigator)) { button.hidden = true; return; }
    button.addEventListener("click", function () {
      status.textContent = "Standort wird ermittelt …";
      navigator.geolocation.getCurrentPosition(function (pos) {
        var here = L.latLng(pos.coords.latitude, pos.coords.longitude);
        place(here);
        map.setView(here, 17);
      }, function () {
        status.textContent = "Der Standort konnte nicht ermittelt werden. Bitte tippen Sie auf die Karte.";
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  // "Ort: Kölner Straße 5 (ungefähr)" under the map, as soon as the pin is set or moved. The
  // texts come from the page (data-known, data-unknown); null clears the line.
  function placeDescription(el) {
    var line = document.getElementById("place");
    var pending = null;
    function describe(latlng) {
      if (!line || !el.dataset.placeUrl || !window.fetch) { return; }
      if (pending) { pending.abort(); }
      pending = null;
      if (!latlng) { line.textContent = ""; return; }
      pending = new AbortController();
      var query = "?lat=" + latlng.lat.toFixed(6) + "&lon=" + latlng.lng.toFixed(6);
      fetch(el.dataset.placeUrl + query, { signal: pending.signal })
        .then(function (r) { return r.ok ? r.json() : { label: null }; })
        .then(function (data) {
          line.textContent = data.label ? line.dataset.known.replace("%s", data.label) : line.dataset.unknown;
        })
        .catch(function (e) {
          // A newer point is on its way; after a failure no description beats a wrong one.
          if (e.name !== "AbortError") { line.textContent = ""; }
        });
    }
    describe.shown = function () { return !!(line && line.textContent.trim()); };
    return describe;
  }

  // The address search as a combobox (WAI-ARIA 1.2, list autocomplete): suggestions from the
  // address API while typing (after 3 characters, 250 ms after the last key, older answers
  // dropped); choosing one sets the pin like a tap on the map. Enter in the field never sends
  // the report. Without this script "Suchen" asks the server, which answers with radio buttons.
  function addressSearch(el, choose) {
    var input = document.getElementById("address");
    var list = document.getElementById("address-suggestions");
    var count = document.getElementById("address-count");
    var button = document.getElementById("address-search");
    if (!input || !list || !count || !button || !el.dataset.searchUrl || !window.fetch) { return; }
    var found = [], active = -1, timer = null, pending = null;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-describedby", (input.getAttribute("aria-describedby") || "") + " address-keys");

    function say(text) { count.textContent = text; }

    function highlight(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (option, j) {
        option.setAttribute("aria-selected", j === i ? "true" : "false");
      });
      if (i < 0) { input.removeAttribute("aria-activedescendant"); return; }
      input.setAttribute("aria-activedescendant", list.children[i].id);
      list.children[i].scrollIntoView({ block: "nearest" });
    }

    function open(yes) {
      list.hidden = !yes;
      input.setAttribute("aria-expanded", yes ? "true" : "false");
      if (!yes) { highlight(-1); }
    }

    function pick(i) {
      var chosen = found[i];
      input.value = chosen.label;
      open(false);
      choose(chosen.lat, chosen.lon);
    }

    function show(candidates) {
      found = candidates;
      list.textContent = "";
      candidates.forEach(function (c, i) {
        var option = document.createElement("li");
        option.id = "address-option-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = c.label;
        // The focus stays in the field: a click must not blur it before it counts.
        option.addEventListener("mousedown", function (e) { e.preventDefault(); });
        option.addEventListener("click", function () { pick(i); });
        list.appendChild(option);
      });
      active = -1;
      open(candidates.length > 0 && document.activeElement === input);
      say(candidates.length === 0 ? count.dataset.none :
          candidates.length === 1 ? count.dataset.one : count.dataset.many.replace("%s", candidates.length));
    }

    function clear() {
      found = [];
      list.textContent = "";
      open(false);
    }

    // now: asked for (Enter, arrow down, "Suchen"), so no wait and a word when there is nothing.
    function search(now) {
      clearTimeout(timer);
      if (pending) { pending.abort(); pending = null; }
      var text = input.value.trim();
      if (text.length < 3) {
        clear();
        say(now ? count.dataset.short : "");
        return;
      }
      timer = setTimeout(function () {
        var request = pending = new AbortController();
        fetch(el.dataset.searchUrl + "?q=" + encodeURIComponent(text), { signal: request.signal })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (data) {
            if (pending !== request) { return; }
            pending = null;
            show(data);
          })
          .catch(function (e) {
            if (e.name !== "AbortError") { clear(); say(count.dataset.failed); }
          });
      }, now ? 0 : 250);
    }

    input.addEventListener("input", function () { search(false); });
    input.addEventListener("keydown", function (e) {
      var shown = !list.hidden;
      if (e.key === "ArrowDown" || e.key === "Down") {
        e.preventDefault();
        if (!found.length) { search(true); return; }
        if (!shown) { open(true); if (e.altKey) { return; } }
        highlight(active < found.length - 1 ? active + 1 : 0);
      } else if (e.key === "ArrowUp" || e.key === "Up") {
        if (!found.length) { return; }
        e.preventDefault();
        if (!shown) { open(true); }
        highlight(active > 0 ? active - 1 : found.length - 1);
      } else if (e.key === "Enter") {
        e.preventDefault();
        if (shown && active >= 0) { pick(active); } else { search(true); }
      } else if ((e.key === "Escape" || e.key === "Esc") && shown) {
        e.preventDefault();
        open(false);
      }
    });
    input.addEventListener("blur", function () { open(false); });
    button.addEventListener("click", function (e) {
      e.preventDefault();
      input.focus();
      search(true);
    });
  }

  // When a photo with a stored position is chosen and no pin is set yet, offer that position.
  function offerPhotoPosition(el, place, map, hasPin) {
    var input = document.getElementById("photos");
    var offer = document.getElementById("photo-position");
    var form = el.closest("form");
    if (!input || !offer || !form || !window.fetch || !window.FormData) { return; }
    input.addEventListener("change", function () {
      offer.hidden = true;
      if (hasPin() || !input.files.length) { return; }
      var data = new FormData();
      data.append("csrf_token", form.elements.csrf_token ? form.elements.csrf_token.value : "");
      data.append("photo", input.files[0]);
      fetch(el.dataset.photoPositionUrl, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : {}; })
        .then(function (pos) {
          if (typeof pos.lat !== "number" || hasPin()) { return; }
          offer.hidden = false;
          offer.onclick = function () {
            var here = L.latLng(pos.lat, pos.lon);
            place(here);
            map.setView(here, 17);
            offer.hidden = true;
          };
        })
        .catch(function () { /* offering the position is a convenience only */ });
    });
  }

  function pinMap(el) {
    var here = L.latLng(Number(el.dataset.lat), Number(el.dataset.lon));
    var map = L.map(el, { scrollWheelZoom: false, dragging: !L.Browser.mobile });
    L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution, maxZoom: 19 }).addTo(map);
    map.setView(here, 16);
    L.marker(here, { keyboard: false }).addTo(map);
  }

  // A report as a marker that the keyboard reaches (Tab, then Enter opens its card) and that is
  // big enough for a thumb; the colour comes from the page's status classes, the name from title.
  // panOnFocus: only where markers stay put; on the public map a pan reloads the markers and
  // would take the focused one away.
  function reportMarker(here, status, title, panOnFocus) {
    var icon = L.divIcon({ className: "report-dot status-" + status, iconSize: [24, 24] });
    var marker = L.marker(here, { icon: icon, title: title, keyboard: true, autoPanOnFocus: panOnFocus });
    // A card opened from the keyboard takes the focus; closing it (Escape) gives it back.
    // Leaflet hears Escape only while the map itself has the focus, so the card listens too.
    marker.on("popupopen", function (e) {
      var card = e.popup.getElement(), link = card.querySelector(".leaflet-popup-content a");
      if (link && document.activeElement === marker.getElement()) { link.focus(); }
      card.onkeydown = function (key) {
        if (key.key !== "Escape") { return; }
        var back = card.contains(document.activeElement);
        marker.closePopup();
        if (back) { marker.getElement().focus(); }
      };
    });
    marker.on("popupclose", function (e) {
      if (e.popup.getElement().contains(document.activeElement)) { marker.getElement().focus(); }
    });
    return marker;
  }

  function optionLabels(select) {
    var labels = {};
    if (select) { Array.prototype.forEach.call(select.options, function (o) { labels[o.value] = o.text; }); }
    return labels;
  }

  // The public map: reports and clusters of the visible area, reloaded on every move.
  function reportsMap(el) {
    // The wheel zooms where there is a mouse; a touch screen has no wheel to trap the page with.
    var map = baseMap(el, !L.Browser.mobile);
    var layer = L.layerGroup().addTo(map);
    var form = document.getElementById("filters");
    var categories = optionLabels(document.getElementById("f-category"));
    var statuses = optionLabels(document.getElementById("f-status"));
    var pending = null;
    // The marker whose card is open outlives reloads: opening a card pans the map to fit it,
    // and the reload after that pan would otherwise close the card under the reader's thumb.
    // So does the marker with the keyboard focus, which would otherwise drop to the page.
    var open = null;
    function kept(m) {
      return m === open || (m.reportId !== undefined && m.getElement() === document.activeElement);
    }

    function query() {
      // Far out, Leaflet's bounds pass the antimeridian and the poles: clamp them.
      var b = map.getBounds(), clamp = function (v, limit) { return Math.max(-limit, Math.min(limit, v)); };
      var params = new URLSearchParams(form ? new FormData(form) : undefined);
      params.set("bbox", [clamp(b.getWest(), 180), clamp(b.getSouth(), 85), clamp(b.getEast(), 180), clamp(b.getNorth(), 85)].map(function (v) { return v.toFixed(6); }).join(","));
      params.set("zoom", Math.round(map.getZoom()));
      return params;
    }

    // "vor 3 Tagen" in the page's language, with the exact moment in <time datetime>.
    var ago = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat("de", { numeric: "auto" }) : null;
    function age(iso) {
      var days = Math.floor((Date.now() - new Date(iso).getTime()) / 86400000);
      if (!ago || !isFinite(days)) { return new Date(iso).toLocaleDateString("de-DE"); }
      if (days < 1) { return "heute"; }
      if (days < 31) { return ago.format(-days, "day"); }
      if (days < 365) { return ago.format(-Math.floor(days / 30.4), "month"); }
      return ago.format(-Math.floor(days / 365.25), "year");
    }

    function line(tag, className, text) {
      var node = document.createElement(tag);
      if (className) { node.className = className; }
      node.textContent = text;
      return node;
    }

    // The card of a report: photo, what, status, where, how long ago, the start of its text.
    // Everything comes from the map API, which sends public fields only.
    function card(p) {
      var box = document.createElement("div");
      box.className = "map-card";
      if (p.thumb) {
        var img = document.createElement("img");
        img.src = p.thumb;
        img.alt = "";
        img.loading = "lazy";
        box.appendChild(img);
      }
      box.appendChild(line("strong", "", categories[p.category] || p.category));
      box.appendChild(line("p", "", statuses[p.status] || p.status));
      if (p.place) { box.appendChild(line("p", "place", p.place)); }
      if (p.created) {
        var when = line("p", "meta", "gemeldet ");
        var time = line("time", "", age(p.created));
        time.dateTime = p.created;
        time.title = new Date(p.created).toLocaleString("de-DE");
        when.appendChild(time);
        box.appendChild(when);
      }
      if (p.text) { box.appendChild(line("p", "excerpt", p.text)); }
      if (p.supports) {
        box.appendChild(line("p", "meta supports",
          p.supports === 1 ? "1 Person auch betroffen" : p.supports + " Personen auch betroffen"));
      }
      var link = document.createElement("a");
      link.href = el.dataset.reportBase + encodeURIComponent(p.id);
      link.textContent = "Meldung " + p.id + " ansehen";
      box.appendChild(link);
      return box;
    }

    function draw(data) {
      var keep = {};
      layer.eachLayer(function (m) {
        if (kept(m)) { keep[m.reportId] = true; } else { layer.removeLayer(m); }
      });
      data.features.forEach(function (f) {
        var c = f.geometry.coordinates, here = L.latLng(c[1], c[0]), p = f.properties;
        if (!p.cluster && keep[p.id]) { return; }
        if (p.cluster) {
          var size = p.count < 100 ? 34 : p.count < 10000 ? 42 : 52;
          var icon = L.divIcon({ className: "cluster", html: String(p.count), iconSize: [size, size] });
          var zoomIn = function () { map.setView(here, Math.min(map.getZoom() + 2, 19)); };
          var name = p.count + " Meldungen";
          L.marker(here, { icon: icon, title: name, keyboard: true, autoPanOnFocus: false })
            .on("add", function (e) { e.target.getElement().setAttribute("aria-label", name); })
            .on("click", zoomIn)
            .on("keypress", function (e) {
              // Enter: the reload takes this cluster away, so the focus goes to the map first.
              if (e.originalEvent.key === "Enter") { el.focus(); zoomIn(); }
            })
            .addTo(layer);
        } else {
          var label = "Meldung " + p.id + ": " + (categories[p.category] || p.category) + ", " +
                      (statuses[p.status] || p.status);
          var marker = reportMarker(here, p.status, label, false);
          marker.reportId = p.id;
          marker.bindPopup(card(p)).addTo(layer)
            .on("popupopen", function () { open = marker; })
            .on("popupclose", function () { if (open === marker) { open = null; } });
        }
      });
    }

    // aria-busy tells screen readers (and the browser tests) that the map moves or its markers
    // are being replaced: from the start of a move until the new answer is drawn.
    function busy() { el.setAttribute("aria-busy", "true"); }

    function load() {
      if (pending) { pending.abort(); }
      pending = new AbortController();
      busy();
      fetch(el.dataset.reportsUrl + "?" + query().toString(), { signal: pending.signal })
        .then(function (r) { return r.ok ? r.json() : { features: [] }; })
        .then(draw)
        .then(function () { el.setAttribute("aria-busy", "false"); })
        .catch(function (e) {
          // An aborted load has a newer one behind it; a failed one keeps the previous markers.
          if (e.name !== "AbortError") { el.setAttribute("aria-busy", "false"); }
        });
    }

    // A move makes the answer on its way stale: drop it, so that no old view is drawn and
    // aria-busy stays "true" until the answer for the new view is drawn. A resize moves without
    // movestart (its moveend follows 200 ms later).
    map.on("movestart resize", function () {
      if (pending) { pending.abort(); }
      busy();
    });
    map.on("moveend", load);
    if (form) {
      // A new filter may not match the open card's report: close it with the old answer. The
      // address bar and the list link follow the filter, so the view can be shared.
      var listLink = document.querySelector(".map-list-link");
      var refilter = function () {
        map.closePopup();
        load();
        var chosen = new URLSearchParams();
        new FormData(form).forEach(function (value, key) { if (value) { chosen.append(key, value); } });
        chosen = chosen.toString();
        if (window.history && history.replaceState) { history.replaceState(null, "", "?" + chosen); }
        if (listLink) { listLink.href = form.action + "?" + chosen; }
      };
      form.addEventListener("submit", function (e) { e.preventDefault(); refilter(); });
      form.addEventListener("change", refilter);
    }
    nearMe(map, el);
    load();
  }

  // "In meiner Nähe": the map moves to the device's position, with a word when it cannot.
  function nearMe(map, el) {
    var button = document.getElementById("near-me");
    var status = document.getElementById("near-me-status");
    if (!button || !status || !("geolocation" in navigator)) { return; }
    button.hidden = false;
    var say = function (key) { status.textContent = status.dataset[key]; };
    button.addEventListener("click", function () {
      say("busy");
      navigator.geolocation.getCurrentPosition(function (pos) {
        var here = L.latLng(pos.coords.latitude, pos.coords.longitude);
        var b = (el.dataset.bounds || "").split(",").map(Number);
        if (b.length === 4 && !L.latLngBounds([[b[1], b[0]], [b[3], b[2]]]).pad(0.05).contains(here)) {
          say("outside");
          return;
        }
        map.setView(here, 16);
        say("found");
      }, function (error) {
        say(error.code === 1 ? "denied" : "failed");
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 });
    });
  }

  // Staff lists: the listed reports as markers, each linking to its staff page.
  function listMap(el) {
    var map = L.map(el, { scrollWheelZoom: false });
    L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution, maxZoom: 19 }).addTo(map);
    var points = JSON.parse(el.dataset.points), bounds = L.latLngBounds([]);
    points.forEach(function (p) {
      var here = L.latLng(p.lat, p.lon), link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.title;
      reportMarker(here, p.status, p.title, true).bindPopup(link).addTo(map);
      bounds.extend(here);
    });
    map.fitBounds(bounds, { maxZoom: 17, padding: [20, 20] });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // The filters fold away on phones only: wider screens have room to show them.
    var filters = document.getElementById("filter-toggle");
    if (filters && window.matchMedia && window.matchMedia("(min-width: 48rem)").matches) { filters.open = true; }
    var el = document.getElementById("map");
    if (!el || typeof L === "undefined") { return; }
    if (el.dataset.points) { listMap(el); }
    else if (el.dataset.picker) { picker(el); }
    else if (el.dataset.lat) { pinMap(el); }
    else if (el.dataset.reportsUrl) { reportsMap(el); }
    else { baseMap(el); }
  });
})();

