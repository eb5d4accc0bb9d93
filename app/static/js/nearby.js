// "Schon gemeldet?": once the place and a category are set, the open reports like this one
// nearby (GET /api/v1/nearby), refreshed as the pin or the category changes.
(function () {
  "use strict";
  var box = document.getElementById("nearby");
  var lat = document.getElementById("lat");
  var lon = document.getElementById("lon");
  if (!box || !lat || !lon || !window.fetch) { return; }
  var list = document.getElementById("nearby-list");
  var count = document.getElementById("nearby-count");
  var timer = null;
  var asked = "";

  function number(input) { return parseFloat(input.value.replace(",", ".")); }

  function category() {
    var chosen = document.querySelector("input[name='category']:checked");
    return chosen ? chosen.dataset.code : "";
  }

  function item(found) {
    var li = document.createElement("li");
    if (found.thumbnail_url) {
      var img = document.createElement("img");
      img.src = found.thumbnail_url; img.alt = ""; img.width = 64; img.height = 48;
      li.appendChild(img);
    } else {
      var blank = document.createElement("span");
      blank.className = "no-thumb"; blank.setAttribute("aria-hidden", "true");
      li.appendChild(blank);
    }
    var text = document.createElement("div");
    var link = document.createElement("a");
    link.href = found.url;
    link.textContent = found.case_number + " · " + found.category;
    var meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = [found.status_label, found.age,
      box.dataset.away.replace("%s", found.distance_m)].join(" · ");
    text.appendChild(link); text.appendChild(meta);
    if (found.text) {
      var snippet = document.createElement("span");
      snippet.className = "snippet"; snippet.textContent = found.text;
      text.appendChild(snippet);
    }
    // "Ich bin auch betroffen": support this report instead of filing a new one.
    var support = document.createElement("a");
    support.className = "button support-this";
    support.href = found.support_url;
    support.textContent = box.dataset.support;
    var which = document.createElement("span");
    which.className = "visually-hidden";
    which.textContent = " (" + found.case_number + ")";
    support.appendChild(which);
    text.appendChild(support);
    if (found.support_count) {
      var supported = document.createElement("span");
      supported.className = "meta";
      supported.textContent = " " + (found.support_count === 1 ? box.dataset.supportedOne
        : box.dataset.supportedMany.replace("%s", found.support_count));
      text.appendChild(supported);
    }
    li.appendChild(text);
    return li;
  }

  function show(reports) {
    list.textContent = "";
    reports.forEach(function (found) { list.appendChild(item(found)); });
    box.hidden = reports.length === 0;
    count.textContent = reports.length === 1 ? box.dataset.one
      : box.dataset.many.replace("%s", reports.length);
  }

  function ask() {
    var a = number(lat), b = number(lon), code = category();
    if (!isFinite(a) || !isFinite(b) || !code) { return; }
    var query = "?lat=" + a.toFixed(6) + "&lon=" + b.toFixed(6) + "&category=" + encodeURIComponent(code);
    if (query === asked) { return; }
    asked = query;
    fetch(box.dataset.url + query, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { reports: [] }; })
      .then(function (data) { if (query === asked) { show(data.reports || []); } })
      .catch(function () { asked = ""; });  // offline: try again at the next change
  }

  function later() { clearTimeout(timer); timer = setTimeout(ask, 300); }
  lat.addEventListener("change", later);
  lon.addEventListener("change", later);
  document.querySelectorAll("input[name='category']").forEach(function (radio) {
    radio.addEventListener("change", later);
  });
  later();
})();
