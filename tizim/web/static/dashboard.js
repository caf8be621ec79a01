// The dashboard's activity chart (Chart.js, shipped in static/vendor): data from the page's
// JSON block, so no inline script is needed and the CSP stays strict.
(function () {
  "use strict";
  var holder = document.getElementById("chart-data");
  var canvas = document.getElementById("activity-chart");
  if (!holder || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  if (!data.series) { return; }
  var colours = { alerts: "#8a5a00", freezes: "#a1261b", releases: "#1d6b35", payments: "#0b5cad", screened: "#5b3f99" };
  var sets = ["alerts", "freezes", "releases"].map(function (key) {
    return { label: data.names[key], data: data.series[key], backgroundColor: colours[key], borderColor: colours[key] };
  });
  sets.push({ type: "line", label: data.names.payments, data: data.series.payments, yAxisID: "y2",
              borderColor: colours.payments, backgroundColor: colours.payments, pointRadius: 2 });
  if (data.screened) {
    sets.push({ type: "line", label: data.names.screened, data: data.screened, yAxisID: "y2", borderDash: [4, 3],
                borderColor: colours.screened, backgroundColor: colours.screened, pointRadius: 2 });
  }
  new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: sets },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } },
                y2: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { precision: 0 } } }
    }
  });
})();
