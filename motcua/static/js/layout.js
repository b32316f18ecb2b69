// The layout's behaviour (base.html), a file rather than an inline script so the
// Content-Security-Policy needs no 'unsafe-inline'.
// The phone menu's button; and any table left without its scroll box gets one, so a wide
// table scrolls inside it instead of widening the page.
(function () {
  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  document.querySelectorAll("main table").forEach(function (table) {
    if (table.closest(".table-scroll, .table-wrap")) return;
    var box = document.createElement("div");
    box.className = "table-scroll";
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
  });
})();
