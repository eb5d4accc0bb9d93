// "Link kopieren": copies the text of the element named by data-copy and says so in a live region.
(function () {
  "use strict";
  document.querySelectorAll(".with-js").forEach(function (el) { el.hidden = false; });
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var status = button.parentElement.querySelector(".copy-status");
    button.addEventListener("click", function () {
      var text = document.querySelector(button.dataset.copy).textContent.trim();
      var done = function () { status.textContent = button.dataset.copied; };
      var failed = function () { status.textContent = button.dataset.failed; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, failed);
      } else {
        failed();
      }
    });
  });
})();
