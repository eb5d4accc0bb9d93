// Faces and number plates on the staff page: a region's checkbox and its rectangle on the photo
// go together (click either), and more regions can be drawn — with mouse or finger by dragging
// on the photo, or with the keyboard: "Bereich hinzufügen", then arrow keys move it and
// Shift + arrow keys change its size, Delete removes it. Drawn regions are posted as "neu"
// values "x,y,w,h" in pixels of the photo; without JavaScript the percent fields do the same.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function setUp(form) {
    var figure = form.previousElementSibling;
    if (!figure || !figure.classList.contains("redact-figure")) { return; }
    var svg = figure.querySelector("svg");
    var width = Number(figure.dataset.width), height = Number(figure.dataset.height);
    var list = form.querySelector(".redact-list");
    var status = form.querySelector(".redact-status");
    var drawn = [];
    var selected = null;

    form.querySelector(".redact-tools").hidden = false;
    svg.removeAttribute("aria-hidden");
    svg.setAttribute("tabindex", "0");
    svg.setAttribute("role", "application");
    svg.setAttribute("aria-label", form.querySelector("legend").textContent +
      ": Bereiche auf dem Foto. Pfeiltasten verschieben den gewählten Bereich.");

    // Found regions: checkbox and rectangle stay in step.
    form.querySelectorAll("input[name=an]").forEach(function (box) {
      var rect = svg.querySelector('rect[data-index="' + box.dataset.index + '"]');
      if (!rect) { return; }
      box.addEventListener("change", function () { rect.classList.toggle("off", !box.checked); });
      rect.addEventListener("click", function () {
        box.checked = !box.checked;
        rect.classList.toggle("off", !box.checked);
      });
    });

    function toPhoto(event) {
      var bounds = svg.getBoundingClientRect();
      return {
        x: Math.max(0, Math.min(width, (event.clientX - bounds.left) / bounds.width * width)),
        y: Math.max(0, Math.min(height, (event.clientY - bounds.top) / bounds.height * height))
      };
    }

    function add(x, y, w, h) {
      var region = { x: Math.round(x), y: Math.round(y), w: Math.round(w), h: Math.round(h) };
      region.rect = document.createElementNS(SVG, "rect");
      region.rect.setAttribute("class", "redact-box drawn");
      svg.appendChild(region.rect);
      region.input = document.createElement("input");
      region.input.type = "hidden";
      region.input.name = "neu";
      form.appendChild(region.input);
      region.item = document.createElement("li");
      var pick = document.createElement("button");
      var remove = document.createElement("button");
      pick.type = remove.type = "button";
      region.item.appendChild(pick);
      region.item.appendChild(remove);
      list.appendChild(region.item);
      // The keyboard's way to another drawn region: choose it here, then the arrow keys.
      pick.addEventListener("click", function () { choose(region); svg.focus(); });
      remove.addEventListener("click", function () { drop(region); });
      region.rect.addEventListener("pointerdown", function (event) {
        event.stopPropagation();
        choose(region);
      });
      drawn.push(region);
      renumber();
      update(region);
      choose(region);
      return region;
    }

    function renumber() {
      var base = form.querySelectorAll("input[name=an]").length;
      drawn.forEach(function (region, i) {
        region.label = "Gezeichneter Bereich " + (base + i + 1);
        region.item.firstChild.textContent = region.label + " wählen";
        region.item.lastChild.textContent = region.label + " entfernen";
      });
    }

    function update(region) {
      ["x", "y", "w", "h"].forEach(function (k) { region[k] = Math.round(region[k]); });
      region.x = Math.max(0, Math.min(width - region.w, region.x));
      region.y = Math.max(0, Math.min(height - region.h, region.y));
      ["x", "y"].forEach(function (k) { region.rect.setAttribute(k, region[k]); });
      region.rect.setAttribute("width", region.w);
      region.rect.setAttribute("height", region.h);
      region.input.value = [region.x, region.y, region.w, region.h].join(",");
    }

    function where(region) {
      var pct = function (v, of) { return Math.round(v / of * 100) + " %"; };
      return "links " + pct(region.x, width) + ", oben " + pct(region.y, height) +
        ", Breite " + pct(region.w, width) + ", Höhe " + pct(region.h, height);
    }

    function choose(region) {
      if (selected) { selected.rect.classList.remove("chosen"); }
      selected = region;
      if (region) {
        region.rect.classList.add("chosen");
        status.textContent = region.label + " gewählt.";
      }
    }

    function drop(region) {
      region.rect.remove();
      region.input.remove();
      region.item.remove();
      drawn.splice(drawn.indexOf(region), 1);
      if (selected === region) { selected = null; }
      renumber();
      status.textContent = region.label + " entfernt.";
      svg.focus();
    }

    form.querySelector(".redact-add").addEventListener("click", function () {
      var w = Math.round(width / 5), h = Math.round(height / 5);
      add((width - w) / 2, (height - h) / 2, w, h);
      status.textContent = selected.label + " hinzugefügt, in der Mitte des Fotos.";
      svg.focus();
    });

    var start = null, growing = null;
    svg.addEventListener("pointerdown", function (event) {
      if (event.target.dataset && event.target.dataset.index !== undefined) { return; }
      start = toPhoto(event);
      growing = null;
      svg.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    svg.addEventListener("pointermove", function (event) {
      if (!start) { return; }
      var at = toPhoto(event);
      var w = Math.abs(at.x - start.x), h = Math.abs(at.y - start.y);
      if (!growing && (w < width / 100 || h < height / 100)) { return; }
      if (!growing) { growing = add(start.x, start.y, 1, 1); }
      growing.x = Math.min(at.x, start.x); growing.y = Math.min(at.y, start.y);
      growing.w = Math.max(4, Math.round(w)); growing.h = Math.max(4, Math.round(h));
      update(growing);
    });
    svg.addEventListener("pointerup", function () {
      if (growing) { status.textContent = growing.label + " gezeichnet."; }
      start = null;
      growing = null;
    });

    svg.addEventListener("keydown", function (event) {
      if (!selected) { return; }
      var step = Math.max(4, Math.round(width / 50));
      var moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      if (event.key === "Delete" || event.key === "Backspace") {
        drop(selected);
      } else if (moves[event.key]) {
        var d = moves[event.key];
        if (event.shiftKey) {
          selected.w = Math.max(8, Math.min(width - selected.x, selected.w + d[0] * step));
          selected.h = Math.max(8, Math.min(height - selected.y, selected.h + d[1] * step));
        } else {
          selected.x += d[0] * step;
          selected.y += d[1] * step;
        }
        update(selected);
        status.textContent = selected.label + ": " + where(selected);
      } else {
        return;
      }
      event.preventDefault();
    });
  }

  // The fields sit in the page's usual action form (its version and request key).
  document.querySelectorAll("fieldset.redact-fields").forEach(function (set) { setUp(set.form); });
})();
