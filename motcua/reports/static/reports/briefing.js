/* Copy the briefing's text: the clipboard API where the page is served securely, else the
   selection (the text stays selected for Ctrl+C either way). */
(function () {
  "use strict";
  var button = document.querySelector("[data-copy]");
  if (!button) {
    return;
  }
  var box = document.getElementById(button.getAttribute("data-copy"));
  var done = document.querySelector("[data-copied]");
  button.addEventListener("click", function () {
    box.focus();
    box.select();
    var shown = function () {
      if (done) {
        done.hidden = false;
      }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(box.value).then(shown, function () {});
    } else if (document.execCommand && document.execCommand("copy")) {
      shown();
    }
  });
})();
