// The portal's submission form (portal/submit.html): a second click while the first
// submission is on its way sends nothing more.
(function () {
  var form = document.getElementById("submission");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    if (this.dataset.sent) { event.preventDefault(); return; }
    this.dataset.sent = "1";
  });
})();
