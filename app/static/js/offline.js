// The staff pages without signal (see offline-queue.js and /sw-staff.js):
// - registers the service worker that keeps the queue and the open jobs readable offline;
// - a bar at the top: "Offline – Stand von 14:05" on a stored copy or without network,
//   "3 Änderungen warten auf Netz", and each change the server did not take, with a link;
// - a staff action sent without network waits on this device instead of the browser's error
//   page; it is sent when the network is back (online event, Background Sync, next page);
// - every action form gets a fresh request_key per page view, so a replay never doubles;
// - logging out deletes this person's copies and queue before the server forgets the session.
(function () {
  "use strict";
  var Q = window.StaffOffline;
  var script = document.currentScript;
  function meta(name) {
    var el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.getAttribute("content") : "";
  }
  var user = meta("staff-user");
  if (!Q || !user || !window.indexedDB || !window.Promise) { return; }
  var copy = meta("offline-copy") === "1";
  var stand = new Date(meta("staff-stand"));
  var ACTION = /^\/staff\/meldungen\/([^/]+)\/([^/]+)$/;
  var REPORT = /^\/staff\/meldungen\/([^/]+)$/;
  var WARM_LIMIT = 50;
  var bar, state, counter, problems, news;
  var loaded = Date.now();

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function pathOf(form) {
    try { return new URL(form.getAttribute("action") || "", location.href).pathname; }
    catch (ignore) { return ""; }
  }

  function time(date) {
    return date.toLocaleTimeString("de-DE", { hour: "2-digit", minute: "2-digit" });
  }

  // Live regions exist from the start, so that screen readers announce what later appears.
  // The state and the count stay in view at the top while the crew scrolls to a form's button;
  // the list of problems stays where it is (it may be long).
  function buildBar() {
    bar = el("div", "offline-bar");
    bar.id = "offline-bar";
    state = el("p", "offline-state");
    state.setAttribute("role", "status");
    counter = el("p", "offline-count");
    counter.setAttribute("role", "status");
    news = el("p", "offline-news");
    news.setAttribute("role", "status");
    problems = el("ul", "offline-problems");
    problems.setAttribute("aria-label", "Nicht gesendete Änderungen");
    problems.hidden = true;
    problems.id = "offline-problems";
    problems.tabIndex = -1;
    [state, counter, news].forEach(function (node) { bar.appendChild(node); });
    var main = document.querySelector("main") || document.body;
    main.insertBefore(problems, main.firstChild);
    main.insertBefore(bar, problems);
  }

  function showState() {
    var offline = navigator.onLine === false;
    state.textContent = "";
    if (offline || copy) {
      state.appendChild(document.createTextNode("Offline – Stand von " + time(stand)));
      if (copy && !offline) {
        var reload = el("button", "button", "Neu laden");
        reload.type = "button";
        reload.addEventListener("click", function () { location.reload(); });
        state.appendChild(document.createTextNode(" "));
        state.appendChild(reload);
      }
    }
    bar.classList.toggle("is-offline", offline || copy);
  }

  function currentVersion(caseNumber) {
    if (pageCase() !== caseNumber || copy) { return null; }
    var input = document.querySelector('form input[name="version"]');
    return input ? input.value : null;
  }

  function pageCase() {
    var match = REPORT.exec(location.pathname);
    return match ? decodeURIComponent(match[1]) : null;
  }

  function problem(item) {
    var li = el("li", "offline-problem");
    var link = el("a", "", "Meldung " + item.caseNumber);
    link.href = "/staff/meldungen/" + encodeURIComponent(item.caseNumber);
    li.appendChild(link);
    var text = item.state === "conflict" ? ": inzwischen geändert – bitte prüfen"
      : ": nicht gespeichert – " + (item.message || "vom Server abgelehnt");
    li.appendChild(document.createTextNode(text));
    if (item.label) { li.appendChild(el("span", "offline-label", " (" + item.label + ")")); }
    var version = currentVersion(item.caseNumber);
    if (version !== null) {
      var again = el("button", "button", "Mit aktuellem Stand erneut senden");
      again.type = "button";
      again.addEventListener("click", function () {
        item.version = version;
        item.state = "waiting";
        item.message = "";
        Q.put(item).then(replay);
      });
      li.appendChild(again);
    }
    var drop = el("button", "button", "Verwerfen");
    drop.type = "button";
    drop.addEventListener("click", function () { Q.remove(item.key).then(render); });
    li.appendChild(drop);
    return li;
  }

  function render() {
    return Q.list(user).then(function (items) {
      var waiting = items.filter(function (i) { return i.state === "waiting"; });
      var n = waiting.length;
      counter.textContent = n === 0 ? "" : n === 1 ? "1 Änderung wartet auf Netz" : n + " Änderungen warten auf Netz";
      problems.textContent = "";
      items.filter(function (i) { return i.state !== "waiting"; }).forEach(function (item) {
        problems.appendChild(problem(item));
      });
      problems.hidden = !problems.firstChild;
      // Queued by the worker on the way to this page (not to the page it left).
      var fresh = waiting.filter(function (i) { return i.announce && i.created < loaded; });
      if (fresh.length) {
        news.textContent = "Auf diesem Gerät gespeichert – wird gesendet, sobald wieder Netz da ist.";
        fresh.forEach(function (i) { i.announce = false; Q.put(i); });
      }
    }).catch(function () { /* private mode without IndexedDB: the bar stays empty */ });
  }

  function replay() {
    if (navigator.onLine === false) { return Promise.resolve(); }
    return Q.replay(user, copy ? "" : meta("csrf-token")).then(function (result) {
      tell(result.sent.length, result.problems.length);
      if (result.stopped === "login") {
        news.textContent = "Bitte melden Sie sich wieder an – danach werden die wartenden Änderungen gesendet.";
      }
      return render();
    }, render);
  }

  // What a replay did, in the bar that stays in view; problems link to their list.
  function tell(sent, failed) {
    if (!sent && !failed) { return; }
    news.textContent = sent === 0 ? "" : sent === 1 ? "1 Änderung gesendet." : sent + " Änderungen gesendet.";
    if (failed) {
      if (sent) { news.appendChild(document.createTextNode(" ")); }
      var link = el("a", "", failed === 1 ? "1 Änderung nicht gesendet – bitte prüfen"
        : failed + " Änderungen nicht gesendet – bitte prüfen");
      link.href = "#offline-problems";
      news.appendChild(link);
    }
  }

  // One key per page view and form: the same view sent twice is one change, a new view (a
  // stored copy shown again, the back button) a new one.
  function freshKeys() {
    Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
      if ((form.method || "").toLowerCase() !== "post" || !ACTION.test(pathOf(form))) { return; }
      var input = form.querySelector('input[name="request_key"]');
      if (!input) {
        input = el("input");
        input.type = "hidden";
        input.name = "request_key";
        form.appendChild(input);
      }
      input.value = Q.randomKey();
    });
  }

  function labelOf(form) {
    var heading = form.previousElementSibling;
    while (heading && !/^H[1-3]$/.test(heading.tagName)) { heading = heading.previousElementSibling; }
    var parts = [heading ? heading.textContent.trim() : ""];
    var select = form.querySelector("select");
    if (select && select.selectedOptions[0]) { parts.push(select.selectedOptions[0].textContent.trim()); }
    var note = form.querySelector("textarea");
    if (note && note.value.trim()) { parts.push("„" + note.value.trim().slice(0, 60) + "“"); }
    return parts.filter(Boolean).join(": ");
  }

  function requestSync() {
    if (!navigator.serviceWorker) { return; }
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) { return registration.sync.register("staff-replay"); }
    }).catch(function () { /* no Background Sync: the online event and the next page do it */ });
  }

  function queueForm(event) {
    var form = event.target;
    var path = pathOf(form);
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post" || !ACTION.test(path)) { return; }
    if (navigator.onLine !== false) { return; } // sent as usual; the worker queues it if it fails
    event.preventDefault();
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) { data.append(event.submitter.name, event.submitter.value); }
    keep(form, data).catch(function () {
      news.textContent = "Ohne Netz konnte die Änderung nicht gespeichert werden. Bitte später erneut senden.";
    });
  }

  // The form's data waits on this device; also for crew.js, whose send failed although the
  // phone believed it was online (a basement, one bar of signal).
  function keep(form, data) {
    return Q.put(Q.fromForm(data, pathOf(form), user, labelOf(form))).then(function () {
      form.reset();
      freshKeys();
      news.textContent = "Auf diesem Gerät gespeichert – wird gesendet, sobald wieder Netz da ist.";
      requestSync();
      return render();
    });
  }
  window.staffKeepOffline = keep;

  function forget() {
    var dropCaches = window.caches
      ? caches.keys().then(function (keys) { return Promise.all(keys.map(function (k) { return caches.delete(k); })); })
      : Promise.resolve();
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "logout" });
    }
    return Promise.all([dropCaches, Q.forgetAll()]).catch(function () {});
  }

  function logout(event) {
    var form = event.target;
    if (pathOf(form) !== "/abmelden" || form.dataset.cleared) { return; }
    event.preventDefault();
    if (navigator.onLine === false) {
      news.textContent = "Abmelden geht erst wieder mit Netz.";
      return;
    }
    Q.list(user).then(function (items) {
      var open = items.length;
      if (open && !window.confirm(open === 1
        ? "1 Änderung ist noch nicht gesendet und geht beim Abmelden verloren. Trotzdem abmelden?"
        : open + " Änderungen sind noch nicht gesendet und gehen beim Abmelden verloren. Trotzdem abmelden?")) {
        return;
      }
      return forget().then(function () {
        form.dataset.cleared = "1";
        form.submit();
      });
    }, function () { form.dataset.cleared = "1"; form.submit(); });
  }

  // The queue page names the open jobs: the worker fetches and keeps them (and their
  // thumbnails) for reading offline.
  function warm() {
    if (copy || navigator.onLine === false || location.pathname !== "/staff/warteschlange") { return; }
    var urls = [];
    Array.prototype.forEach.call(document.querySelectorAll("main a[href]"), function (a) {
      var path = new URL(a.href, location.href).pathname;
      if (REPORT.test(path) && urls.indexOf(path) < 0 && urls.length < WARM_LIMIT) { urls.push(path); }
    });
    navigator.serviceWorker.ready.then(function (registration) {
      registration.active.postMessage({ type: "warm", urls: urls });
    });
  }

  function register() {
    if (!navigator.serviceWorker || !script) { return; }
    navigator.serviceWorker.register(script.dataset.worker, { scope: script.dataset.scope })
      .then(warm)
      .catch(function () { /* without a worker the pages work as before, only not offline */ });
    navigator.serviceWorker.addEventListener("message", function (event) {
      var data = event.data || {};
      if (data.type === "warmed") {
        document.documentElement.dataset.offlineReady = String(data.count);
      }
    });
  }

  function listen() {
    if (typeof BroadcastChannel === "function") {
      var channel = new BroadcastChannel(Q.channel);
      channel.onmessage = function (event) {
        var data = event.data || {};
        if (data.type === "replayed") { tell(data.sent, data.problems); }
        render();
      };
    }
    window.addEventListener("online", function () { showState(); replay(); });
    window.addEventListener("offline", showState);
    window.addEventListener("pageshow", freshKeys);
    document.addEventListener("submit", logout);
    document.addEventListener("submit", queueForm);
  }

  buildBar();
  showState();
  freshKeys();
  listen();
  register();
  var remembered = copy ? Promise.resolve() : Promise.all([
    Q.setMeta("user", user),
    Q.setMeta("csrf", { user: user, token: meta("csrf-token") }),
    Q.setMeta("seen", stand.getTime())
  ]).catch(function () {});
  remembered.then(render).then(replay);
})();
