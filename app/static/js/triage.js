// The triage form's Textbausteine: choosing one appends its text (filled in for the report) to
// the note; templates meant for another status than the chosen one are hidden.
(function () {
  "use strict";
  var picker = document.getElementById("triage-template");
  var status = document.getElementById("triage-status");
  if (!picker) { return; }
  var note = document.getElementById(picker.dataset.target);
  document.documentElement.classList.remove("no-js");  // the staff page loads no map script
  document.querySelectorAll(".triage .no-js-only").forEach(function (el) { el.hidden = true; });

  function fitting() {
    Array.prototype.forEach.call(picker.options, function (option) {
      var only = option.dataset.status;
      // disabled as well: iOS Safari ignores hidden options.
      option.hidden = option.disabled = Boolean(only) && status !== null && only !== status.value;
    });
  }
  // A button, not the select's change: arrowing through a closed select fires change on
  // every step in some browsers (WCAG 3.2.2).
  document.getElementById("triage-insert").addEventListener("click", function () {
    var option = picker.options[picker.selectedIndex];
    if (!option || !option.dataset.text) { return; }
    note.value = note.value.trim() ? note.value.trim() + "\n" + option.dataset.text : option.dataset.text;
    picker.selectedIndex = 0;
    note.focus();
  });
  if (status) { status.addEventListener("change", fitting); }
  fitting();
})();
