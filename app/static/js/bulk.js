// The bulk form under the staff lists: "Alle auswählen" above the list and the number of ticked
// rows in the form. Without JavaScript the checkboxes and the form work alone.
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  var list = document.getElementById("report-list");
  if (!form || !list) { return; }
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input.bulk-pick"));
  var count = document.getElementById("bulk-count");
  var all = document.createElement("div");
  all.className = "field checkbox bulk-all";
  all.innerHTML = '<input type="checkbox" id="bulk-all"><label for="bulk-all"></label>';
  all.querySelector("label").textContent = "Alle " + boxes.length + " Meldungen auswählen";
  list.parentNode.insertBefore(all, list);
  var master = all.querySelector("input");

  function update() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    count.textContent = ticked === 1 ? "1 Meldung ausgewählt" : ticked + " Meldungen ausgewählt";
    master.checked = ticked === boxes.length;
    master.indeterminate = ticked > 0 && ticked < boxes.length;
  }
  master.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = master.checked; });
    update();
  });
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
