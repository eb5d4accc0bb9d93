// The report form's photos, as progressive enhancement (without this file the form sends the
// chosen files as they are, and the server shrinks them):
// - previews, each with "Foto entfernen", up to the configured number of photos;
// - each photo shrunk in the browser to the size the server keeps (data-max-size) as JPEG,
//   upright; files the browser cannot decode (HEIC) are sent unchanged;
// - sending with upload progress; a refused form comes back from the server and replaces this
//   one, and the photos, kept here as File objects, are attached to it again.
(function () {
  "use strict";
  var HEAD = 256 * 1024; // a JPEG's EXIF header (with the position) lies in its first 64 KB
  var photos = []; // {original: File, file: File (what is sent), ready: Promise, url: string}
  var chosen = null; // the files of the latest "change", before map.js saw the input
  var busy = false;

  function byId(id) { return document.getElementById(id); }
  function sendButton() { return document.querySelector("form.report-form .send-report"); }
  function say(id, text) { var el = byId(id); if (el) { el.textContent = text; } }
  function megabytes(n) { return (n / 1048576).toFixed(1).replace(".", ",") + " MB"; }
  function isJpeg(file) { return /^image\/jpe?g$/.test(file.type) || /\.jpe?g$/i.test(file.name); }
  function canAttach() { return typeof DataTransfer === "function"; }

  var shrink = window.shrinkPhoto;

  // The input holds what is sent, so that a form sent without this script's help (a search
  // button) carries the same photos.
  function attach() {
    var input = byId("photos");
    if (!input || !canAttach()) { return; }
    var list = new DataTransfer();
    photos.forEach(function (p) { list.items.add(p.file); });
    input.files = list.files;
  }

  function counted() {
    var input = byId("photos");
    var max = Number(input.dataset.maxPhotos);
    return photos.length + " von " + max + (max === 1 ? " Foto" : " Fotos") + " ausgewählt.";
  }

  function render(focusAfter) {
    var list = byId("photo-previews");
    if (!list) { return; }
    list.textContent = "";
    photos.forEach(function (p, i) {
      var number = "Foto " + (i + 1);
      var item = document.createElement("li");
      var image = document.createElement("img");
      image.src = p.url;
      image.alt = number + ": " + p.original.name;
      image.addEventListener("error", function () {
        var none = document.createElement("span");
        none.className = "photo-none";
        none.textContent = number + ": keine Vorschau";
        image.replaceWith(none);
      });
      var caption = document.createElement("span");
      caption.className = "photo-caption";
      caption.textContent = p.file === p.original && !p.done ? "wird verkleinert …" : megabytes(p.file.size);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button photo-remove";
      remove.appendChild(document.createTextNode("Foto entfernen"));
      var which = document.createElement("span");
      which.className = "visually-hidden";
      which.textContent = " (" + number + " von " + photos.length + ")";
      remove.appendChild(which);
      remove.addEventListener("click", function () { removeAt(i); });
      item.appendChild(image);
      item.appendChild(caption);
      item.appendChild(remove);
      list.appendChild(item);
    });
    list.hidden = photos.length === 0;
    if (focusAfter !== undefined) {
      var buttons = list.querySelectorAll(".photo-remove");
      var target = buttons[Math.min(focusAfter, buttons.length - 1)] || byId("photos");
      target.focus();
    }
  }

  function removeAt(i) {
    var gone = photos.splice(i, 1)[0];
    URL.revokeObjectURL(gone.url);
    attach();
    render(i);
    say("photo-status", "Foto " + (i + 1) + " entfernt. " + counted());
  }

  function add(files) {
    var input = byId("photos");
    var max = Number(input.dataset.maxPhotos), size = Number(input.dataset.maxSize);
    var room = Math.max(0, max - photos.length);
    var taken = files.slice(0, room);
    taken.forEach(function (file) {
      var p = { original: file, file: file, done: false, url: URL.createObjectURL(file) };
      p.ready = shrink(file, size).then(function (sent) {
        p.file = sent;
        p.done = true;
        if (photos.indexOf(p) >= 0) { attach(); render(); }
      });
      photos.push(p);
    });
    attach();
    render();
    var left = files.length - taken.length;
    say("photo-status", counted() + (left ? " Höchstens " + max + " Fotos: " + left +
        (left === 1 ? " Foto wurde" : " Fotos wurden") + " nicht übernommen." : ""));
  }

  // map.js offers the position stored in the first photo: it sends input.files[0] to the server,
  // which reads the position from the file's header. A JPEG's header is at its start, so map.js
  // sees only that part (on a phone connection the whole original took longer than the report).
  // Capturing on the document runs before the input's own listeners; bubbling after them.
  document.addEventListener("change", function (e) {
    var input = e.target;
    if (input.id !== "photos" || !input.dataset.maxPhotos || !canAttach()) { return; }
    chosen = Array.prototype.slice.call(input.files);
    var first = chosen[0];
    if (first && isJpeg(first) && first.size > HEAD) {
      var head = new DataTransfer();
      head.items.add(new File([first.slice(0, HEAD)], first.name, { type: first.type }));
      input.files = head.files;
    }
  }, true);
  document.addEventListener("change", function (e) {
    if (e.target.id !== "photos" || chosen === null) { return; }
    var files = chosen;
    chosen = null;
    add(files);
  });

  // Enter in a text field with a search typed and no place asks the server for places: that
  // page is the server's own (app.reports.place_search.asked), as without this script.
  function asksForPlaces(form, submitter) {
    if (!submitter || submitter.classList.contains("send-report")) { return false; }
    if (submitter.name !== "enter") { return true; }
    var typed = function (name) { return form.elements[name] && form.elements[name].value.trim(); };
    return !!typed("address") && !typed("lat") && !typed("lon") &&
      !form.querySelector("input[name=address_choice]:checked");
  }

  function progress(percent) {
    var bar = byId("send-progress");
    if (bar) { bar.value = percent; }
    say("send-status", "Wird gesendet … " + percent + " %");
  }

  function finish(message) {
    busy = false;
    var button = sendButton(), box = byId("send-progress-box"), failure = byId("send-error");
    if (box) { box.hidden = true; }
    say("send-status", "");
    if (failure && message) {
      failure.textContent = message;
      failure.hidden = false;
    }
    if (button) {
      button.disabled = false;
      if (message) { button.focus(); }
    }
  }

  // The server's answer with the errors replaces the form. What other scripts hold on to stays:
  // the place (map, search, coordinates: map.js) and the file input; they take the answer's
  // error marks.
  function replaceForm(html) {
    var answer = new DOMParser().parseFromString(html, "text/html");
    var old = document.querySelector("form.report-form");
    var fresh = answer.querySelector("form.report-form");
    fresh = document.adoptNode(fresh);
    var changed = [];
    ["lat", "lon", "photos"].forEach(function (id) {
      var live = old.querySelector("#" + id), given = fresh.querySelector("#" + id);
      if (!live || !given) { return; }
      ["aria-invalid", "aria-describedby"].forEach(function (name) {
        if (given.hasAttribute(name)) { live.setAttribute(name, given.getAttribute(name)); }
        else { live.removeAttribute(name); }
      });
      if (id !== "photos" && live.value !== given.value) {
        live.value = given.value;
        changed.push(live);
      }
      var liveField = live.closest(".field"), givenField = given.closest(".field");
      given.replaceWith(live);
      if (id !== "photos" && liveField && givenField) { liveField.replaceWith(givenField); }
    });
    var place = old.querySelector("fieldset.location"), given = fresh.querySelector("fieldset.location");
    if (place && given) { given.replaceWith(place); }
    var summary = document.querySelector("main .error-summary");
    if (summary) { summary.remove(); }
    var newSummary = answer.querySelector("main .error-summary");
    old.replaceWith(fresh);
    if (newSummary) { fresh.parentNode.insertBefore(document.adoptNode(newSummary), fresh); }
    changed.forEach(function (input) { input.dispatchEvent(new Event("change")); });
    attach();
    render();
    if (photos.length) { say("photo-status", counted()); }
    var focus = newSummary || fresh.querySelector("[aria-invalid=true]") || sendButton();
    focus.focus();
  }

  function send(form, submitter) {
    busy = true;
    var button = sendButton(), box = byId("send-progress-box"), failure = byId("send-error");
    if (failure) { failure.hidden = true; failure.textContent = ""; }
    if (box) { box.hidden = false; }
    if (button) { button.disabled = true; }
    if (box) { box.focus(); } // the disabled button cannot keep it
    progress(0);
    Promise.all(photos.map(function (p) { return p.ready; })).then(function () {
      attach();
      var data = new FormData(form);
      if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { progress(Math.floor((e.loaded / e.total) * 100)); }
      });
      request.upload.addEventListener("load", function () {
        progress(100);
        say("send-status", "Gesendet: 100 %. Die Meldung wird gespeichert …");
      });
      request.addEventListener("load", function () {
        var type = request.getResponseHeader("Content-Type") || "";
        if (request.status === 201) {
          form.dispatchEvent(new CustomEvent("report-sent", { bubbles: true })); // draft.js forgets the draft
          var target = request.getResponseHeader("Location");
          try { target = JSON.parse(request.responseText).redirect || target; } catch (ignore) { /* the header */ }
          window.location.assign(target);
        } else if (type.indexOf("text/html") === 0 && /class="report-form"/.test(request.responseText)) {
          finish(null);
          replaceForm(request.responseText);
        } else if (request.status === 413) {
          finish("Die Fotos sind zusammen zu groß. Bitte entfernen Sie ein Foto und senden Sie erneut.");
        } else if (request.status === 429) {
          finish("Zu viele Meldungen in kurzer Zeit. Bitte warten Sie einige Minuten und senden Sie erneut. Ihre Angaben und Fotos sind noch da.");
        } else {
          finish("Die Meldung konnte nicht gespeichert werden (Fehler " + request.status + "). Ihre Angaben und Fotos sind noch da. Bitte senden Sie erneut.");
        }
      });
      var lost = function () {
        finish("Keine Verbindung zum Server: Die Meldung wurde nicht gesendet. Ihre Angaben und Fotos sind noch da. Bitte prüfen Sie die Verbindung und senden Sie erneut.");
      };
      request.addEventListener("error", lost);
      request.addEventListener("timeout", lost);
      request.send(data);
    });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("form.report-form[data-send=script]")) { return; }
    if (!window.XMLHttpRequest || !window.FormData || !window.Promise || !canAttach()) { return; }
    if (asksForPlaces(form, e.submitter)) { return; }
    e.preventDefault();
    if (!busy) { send(form, e.submitter); }
  });
})();
