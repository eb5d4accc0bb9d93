// Under the category tiles: the chosen category's notice (an emergency number, or who is
// responsible instead, with a link), read from the radio's data attributes, and only that
// category's extra questions (the others are hidden and not sent).
(function () {
  "use strict";
  var guide = document.getElementById("category-guide");
  var radios = document.querySelectorAll("input[name='category']");
  if (!guide || !radios.length) { return; }
  document.querySelectorAll(".no-js-only").forEach(function (el) { el.hidden = true; });
  var questions = document.querySelectorAll("fieldset.questions");

  function chosen() {
    for (var i = 0; i < radios.length; i++) { if (radios[i].checked) { return radios[i]; } }
    return null;
  }

  function showNotice(radio) {
    guide.textContent = "";
    if (!radio || !radio.dataset.notice) { return; }
    var notice = document.createElement("p");
    notice.className = "notice notice-" + (radio.dataset.noticeKind || "info");
    notice.textContent = radio.dataset.notice + " ";
    if (radio.dataset.noticeUrl) {
      var link = document.createElement("a");
      link.href = radio.dataset.noticeUrl;
      link.rel = "noopener";
      link.textContent = guide.dataset.more;
      notice.appendChild(link);
    }
    guide.appendChild(notice);
  }

  function showQuestions(radio) {
    questions.forEach(function (set) {
      var mine = radio !== null && set.dataset.category === radio.value;
      set.hidden = !mine;
      set.disabled = !mine;
    });
  }

  function show() {
    var radio = chosen();
    showNotice(radio);
    showQuestions(radio);
  }
  radios.forEach(function (radio) { radio.addEventListener("change", show); });
  show();
})();
