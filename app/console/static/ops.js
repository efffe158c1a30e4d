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

  function pct(x) { return x === undefined || x === null ? "–" : (x * 100).toFixed(1) + "%"; }

  function showLatest(report) {
    var box = document.getElementById("nlu-latest");
    box.textContent = "";
    if (!report || report.skipped || !report.intent) return;
    var weakest = Object.keys(report.intent.per_intent)
      .map(function (name) { return [name, report.intent.per_intent[name]]; })
      .filter(function (pair) { return pair[1].support > 0; })
      .sort(function (a, b) { return a[1].f1 - b[1].f1; })
      .slice(0, 5);
    box.appendChild(el("h3", "Weakest intents (" + report.day + ")"));
    var list = el("ul");
    weakest.forEach(function (pair) {
      var item = el("li", pair[0] + ": F1 " + pct(pair[1].f1) + ", " + pair[1].support + " examples");
      if (pair[1].f1 < 0.8) item.className = "weak";
      list.appendChild(item);
    });
    box.appendChild(list);
    if (report.errors && report.errors.length) {
      box.appendChild(el("h3", "Some mistakes"));
      var mistakes = el("ul");
      report.errors.slice(0, 8).forEach(function (e) {
        mistakes.appendChild(el("li", "“" + e.text + "”: expected " + e.intent + ", got " + e.predicted));
      });
      box.appendChild(mistakes);
    }
  }

  function loadEvaluations() {
    fetch("/api/v1/admin/nlu-evaluations", { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("NLU reports: HTTP " + r.status); return r.json(); })
      .then(function (data) {
        var body = document.getElementById("nlu-runs");
        body.textContent = "";
        data.evaluations.forEach(function (run) {
          var report = run.report || {};
          var row = el("tr");
          var cells = report.skipped || run.status !== "done"
            ? [report.day || run.started_at.slice(0, 10), (report.model || "").slice(0, 8),
               report.skipped || run.status, "", "", "", ""]
            : [report.day, report.model.slice(0, 8), String(report.n), pct(report.intent.accuracy),
               pct(report.intent.macro_f1), pct(report.entities.micro_f1), String(report.error_count)];
          cells.forEach(function (c) { row.appendChild(el("td", c)); });
          body.appendChild(row);
        });
        var latest = data.evaluations.filter(function (r) { return r.status === "done"; })[0];
        showLatest(latest && latest.report);
      })
      .catch(function (e) { document.getElementById("nlu-status").textContent = e.message; });
  }

  document.getElementById("nlu-run").addEventListener("click", function () {
    fetch("/api/v1/auth/me", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (me) {
        return fetch("/api/v1/admin/nlu-evaluations", {
          method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": me.csrf_token },
        });
      })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        document.getElementById("nlu-status").textContent = "Queued; the table refreshes in a moment.";
        setTimeout(loadEvaluations, 5000);
      })
      .catch(function (e) { document.getElementById("nlu-status").textContent = e.message; });
  });
  loadEvaluations();

  var CHANGES = {
    created: "created", deactivated: "deactivated", activated: "activated",
    role_changed: "role changed", password_reset: "password reset",
  };

  function describe(event) {
    var d = event.detail || {};
    var text = CHANGES[event.action] || event.action;
    if (d.from && d.to) text += ": " + d.from + " → " + d.to;
    else if (d.role) text += " as " + d.role;
    if (d.sessions_ended) text += " (" + d.sessions_ended + " session(s) ended)";
    return text;
  }

  // One audit table: rows from ``url``'s events, a status line when there are none.
  function auditTable(url, bodyId, statusId, label, cells, empty) {
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(label + ": HTTP " + r.status); return r.json(); })
      .then(function (data) {
        var body = document.getElementById(bodyId);
        data.events.forEach(function (event) {
          var row = el("tr");
          [event.at.slice(0, 19).replace("T", " "), event.actor].concat(cells(event))
            .forEach(function (c) { row.appendChild(el("td", c)); });
          body.appendChild(row);
        });
        if (!data.events.length) document.getElementById(statusId).textContent = empty;
      })
      .catch(function (e) { document.getElementById(statusId).textContent = e.message; });
  }

  function changed(changes) {
    var names = Object.keys(changes);
    if (!names.length) return "first start recorded";
    return names.map(function (name) {
      var c = changes[name];
      return name + ": " + (c.from === null ? "–" : c.from) + " → " + (c.to === null ? "–" : c.to);
    }).join("; ");
  }

  auditTable("/api/v1/admin/account-events?limit=50", "account-events", "account-status",
    "Account changes", function (event) { return [event.username, describe(event)]; },
    "No changes yet.");
  auditTable("/api/v1/admin/settings-events?limit=20", "settings-events", "settings-status",
    "Settings changes", function (event) { return [changed(event.changes)]; },
    "No starts recorded yet.");
})();
