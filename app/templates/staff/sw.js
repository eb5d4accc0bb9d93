// The staff area's service worker (scope {{ scope }}), served by app/staff/offline.py.
// - Reading: the queue and report pages (with their photos) network first; the last copy
//   from the network is kept per person and served when there is none, marked so that the
//   page says "Offline – Stand von …". Nothing outside {{ scope }} is ever stored: public
//   pages with personal data never enter a cache.
// - Static files with ?v= (content-hashed, never changing): cache first.
// - An action form sent while the network fails: queued (offline-queue.js) and answered with
//   the report's stored copy instead of the browser's error page.
// - Copies expire with the session ({{ idle_hours }} hours without a page from the server),
//   belong to the person the server named (X-Staff-User) and go when another person logs in
//   or this one logs out (Clear-Site-Data and a message from the page).
importScripts("{{ queue_script }}");

var Q = self.StaffOffline;
var STATIC = "mm-static-{{ static_cache }}";
var PAGES = "mm-staff-";
var STYLESHEET = "{{ stylesheet }}";
var IDLE_MS = {{ idle_hours }} * 3600 * 1000;
var ACTION = /^\/staff\/meldungen\/[^/]+\/[^/]+$/;
var READABLE = /^\/staff\/(warteschlange|meldungen\/[^/]+(\/fotos\/[^/]+)?)$/;
var QUEUE = "/staff/warteschlange";
// Thumbnails shown on a report page (src=…); the full photos behind them stay on the server.
var PHOTO = /src="(\/staff\/meldungen\/[^"]+\/fotos\/[^"]+)"/g;
var LIMIT = 300; // entries per person: a phone's storage is not ours to fill
var FRESH_MS = 10 * 60 * 1000; // a job fetched this recently is not fetched again to warm

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("mm-static-") === 0 && k !== STATIC; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && request.mode === "navigate" && ACTION.test(url.pathname)) {
    event.respondWith(sendOrQueue(request, url));
  } else if (request.method !== "GET") {
    return;
  } else if (url.pathname.indexOf("/static/") === 0 && url.searchParams.has("v")) {
    event.respondWith(cacheFirst(request));
  } else if (READABLE.test(url.pathname)) {
    event.respondWith(networkFirst(request, url));
  } else if (request.mode === "navigate" && url.pathname.indexOf("{{ scope }}") === 0) {
    event.respondWith(fetch(request).then(claimFor, function () { return fallback(url); }));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "warm" && Array.isArray(data.urls)) {
    event.waitUntil(warm(data.urls).then(function (count) {
      if (event.source) { event.source.postMessage({ type: "warmed", count: count }); }
    }));
  } else if (data.type === "logout") {
    event.waitUntil(dropPages(null));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === "staff-replay") { event.waitUntil(replay()); }
});

function cacheFirst(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      });
    });
  });
}

// Whose copies may be shown: the person last named by the server, while their session could
// still be alive; after that the copies go.
function owner() {
  return Promise.all([Q.getMeta("user"), Q.getMeta("seen")]).then(function (values) {
    var user = values[0], seen = values[1];
    if (!user) { return null; }
    if (!seen || Date.now() - seen > IDLE_MS) { return dropPages(null).then(function () { return null; }); }
    return String(user);
  }).catch(function () { return null; });
}

function dropPages(keep) {
  return caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf(PAGES) === 0 && k !== PAGES + keep; })
      .map(function (k) { return caches.delete(k); }));
  });
}

// A staff page from the network names its person (X-Staff-User). When that is someone else
// than before, the copies of the one before go — before this page is shown.
function claimFor(response) {
  var user = response.headers.get("X-Staff-User");
  if (!user) { return Promise.resolve(response); }
  return Q.getMeta("user").then(function (known) {
    return Promise.all([
      known !== null && String(known) !== user ? dropPages(user) : null,
      Q.setMeta("user", user),
      Q.setMeta("seen", Date.now())
    ]);
  }).catch(function () {}).then(function () { return response; });
}

// A page from the network, kept for its person. A job that is gone or moved to another
// department (404, 403) loses its copy too.
function keep(request, response) {
  var user = response.headers.get("X-Staff-User");
  if (user && (response.status === 403 || response.status === 404)) {
    return caches.open(PAGES + user).then(function (cache) { return cache.delete(request.url); });
  }
  if (!user || !response.ok || response.type !== "basic" || response.redirected) { return Promise.resolve(); }
  return claimFor(response).then(function () { return response.blob(); }).then(function (blob) {
    var headers = new Headers(response.headers);
    headers.set("X-Stored-At", String(Date.now()));
    var stored = new Response(blob, { status: response.status, statusText: response.statusText, headers: headers });
    return caches.open(PAGES + user).then(function (cache) {
      return cache.put(request.url, stored).then(function () { return trim(cache); });
    });
  }).catch(function () { /* storage full or refused: the page itself still arrives */ });
}

function trim(cache) {
  return cache.keys().then(function (keys) {
    return Promise.all(keys.slice(0, Math.max(0, keys.length - LIMIT)).map(function (k) { return cache.delete(k); }));
  });
}

