// Draws each dashboard chart from its own table (the table view is the data), so what is
// drawn, what is listed and what is downloaded are the same numbers.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "es";
  var colours = ["#2e6b3a", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"];

  function parse(text) {
    // Cells are localised ("1.234,5" in Spanish): strip grouping, use a decimal point.
    var t = text.trim();
    if (t === "—" || t === "") return null;
    t = lang.indexOf("es") === 0 ? t.replace(/[.\s\u00a0]/g, "").replace(",", ".") : t.replace(/[,\s\u00a0]/g, "");
    var n = Number(t);
    return isNaN(n) ? null : n;
  }

  document.querySelectorAll("figure.chart").forEach(function (figure) {
    var canvas = figure.querySelector("canvas");
    if (!canvas || typeof Chart === "undefined") return;
    var drawing = JSON.parse(figure.querySelector('script[type="application/json"]').textContent);
    var heads = Array.prototype.map.call(figure.querySelectorAll("thead th"), function (th) { return th.textContent; });
    var rows = Array.prototype.map.call(figure.querySelectorAll("tbody tr"), function (tr) {
      return Array.prototype.map.call(tr.querySelectorAll("td"), function (td) { return td.textContent; });
    });
    var labels = rows.map(function (r) { return r.slice(0, drawing.labels).join(" "); });
    var datasets = drawing.series.map(function (col, i) {
      return {
        label: heads[col],
        data: rows.map(function (r) { return parse(r[col]); }),
        borderColor: colours[i % colours.length],
        backgroundColor: colours[i % colours.length],
        spanGaps: true
      };
    });
    new Chart(canvas, {
      type: drawing.kind,
      data: { labels: labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, locale: lang,
        scales: { x: { stacked: drawing.kind === "bar" && drawing.series.length > 2 },
                  y: { stacked: drawing.kind === "bar" && drawing.series.length > 2, beginAtZero: true } }
      }
    });
  });
})();
