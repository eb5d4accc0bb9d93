// Under the category: the chosen category's help line and its notice (an emergency number, or
// who is responsible instead, with a link), read from the option's data attributes.
(function () {
  "use strict";
  var select = document.getElementById("category");
  var guide = document.getElementById("category-guide");
  if (!select || !guide) { return; }
  document.querySelectorAll(".no-js-only").forEach(function (el) { el.hidden = true; });

  function show() {
    var option = select.options[select.selectedIndex];
    guide.textContent = "";
    if (!option || !option.value) { return; }
    if (option.dataset.help) {
      var help = document.createElement("p");
      help.className = "hint";
      help.textContent = option.dataset.help;
      guide.appendChild(help);
    }
    if (option.dataset.notice) {
      var notice = document.createElement("p");
      notice.className = "notice notice-" + (option.dataset.noticeKind || "info");
      notice.textContent = option.dataset.notice + " ";
      if (option.dataset.noticeUrl) {
        var link = document.createElement("a");
        link.href = option.dataset.noticeUrl;
        link.rel = "noopener";
        link.textContent = guide.dataset.more;
        notice.appendChild(link);
      }
      guide.appendChild(notice);
    }
  }
  select.addEventListener("change", show);
  show();
})();
