// The staff area's offline queue, shared by the pages (offline.js) and the service worker
// (/sw-staff.js): staff actions made without signal wait in IndexedDB (a photo as a Blob)
// and are sent again later, oldest first, each with the request_key it was made with, so the
// server answers a change that already took effect as done instead of doing it twice
// (app/staff/replay.py). A change someone else overtook (409, "inzwischen geändert") or the
// server refused stays here, with the server's message, until the crew sends it again or
// drops it: nothing typed is thrown away silently.
(function (scope) {
  "use strict";
  var NAME = "maengelmelder-offline";
  var CHANNEL = "maengelmelder-offline";
  var LOCK = "maengelmelder-replay";
  var opened = null;

  function promised(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function open() {
    if (opened) { return opened; }
    var request = scope.indexedDB.open(NAME, 1);
    request.onupgradeneeded = function () {
      request.result.createObjectStore("changes", { keyPath: "key" });
      request.result.createObjectStore("meta", { keyPath: "name" });
    };
    opened = promised(request).then(function (db) {
      // A logout elsewhere deletes the database: let go of it at once, open anew next time.
      db.onversionchange = function () { db.close(); opened = null; };
      db.onclose = function () { opened = null; };
      return db;
    }, function (error) { opened = null; throw error; });
    return opened;
  }

  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(store, mode);
        var result;
        Promise.resolve(work(transaction.objectStore(store))).then(function (value) { result = value; });
        transaction.oncomplete = function () { resolve(result); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }

  function announce(message) {
    if (typeof scope.BroadcastChannel !== "function") { return; }
    var channel = new scope.BroadcastChannel(CHANNEL);
    channel.postMessage(message);
    channel.close();
  }

  function put(item) {
    return run("changes", "readwrite", function (store) { store.put(item); })
      .then(function () { announce({ type: "changed" }); return item; });
  }

  function remove(key) {
    return run("changes", "readwrite", function (store) { store.delete(key); })
      .then(function () { announce({ type: "changed" }); });
  }

  // One person's changes, oldest first (another person's stay hidden and unsent).
  function list(user) {
    return run("changes", "readonly", function (store) { return promised(store.getAll()); })
      .then(function (items) {
        return items.filter(function (i) { return i.user === String(user); })
          .sort(function (a, b) { return a.created - b.created; });
      });
  }

  function getMeta(name) {
    return run("meta", "readonly", function (store) { return promised(store.get(name)); })
      .then(function (row) { return row ? row.value : null; });
  }

  function setMeta(name, value) {
    return run("meta", "readwrite", function (store) { store.put({ name: name, value: value }); });
  }

  function randomKey() {
    if (scope.crypto && scope.crypto.randomUUID) { return scope.crypto.randomUUID(); }
    var b = scope.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  var ACTION = /^\/staff\/meldungen\/([^/]+)\/([^/]+)$/;

  // A form's data as a queued change. Files stay Blobs (IndexedDB keeps them); an empty file
  // field is left out. A form without a request_key gets one, so that its replays are safe too.
  function fromForm(data, path, user, label) {
    var match = ACTION.exec(path);
    var fields = [], key = "", version = "";
    data.forEach(function (value, name) {
      if (typeof value !== "string" && (!value.size && !value.name)) { return; }
      if (name === "request_key") { key = value; return; }
      if (name === "version") { version = value; return; }
      fields.push([name, value]);
    });
    return {
      key: key || randomKey(),
      user: String(user),
      url: path,
      caseNumber: match ? decodeURIComponent(match[1]) : "",
      action: match ? decodeURIComponent(match[2]) : "",
      version: version,
      fields: fields,
      label: label || "",
      state: "waiting",
      message: "",
      created: Date.now()
    };
  }

  function body(item, csrf) {
    var data = new FormData();
    item.fields.forEach(function (pair) {
      var name = pair[0], value = pair[1];
      if (name === "csrf_token" && csrf) { value = csrf; }
      if (typeof value === "string") { data.append(name, value); }
      else { data.append(name, value, value.name || "foto.jpg"); }
    });
    data.append("version", item.version);
    data.append("request_key", item.key);
    return data;
  }

  // One change to the server: its outcome, or null when there is no network.
  function send(item, csrf) {
    return fetch(item.url, {
      method: "POST",
      body: body(item, csrf),
      credentials: "same-origin",
      headers: { "X-Offline-Replay": "1", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return { outcome: "retry", message: "" }; });
    }, function () { return null; });
  }

  // The server took `item`: later changes on the same report made on the same page now stand
  // on top of this one (the version it produced), not on the page the crew saw.
  function rebase(item, answer, waiting) {
    if (answer.version === null || answer.version === undefined) { return Promise.resolve(); }
    var next = waiting.filter(function (other) {
      return other.key !== item.key && other.caseNumber === item.caseNumber &&
        other.version === item.version;
    });
    return Promise.all(next.map(function (other) {
      other.version = String(answer.version);
      return put(other);
    }));
  }

  // Sends the person's waiting changes, oldest first; stops at the first one that finds no
  // network, no login or a server in trouble (the rest wait for the next try). Resolves with
  // {sent: [items], stopped: null | "offline" | "login" | "retry"}.
  function replayNow(user, csrf) {
    var report = { sent: [], problems: [], stopped: null };
    return list(user).then(function (items) {
      var waiting = items.filter(function (i) { return i.state === "waiting"; });
      var step = function (index) {
        if (index >= waiting.length) { return report; }
        var item = waiting[index];
        return send(item, csrf).then(function (answer) {
          if (answer === null) { report.stopped = "offline"; return report; }
          if (answer.outcome === "done") {
            report.sent.push(item);
            return remove(item.key).then(function () { return rebase(item, answer, waiting); })
              .then(function () { return step(index + 1); });
          }
          if (answer.outcome === "conflict" || answer.outcome === "refused") {
            item.state = answer.outcome;
            item.message = answer.message || "";
            report.problems.push(item);
            return put(item).then(function () { return step(index + 1); });
          }
          report.stopped = answer.outcome === "login" ? "login" : "retry";
          return report;
        });
      };
      return step(0);
    }).then(function (result) {
      if (result.sent.length || result.problems.length) {
        announce({ type: "replayed", sent: result.sent.length, problems: result.problems.length });
      }
      return result;
    });
  }

  // One replay at a time across tabs and the worker (the server would refuse a double anyway).
  function replay(user, csrf) {
    var locks = scope.navigator && scope.navigator.locks;
    if (!locks) { return replayNow(user, csrf); }
    return locks.request(LOCK, function () { return replayNow(user, csrf); });
  }

  function forgetAll() {
    var closing = opened ? opened.then(function (db) { db.close(); }, function () {}) : Promise.resolve();
    opened = null;
    return closing.then(function () {
      return new Promise(function (resolve) {
        var request = scope.indexedDB.deleteDatabase(NAME);
        request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
      });
    });
  }

  scope.StaffOffline = {
    channel: CHANNEL,
    fromForm: fromForm,
    put: put,
    remove: remove,
    list: list,
    getMeta: getMeta,
    setMeta: setMeta,
    replay: replay,
    randomKey: randomKey,
    forgetAll: forgetAll
  };
})(self);