function stored(url) {
  return owner().then(function (user) {
    if (!user) { return null; }
    return caches.open(PAGES + user).then(function (cache) {
      return cache.match(url.href).then(function (hit) {
        // Another sorting or filter of the queue than the one stored: the stored one.
        return hit || (url.pathname === QUEUE ? cache.match(self.location.origin + QUEUE, { ignoreSearch: true }) : null);
      });
    });
  });
}

// A stored page, marked as a copy: the page's script then shows "Offline – Stand von …".
function marked(response) {
  return response.text().then(function (html) {
    var headers = new Headers(response.headers);
    headers.delete("Content-Length");
    return new Response(html.replace('<meta name="offline-copy" content="">', '<meta name="offline-copy" content="1">'), {
      status: 200, headers: headers
    });
  });
}

function networkFirst(request, url) {
  var copy = request.clone();
  return fetch(request).then(claimFor).then(function (response) {
    keep(copy, response.clone());
    return response;
  }, function () {
    return stored(url).then(function (hit) {
      if (hit) { return request.mode === "navigate" ? marked(hit) : hit; }
      return request.mode === "navigate" ? fallback(url) : Response.error();
    });
  });
}

function fallback(url) {
  var home = url.pathname === "{{ scope }}";
  return (home ? stored(new URL(QUEUE, self.location.origin)) : Promise.resolve(null)).then(function (hit) {
    if (hit) { return marked(hit); }
    var html = '<!doctype html><html lang="de"><head><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width, initial-scale=1">' +
      '<title>Keine Verbindung – Mängelmelder</title><link rel="stylesheet" href="' + STYLESHEET + '"></head>' +
      '<body><main id="inhalt"><h1>Keine Verbindung</h1>' +
      '<p>Diese Seite ist auf diesem Gerät nicht gespeichert. Ohne Netz lesbar sind die Warteschlange ' +
      'und die offenen Meldungen, die zuletzt mit Netz geladen wurden.</p>' +
      '<p><a class="button" href="' + QUEUE + '">Zur Warteschlange</a></p></main></body></html>';
    return new Response(html, { status: 503, headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": "default-src 'self'; base-uri 'none'; form-action 'self'",
      "Cache-Control": "no-store"
    } });
  });
}

// An action form sent while the network fails: it waits on this device (photo included), and
// the crew sees the report's stored copy with the waiting change counted.
function sendOrQueue(request, url) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    // The person last seen on this device, even after the idle time ended their stored pages:
    // what they typed is kept and waits until they are logged in again.
    return Promise.all([Q.getMeta("user"), copy.formData()]).then(function (values) {
      var user = values[0] ? String(values[0]) : null;
      if (!user) { return fallback(url); }
      var item = Q.fromForm(values[1], url.pathname, user, "");
      item.announce = true;
      return Q.put(item).then(function () {
        if (self.registration.sync) { self.registration.sync.register("staff-replay").catch(function () {}); }
        return Response.redirect(url.pathname.replace(/\/[^/]+$/, ""), 303);
      });
    });
  });
}

// Opens the queue's jobs while there is network, so that they can be read without.
function warm(paths) {
  return owner().then(function (user) {
    if (!user) { return 0; }
    return caches.open(PAGES + user).then(function (cache) {
      var count = 0;
      var photos = [];
      var step = function (index) {
        if (index >= paths.length) { return Promise.resolve(); }
        var url = new URL(paths[index], self.location.origin);
        if (!READABLE.test(url.pathname)) { return step(index + 1); }
        return cache.match(url.href).then(function (hit) {
          var at = hit ? Number(hit.headers.get("X-Stored-At")) : 0;
          if (at && Date.now() - at < FRESH_MS) { count += 1; return null; }
          // Marked as a background copy: the server leaves the person's messages ("Gespeichert")
          // for the page they are looking at.
          return fetch(url.href, { credentials: "same-origin", headers: { "X-Staff-Copy": "1" } }).then(function (response) {
            if (!response.ok) { return null; }
            count += 1;
            var forPhotos = response.clone();
            return keep(new Request(url.href), response).then(function () { return forPhotos.text(); })
              .then(function (html) {
                var found;
                PHOTO.lastIndex = 0;
                while ((found = PHOTO.exec(html)) !== null) {
                  if (photos.indexOf(found[1]) < 0) { photos.push(found[1]); }
                }
              });
          });
        }).catch(function () { return null; }).then(function () { return step(index + 1); });
      };
      return step(0).then(function () { return warmPhotos(cache, photos); }).then(function () { return count; });
    });
  });
}

function warmPhotos(cache, photos) {
  var step = function (index) {
    if (index >= photos.length) { return Promise.resolve(); }
    var url = new URL(photos[index], self.location.origin);
    return cache.match(url.href).then(function (hit) {
      if (hit) { return null; }
      return fetch(url.href, { credentials: "same-origin" }).then(function (response) { return keep(new Request(url.href), response); });
    }).catch(function () { return null; }).then(function () { return step(index + 1); });
  };
  return step(0);
}

// Background Sync: the network is back and no page may be open.
function replay() {
  return Promise.all([Q.getMeta("user"), Q.getMeta("csrf")]).then(function (values) {
    var user = values[0], csrf = values[1];
    if (!user) { return null; }
    var token = csrf && String(csrf.user) === String(user) ? csrf.token : "";
    return Q.replay(user, token).then(function (result) {
      // No network after all: the browser tries again later.
      if (result.stopped === "offline") { throw new Error("offline"); }
      return result;
    });
  });
}
