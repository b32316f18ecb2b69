/* The monthly trend as a chart (Chart.js, vendored); the table next to it has the same numbers. */
(function () {
  "use strict";
  var source = document.getElementById("trend-data");
  var canvas = document.getElementById("trend-chart");
  if (!source || !canvas || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var colours = { received: "#0b4f9c", resolved: "#1e6b2e", resolved_late: "#a4161a" };
  // Numbers are shown the Vietnamese way in every language (1.608), like the rest of the page.
  var numbers = new Intl.NumberFormat("vi-VN");
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.datasets.map(function (set) {
        var late = set.key === "resolved_late";
        return {
          label: set.label,
          data: set.data,
          type: late ? "line" : "bar",
          order: late ? 0 : 1,
          backgroundColor: colours[set.key],
          borderColor: colours[set.key],
        };
      }),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        y: {
          beginAtZero: true,
          ticks: {
            precision: 0,
            callback: function (value) {
              return numbers.format(value);
            },
          },
        },
      },
      plugins: {
        tooltip: {
          callbacks: {
            label: function (context) {
              return context.dataset.label + ": " + numbers.format(context.parsed.y);
            },
          },
        },
      },
    },
  });
  canvas.setAttribute("data-rendered", "true");
})();
