// The citizen's unsent report stays on this device (localStorage) until it is sent: a lost
// connection, a closed tab or a flat battery cost nothing typed. Kept: category, description,
// place (coordinates and the address typed) and the answers to the category's questions.
// Not kept: name, e-mail address and phone number (a shared or public device must not hand
// them to the next person) and the photos (too large, and they may show people). A draft older
// than a week is forgotten; "Verwerfen" forgets it at once; a sent report forgets it.
// Only the citizen's form (/melden): the staff intake page has no drafts.
(function () {
  "use strict";
  var KEY = "maengelmelder.entwurf";
  var WEEK = 7 * 24 * 3600 * 1000;
  var SELECTOR = "form.report-form[data-send=script]";
  // photos.js replaces the form with the server's answer when that has errors: always the
  // current one, and listeners on the document.
  var form = document.querySelector(SELECTOR);
  var storage = null;
  try { storage = window.localStorage; } catch (ignore) { storage = null; } // blocked storage throws
  if (!form || !storage || !window.JSON) { return; }
  var saving = false;

  function current() { return document.querySelector(SELECTOR) || form; }
  function field(name) { return current().elements[name]; }
  function value(name) { var f = field(name); return f && typeof f.value === "string" ? f.value : ""; }
  function questions() { return Array.prototype.filter.call(current().elements, function (el) { return /^frage-/.test(el.name); }); }
  function inForm(event) { return event.target && event.target.closest && event.target.closest(SELECTOR); }

  function read() {
    var draft = null;
    try { draft = JSON.parse(storage.getItem(KEY) || "null"); } catch (ignore) { draft = null; }
    if (!draft || typeof draft !== "object" || !(Date.now() - draft.saved < WEEK)) { return null; }
    return draft;
  }

  function forget() { try { storage.removeItem(KEY); } catch (ignore) { /* nothing kept */ } }

  function snapshot() {
    var chosen = current().querySelector("input[name=category]:checked");
    var answers = {};
    questions().forEach(function (el) {
      if (el.type === "radio") { if (el.checked) { answers[el.name] = el.value; } }
      else if (el.value) { answers[el.name] = el.value; }
    });
    return {
      saved: Date.now(),
      category: chosen ? chosen.value : "",
      description: value("description"),
      lat: value("lat"),
      lon: value("lon"),
      address: value("address"),
      answers: answers
    };
  }

  function worthKeeping(draft) {
    return !!(draft.category || draft.description.trim() || draft.lat || Object.keys(draft.answers).length);
  }

  function save() {
    if (!saving) { return; }
    var draft = snapshot();
    try {
      if (worthKeeping(draft)) { storage.setItem(KEY, JSON.stringify(draft)); } else { forget(); }
    } catch (ignore) { /* private mode or full: the form works without a draft */ }
  }

  function set(el, text) {
    if (!el || typeof text !== "string") { return; }
    el.value = text;
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function restore(draft) {
    var radio = draft.category && current().querySelector('input[name=category][value="' + CSS.escape(draft.category) + '"]');
    if (radio) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true })); // shows the category's questions
    }
    set(field("description"), draft.description);
    set(field("address"), draft.address);
    if (draft.lat && draft.lon) {
      field("lat").value = draft.lat;
      set(field("lon"), draft.lon); // map.js sets the pin from both fields
    }
    Object.keys(draft.answers || {}).forEach(function (name) {
      if (!/^frage-\d+$/.test(name)) { return; }
      questions().forEach(function (el) {
        if (el.name !== name) { return; }
        if (el.type === "radio") { el.checked = el.value === draft.answers[name]; }
        else { set(el, String(draft.answers[name])); }
      });
    });
  }

  function empty() {
    var fresh = snapshot();
    return !worthKeeping(fresh);
  }

  function when(saved) {
    var date = new Date(saved);
    return date.toLocaleDateString("de-DE", { day: "2-digit", month: "2-digit" }) + ", " +
      date.toLocaleTimeString("de-DE", { hour: "2-digit", minute: "2-digit" });
  }

  function offer(draft) {
    var box = document.createElement("div");
    box.className = "notice draft-offer";
    box.setAttribute("role", "status");
    var text = document.createElement("p");
    text.textContent = "Auf diesem Gerät ist ein nicht gesendeter Entwurf vom " + when(draft.saved) +
      " gespeichert (ohne Fotos und Kontaktdaten).";
    var take = document.createElement("button");
    take.type = "button";
    take.className = "button button-primary";
    take.textContent = "Entwurf wiederherstellen";
    var drop = document.createElement("button");
    drop.type = "button";
    drop.className = "button";
    drop.textContent = "Verwerfen";
    box.appendChild(text);
    box.appendChild(take);
    box.appendChild(drop);
    form.parentNode.insertBefore(box, form);
    var done = function (message) {
      box.remove();
      saving = true;
      var status = document.getElementById("send-status");
      if (status) { status.textContent = message; }
    };
    take.addEventListener("click", function () {
      restore(draft);
      done("Entwurf wiederhergestellt. Fotos bitte erneut auswählen.");
      save();
      var description = field("description");
      if (description) { description.focus(); }
    });
    drop.addEventListener("click", function () { forget(); done("Entwurf verworfen."); });
    // Typing anew starts a new draft in its place.
    document.addEventListener("input", function (event) {
      if (inForm(event) && box.isConnected) { box.remove(); saving = true; save(); }
    });
  }

  var stored = read();
  if (stored && empty()) { offer(stored); } else { saving = true; }
  if (!stored) { forget(); } // an expired or broken one
  ["input", "change", "submit"].forEach(function (type) {
    document.addEventListener(type, function (event) { if (inForm(event)) { save(); } });
  });
  // The map sets the coordinates without events: keep them when the page is left or hidden.
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { save(); } });
  window.addEventListener("pagehide", save);
  document.addEventListener("report-sent", function () { saving = false; forget(); });
})();
