/* Operations page: daily figures from /api/v1/admin/stats as small SVG bar charts. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var CHARTS = [
    ["conversations", "Conversations a day", ""],
    ["handoff_rate", "Handoff rate", "%"],
    ["bot_resolution_rate", "Resolved by the bot", "%"],
    ["csat_avg", "CSAT (1–5)", ""],
    ["first_response_median_s", "First response, median (s)", ""],
    ["contradictions_caught", "Contradictions caught", ""],
  ];

  function el(tag, text) { var n = document.createElement(tag); if (text !== undefined) n.textContent = text; return n; }
  function fmt(value, unit) {
    if (value === null || value === undefined) return "–";
    return unit === "%" ? Math.round(value * 100) + "%" : String(value);
  }

  function chart(days, key, title, unit) {
    var box = el("div"); box.className = "chart";
    box.appendChild(el("h3", title));
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + (days.length * 20) + " 110");
    svg.setAttribute("preserveAspectRatio", "none");
    var values = days.map(function (d) { return d[key] === null ? 0 : Number(d[key]); });
    var max = Math.max.apply(null, values.concat([unit === "%" ? 1 : 0.0001]));
    days.forEach(function (day, i) {
      var h = values[i] / max * 100;
      var bar = document.createElementNS(SVG, "rect");
      bar.setAttribute("x", i * 20 + 3); bar.setAttribute("width", 14);
      bar.setAttribute("y", 105 - h); bar.setAttribute("height", Math.max(h, 0.5));
      bar.setAttribute("fill", "#2456d6");
      var tip = document.createElementNS(SVG, "title");
      tip.textContent = day.day + ": " + fmt(day[key], unit);
      bar.appendChild(tip);
      svg.appendChild(bar);
    });
    box.appendChild(svg);
    box.appendChild(el("small", days[0].day + " … " + days[days.length - 1].day));
    return box;
  }

  fetch("/api/v1/admin/stats?days=14", { credentials: "same-origin" })
    .then(function (r) {
      if (r.status === 401) { window.location = "/console"; throw new Error("sign in first"); }
      if (r.status === 403) throw new Error("Operations are for admins.");
      return r.json();
    })
    .then(function (data) {
      var tiles = document.getElementById("tiles");
      CHARTS.forEach(function (c) {
        var tile = el("div"); tile.className = "tile";
        tile.appendChild(el("b", fmt(data.total[c[0]], c[2])));
        tile.appendChild(el("span", c[1] + " (14 days)"));
        tiles.appendChild(tile);
      });
      var charts = document.getElementById("charts");
      CHARTS.forEach(function (c) { charts.appendChild(chart(data.days, c[0], c[1], c[2])); });
    })
    .catch(function (e) { document.getElementById("error").textContent = e.message; });
})();
