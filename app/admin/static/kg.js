/*
 * kefu knowledge-graph editor (admins). Talks to /api/v1/admin/kg with the CSRF header;
 * everything from the wire is rendered with textContent or drawn by cytoscape on a
 * canvas: names and values typed by anyone can never become markup here.
 */
(function () {
  "use strict";

  var API = "/api/v1/admin/kg";
  var NUMERIC = { money: 1, duration: 1, mass: 1, measure: 1, count: 1, number: 1, percent: 1 };
  var NO_UNIT = { text: 1, enumeration: 1, ordered: 1 };

  var state = {
    me: null,
    csrf: null,
    schema: null,        // {byPredicate: {}, types: [], languages: []}
    node: null,          // the node as loaded (its view from the API)
    rows: null,          // {types: [], labels: [], attributes: [], edges: []}
    seq: 0,              // creation order of rows added in the editor
    dirty: false,
    names: {},           // node id -> display name (search results seen)
    cy: null,
    revisionsBefore: null,
    preview: null,       // {text, format, mode, token}
  };

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function option(value, label, selected) {
    var node = el("option", "", label === undefined ? value : label);
    node.value = value;
    if (selected) node.selected = true;
    return node;
  }

  async function api(method, path, body, raw) {
    var headers = { "Accept": "application/json" };
    var payload;
    if (raw) {
      headers["Content-Type"] = raw.contentType;
      payload = raw.text;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
    var response = await fetch(path, {
      method: method, headers: headers, credentials: "same-origin", body: payload,
    });
    var data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) {
      var detail = data && data.detail;
      if (Array.isArray(detail)) {
        detail = detail.map(function (d) { return (d.loc || []).slice(1).join(".") + ": " + d.msg; }).join("; ");
      }
      var error = new Error(detail || response.statusText);
      error.status = response.status;
      error.data = data || {};
      throw error;
    }
    return data;
  }

  // ---- sign in ------------------------------------------------------------------------
  async function start() {
    try {
      signedIn(await api("GET", "/api/v1/auth/me"));
    } catch (e) {
      $("login").hidden = false;
    }
  }

  $("login-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var form = event.target;
    $("login-error").textContent = "";
    try {
      var me = await api("POST", "/api/v1/auth/login", {
        username: form.username.value, password: form.password.value,
      });
      form.password.value = "";
      signedIn(me);
    } catch (e) {
      $("login-error").textContent = e.status === 429
        ? "Too many attempts. Wait a few minutes and try again."
        : "Wrong username or password.";
    }
  });

  async function logout() {
    try { await api("POST", "/api/v1/auth/logout"); } catch (e) { /* signed out anyway */ }
    window.location.reload();
  }
  $("logout").addEventListener("click", logout);
  $("denied-logout").addEventListener("click", logout);

  async function signedIn(me) {
    state.me = me;
    state.csrf = me.csrf_token;
    $("login").hidden = true;
    if (me.role !== "admin") {
      $("denied-user").textContent = me.display_name + " (" + me.role + ")";
      $("denied").hidden = false;
      return;
    }
    $("app").hidden = false;
    $("me").textContent = me.display_name;
    await loadSchema();
    search($("search").value);
    route();
  }

  async function loadSchema() {
    var data = await api("GET", API + "/schema");
    var byPredicate = {};
    data.predicates.forEach(function (p) { byPredicate[p.predicate] = p; });
    state.schema = { byPredicate: byPredicate, types: data.types, languages: data.languages };
    $("head").textContent = "revision " + (data.revision || 0);
    fillDatalist($("type-options"), data.types.map(function (t) { return [t, t]; }));
    fillDatalist($("predicate-options"), data.predicates
      .filter(function (p) { return p.source !== "reserved" && p.kind !== "link"; })
      .map(function (p) { return [p.predicate, p.kind + " · " + (p.names.en || p.predicate)]; }));
    fillDatalist($("link-predicate-options"), data.predicates
      .filter(function (p) { return p.kind === "link" || p.kind === "any"; })
      .map(function (p) { return [p.predicate, "→ " + (p.target_types.join(", ") || "node")]; }));
  }

  function fillDatalist(list, pairs) {
    list.textContent = "";
    pairs.forEach(function (pair) { list.appendChild(option(pair[0], pair[1])); });
  }

  // ---- navigation ---------------------------------------------------------------------
  function showTab(tab) {
    $("view-node").hidden = tab !== "node";
    $("view-history").hidden = tab !== "history";
    $("view-import").hidden = tab !== "import";
    document.querySelectorAll(".tabs a").forEach(function (a) {
      a.classList.toggle("active", a.getAttribute("data-tab") === tab);
    });
  }

  function route() {
    var hash = window.location.hash || "#/";
    var parts = hash.slice(2).split("/");
    if (parts[0] === "history") {
      showTab("history");
      loadRevisions(true);
      if (parts[1]) showRevision(parseInt(parts[1], 10));
    } else if (parts[0] === "import") {
      showTab("import");
    } else {
      showTab("node");
      if (parts[0] === "node" && parts[1]) {
        var id = decodeURIComponent(parts.slice(1).join("/"));
        if (!state.node || state.node.id !== id) openNode(id);
      }
    }
  }
  window.addEventListener("hashchange", route);

  function go(hash) {
    if (window.location.hash === hash) route(); else window.location.hash = hash;
  }

  // ---- search ------------------------------------------------------------------------
  var searchTimer = null;
  $("search").addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () { search($("search").value); }, 200);
  });

  // Responses can arrive out of order (a slow first listing after sign-in, fast typing):
  // only the latest request may fill the list, so stale results never replace newer ones.
  var searchSeq = 0;
  async function search(query) {
    var seq = ++searchSeq;
    var data = await api("GET", API + "/nodes?limit=50&q=" + encodeURIComponent(query));
    if (seq !== searchSeq) return;
    var list = $("results");
    list.textContent = "";
    data.results.forEach(function (hit) {
      state.names[hit.id] = hit.name;
      var item = el("li");
      item.setAttribute("data-id", hit.id);
      if (state.node && state.node.id === hit.id) item.className = "selected";
      item.appendChild(el("div", "hit-name", hit.name));
      var meta = el("div", "hit-meta", (hit.types.join(", ") || "untyped") + " · " + hit.id);
      if (hit.matched && hit.matched !== hit.name && hit.matched !== hit.id) {
        meta.textContent += " · “" + hit.matched + "”";
      }
      item.appendChild(meta);
      item.addEventListener("click", function () { go("#/node/" + encodeURIComponent(hit.id)); });
      list.appendChild(item);
    });
    if (!data.results.length) list.appendChild(el("li", "muted", "Nothing found."));
  }

  // ---- the node editor ------------------------------------------------------------------
  async function openNode(id) {
    if (state.dirty && state.node && state.node.id !== id &&
        !window.confirm("Discard your unsaved changes to " + state.node.name + "?")) {
      window.location.hash = "#/node/" + encodeURIComponent(state.node.id);
      return;
    }
    try {
      showNode(await api("GET", API + "/nodes/" + encodeURIComponent(id)));
      setStatus("", "");
    } catch (e) {
      $("node-empty").hidden = false;
      $("node-empty").textContent = e.message;
      $("editor").hidden = true;
      $("node-aside").hidden = true;
    }
  }

  function showNode(view) {
    state.node = view;
    state.names[view.id] = view.name;
    state.dirty = false;
    state.rows = { types: [], labels: [], attributes: [], edges: [] };
    view.facts.forEach(function (fact) {
      var row = { index: fact.index, predicate: fact.predicate, object: fact.object, unit: fact.unit, edge: fact.edge };
      if (fact.section === "type") state.rows.types.push(row);
      else if (fact.section === "label") state.rows.labels.push(row);
      else if (fact.section === "edge") { row.targetName = fact.target_name; state.rows.edges.push(row); }
      else state.rows.attributes.push(row);
    });
    $("node-empty").hidden = true;
    $("editor").hidden = false;
    $("node-aside").hidden = false;
    $("reload").hidden = true;
    $("save-message").value = "";
    $("node-name").textContent = view.name;
    $("node-id").textContent = view.id;
    $("node-version").textContent = "version " + view.version;
    $("head").textContent = "revision " + (view.revision || 0);
    $("try-result").textContent = "";
    renderRows();
    renderIncoming(view.incoming);
    drawNeighbourhood(view.id);
    document.querySelectorAll("#results li").forEach(function (li) {
      li.classList.toggle("selected", li.getAttribute("data-id") === view.id);
    });
  }

  function changed() {
    state.dirty = true;
    $("node-version").textContent = "version " + state.node.version + " · unsaved changes";
  }

  function specOf(predicate) {
    return (state.schema && state.schema.byPredicate[predicate]) || null;
  }

  function kindOf(row) {
    if (state.node.is_attribute) return "words";
    var spec = specOf(row.predicate);
    return spec ? spec.kind : "new";
  }

  function renderRows() {
    renderTypes();
    renderLabels();
    renderAttributes();
    renderEdges();
  }

  function removeButton(list, row, render) {
    var button = el("button", "small secondary", "Remove");
    button.type = "button";
    button.addEventListener("click", function () {
      list.splice(list.indexOf(row), 1);
      changed();
      render();
    });
    return button;
  }

  function textInput(row, field, attrs) {
    var input = el("input");
    input.value = row[field] || "";
    Object.keys(attrs || {}).forEach(function (key) { input.setAttribute(key, attrs[key]); });
    input.addEventListener("input", function () {
      row[field] = input.value;
      changed();
      check(row, input.closest("tr"));
    });
    return input;
  }

  function cell(child) {
    var td = el("td");
    if (typeof child === "string") td.textContent = child; else if (child) td.appendChild(child);
    return td;
  }

  function errorCell() { return el("td", "row-error"); }

  function renderTypes() {
    var body = $("types");
    body.textContent = "";
    state.rows.types.forEach(function (row) {
      var tr = el("tr");
      row.tr = tr;
      tr.appendChild(cell(textInput(row, "object", { list: "type-options", "aria-label": "type" })));
      tr.appendChild(cell(removeButton(state.rows.types, row, renderTypes)));
      tr.appendChild(errorCell());
      body.appendChild(tr);
    });
  }

  function renderLabels() {
    var body = $("labels");
    body.textContent = "";
    state.rows.labels.forEach(function (row) {
      var tr = el("tr");
      row.tr = tr;
      tr.appendChild(cell(textInput(row, "object", { "aria-label": "name or alias" })));
      var lang = textInput(row, "unit", { size: "4", placeholder: "en", "aria-label": "language" });
      tr.appendChild(cell(lang));
      var kind = el("select");
      kind.appendChild(option("name", "name", row.predicate === "name"));
      kind.appendChild(option("alias", "alias", row.predicate === "alias"));
      kind.addEventListener("change", function () { row.predicate = kind.value; changed(); });
      tr.appendChild(cell(kind));
      tr.appendChild(cell(removeButton(state.rows.labels, row, renderLabels)));
      tr.appendChild(errorCell());
      body.appendChild(tr);
    });
  }

  function renderAttributes() {
    var body = $("attributes");
    body.textContent = "";
    state.rows.attributes.forEach(function (row) { body.appendChild(attributeRow(row)); });
  }

  function attributeRow(row) {
    var tr = el("tr");
    row.tr = tr;
    tr.setAttribute("data-predicate", row.predicate || "");
    var spec = specOf(row.predicate);
    var kind = kindOf(row);

    var predicate = textInput(row, "predicate", { list: "predicate-options", "aria-label": "attribute", class: "mono" });
    predicate.addEventListener("change", function () {
      var next = specOf(row.predicate);
      if (next && next.units.length && next.units.indexOf(row.unit) < 0) row.unit = next.units[0];
      if (next && NO_UNIT[next.kind]) row.unit = "";
      tr.replaceWith(attributeRow(row));
    });
    tr.appendChild(cell(predicate));

    var value;
    if (kind === "boolean") {
      value = el("select");
      value.appendChild(option("true", "true", row.object === "true"));
      value.appendChild(option("false", "false", row.object === "false"));
      if (row.object !== "true" && row.object !== "false") value.appendChild(option(row.object, row.object || "—", true));
      value.addEventListener("change", function () { row.object = value.value; changed(); check(row, tr); });
    } else {
      var attrs = { "aria-label": "value of " + (row.predicate || "new attribute"), "data-testid": "kg-value-" + (row.predicate || "new") };
      if (NUMERIC[kind]) { attrs.inputmode = "decimal"; attrs.class = "num"; }
      if (kind === "date") attrs.placeholder = "YYYY-MM-DD";
      if (kind === "time") attrs.placeholder = "09:00-18:00 UTC+8";
      if ((kind === "enumeration" || kind === "ordered") && spec) {
        var listId = "choices-" + row.predicate;
        if (!$(listId)) {
          var list = el("datalist");
          list.id = listId;
          spec.choices.forEach(function (choice) { list.appendChild(option(choice)); });
          document.body.appendChild(list);
        }
        attrs.list = listId;
      }
      value = textInput(row, "object", attrs);
    }
    tr.appendChild(cell(value));

    var unit;
    if (kind === "words") {
      unit = textInput(row, "unit", { size: "4", placeholder: "lang", "aria-label": "language" });
    } else if (spec && NO_UNIT[spec.kind]) {
      unit = el("span", "muted", "—");
    } else if (spec && spec.units.length) {
      unit = el("select");
      unit.setAttribute("aria-label", "unit of " + row.predicate);
      unit.setAttribute("data-testid", "kg-unit-" + row.predicate);
      var units = spec.units.slice();
      if (row.unit && units.indexOf(row.unit) < 0) units.push(row.unit);
      if (!row.unit) row.unit = units[0];
      units.forEach(function (u) { unit.appendChild(option(u, u || "(none)", u === row.unit)); });
      unit.addEventListener("change", function () { row.unit = unit.value; changed(); check(row, tr); });
    } else {
      unit = textInput(row, "unit", { size: "8", placeholder: "unit", "aria-label": "unit" });
    }
    tr.appendChild(cell(unit));
    tr.appendChild(cell(el("span", "kind kind-" + kind, kind === "new" ? "new attribute" : kind)));
    tr.appendChild(cell(removeButton(state.rows.attributes, row, renderAttributes)));
    tr.appendChild(errorCell());
    check(row, tr);
    return tr;
  }

  // Quick checks as the admin types; the server checks again and has the last word.
  function problemOf(row) {
    var value = (row.object || "").trim();
    if (!value) return row.index === undefined || row.index === null ? "" : "the value is empty";
    var kind = kindOf(row);
    if (kind === "money" && !/^\d+(\.\d{1,2})?$/.test(value)) return "must be a non-negative amount like 129.00";
    if (kind === "duration" && !/^\d+(\.\d+)?(\s*-\s*\d+(\.\d+)?)?$/.test(value)) return "must be a non-negative number like 24, or a range like 5-7";
    if (kind === "count" && !/^\d+(\s*-\s*\d+)?$/.test(value)) return "must be a whole number";
    if (kind === "mass" && (!/^\d+(\.\d+)?$/.test(value) || parseFloat(value) === 0)) return "must be a positive number like 250";
    if (kind === "percent" && (!/^\d+(\.\d+)?$/.test(value) || parseFloat(value) > 100)) return "must be a percentage between 0 and 100";
    if (kind === "date" && !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(value)) return "must be an ISO date: YYYY-MM-DD, YYYY-MM or YYYY";
    if (kind === "boolean" && value !== "true" && value !== "false") return "must be true or false";
    return "";
  }

  function check(row, tr) {
    if (!tr || !tr.lastChild || !tr.lastChild.classList || !tr.lastChild.classList.contains("row-error")) return;
    var message = problemOf(row);
    tr.lastChild.textContent = message;
    tr.classList.toggle("invalid", !!message);
  }

  function renderEdges() {
    var body = $("edges");
    body.textContent = "";
    state.rows.edges.forEach(function (row) {
      var tr = el("tr");
      row.tr = tr;
      tr.appendChild(cell(textInput(row, "predicate", { list: "link-predicate-options", class: "mono", "aria-label": "relation" })));
      var target = textInput(row, "object", { list: "target-options", class: "mono", placeholder: "search a node…", "aria-label": "target node" });
      var name = el("span", "muted", row.targetName || state.names[row.object] || "");
      target.addEventListener("input", function () { suggestTargets(target.value, row.predicate); });
      target.addEventListener("change", function () { name.textContent = state.names[target.value] || "(unknown node)"; });
      tr.appendChild(cell(target));
      tr.appendChild(cell(name));
      var open = el("a", "link", "open");
      open.href = "#/node/" + encodeURIComponent(row.object || "");
      tr.appendChild(cell(row.object ? open : null));
      tr.appendChild(cell(removeButton(state.rows.edges, row, renderEdges)));
      tr.appendChild(errorCell());
      body.appendChild(tr);
    });
  }

  var targetTimer = null;
  var targetSeq = 0;
  function suggestTargets(query, predicate) {
    clearTimeout(targetTimer);
    targetTimer = setTimeout(async function () {
      var seq = ++targetSeq;
      var spec = specOf(predicate);
      var url = API + "/nodes?limit=20&q=" + encodeURIComponent(query);
      if (spec && spec.kind === "link") spec.target_types.forEach(function (t) { url += "&type=" + encodeURIComponent(t); });
      var data = await api("GET", url);
      if (seq !== targetSeq) return;  // a newer suggestion request is under way
      fillDatalist($("target-options"), data.results.map(function (hit) {
        state.names[hit.id] = hit.name;
        return [hit.id, hit.name + " (" + hit.types.join(", ") + ")"];
      }));
    }, 150);
  }

  function renderIncoming(incoming) {
    var list = $("incoming");
    list.textContent = "";
    if (!incoming.length) { list.appendChild(el("li", "muted", "No edges point at this node.")); return; }
    incoming.forEach(function (edge) {
      var item = el("li");
      var link = el("a", "link", edge.subject_name);
      link.href = "#/node/" + encodeURIComponent(edge.subject);
      item.appendChild(link);
      item.appendChild(el("span", "muted", " " + edge.predicate + " → this node"));
      list.appendChild(item);
    });
  }

  function addRow(list, row, render) {
    state.seq += 1;
    row.seq = state.seq;
    list.push(row);
    changed();
    render();
  }
  $("add-type").addEventListener("click", function () { addRow(state.rows.types, { predicate: "type", object: "", unit: "" }, renderTypes); });
  $("add-label").addEventListener("click", function () { addRow(state.rows.labels, { predicate: "alias", object: "", unit: "" }, renderLabels); });
  $("add-attribute").addEventListener("click", function () { addRow(state.rows.attributes, { predicate: "", object: "", unit: "" }, renderAttributes); });
  $("add-edge").addEventListener("click", function () { addRow(state.rows.edges, { predicate: "", object: "", unit: "", edge: true }, renderEdges); });

  // The node's complete fact list, in its original order (new rows at the end), so that
  // saving an unchanged row never moves it.
  function collectFacts() {
    var rows = [];
    state.rows.types.forEach(function (r) { rows.push([r, { predicate: "type", object: r.object, unit: "", edge: false }]); });
    state.rows.labels.forEach(function (r) { rows.push([r, { predicate: r.predicate, object: r.object, unit: r.unit || "", edge: false }]); });
    state.rows.attributes.forEach(function (r) { rows.push([r, { predicate: (r.predicate || "").trim(), object: r.object, unit: r.unit || "", edge: false }]); });
    state.rows.edges.forEach(function (r) { rows.push([r, { predicate: (r.predicate || "").trim(), object: (r.object || "").trim(), unit: "", edge: true }]); });
    function order(r) { return r.index === undefined || r.index === null ? 1e9 + (r.seq || 0) : r.index; }
    return rows
      .filter(function (pair) { return pair[1].predicate || (pair[1].object || "").trim(); })
      .sort(function (a, b) { return order(a[0]) - order(b[0]); })
      .map(function (pair) { return pair[1]; });
  }

  function setStatus(text, kind) {
    $("save-status").textContent = text;
    $("save-status").className = "status " + (kind || "");
  }

  function showProblems(errors) {
    var all = [].concat(state.rows.types, state.rows.labels, state.rows.attributes, state.rows.edges);
    errors.forEach(function (problem) {
      all.filter(function (row) { return row.predicate === problem.predicate; }).forEach(function (row) {
        var tr = row.tr;
        if (!tr) return;
        var own = problemOf(row);
        if (row.index !== undefined && row.index !== null && !own) {
          // An untouched row of the same predicate is not the culprit unless it is the only one.
          var same = all.filter(function (r) { return r.predicate === problem.predicate; });
          if (same.length > 1 && same.some(function (r) { return r.index === undefined || r.index === null; })) return;
        }
        tr.lastChild.textContent = problem.message;
        tr.classList.add("invalid");
      });
    });
  }

  $("editor").addEventListener("submit", async function (event) {
    event.preventDefault();
    if (!state.node) return;
    setStatus("Saving…", "");
    try {
      var result = await api("PATCH", API + "/nodes/" + encodeURIComponent(state.node.id), {
        expected_version: state.node.version,
        replace: true,
        add: collectFacts(),
        message: $("save-message").value.trim() || null,
      });
      state.dirty = false;
      showNode(result.node);
      setStatus(result.revision
        ? "Saved as revision " + result.revision.id + ". The bot answers with it now."
        : "Nothing changed.", "ok");
      search($("search").value);
    } catch (e) {
      if (e.status === 409) {
        setStatus("Changed by someone else since you opened it: reload to see their version, then apply your change again. (" + e.message + ")", "bad");
        $("reload").hidden = false;
      } else if (e.status === 422 && e.data.errors) {
        showProblems(e.data.errors);
        setStatus("Not saved: " + e.message, "bad");
      } else {
        setStatus("Not saved: " + e.message, "bad");
      }
    }
  });

  $("reload").addEventListener("click", function () {
    state.dirty = false;
    openNode(state.node.id);
  });
  $("discard").addEventListener("click", function () {
    state.dirty = false;
    openNode(state.node.id);
  });

  $("delete").addEventListener("click", async function () {
    if (!state.node || !window.confirm("Delete " + state.node.name + " (" + state.node.id + ")? The history keeps it; you can restore it.")) return;
    var url = API + "/nodes/" + encodeURIComponent(state.node.id) +
      "?expected_version=" + state.node.version + "&detach=" + ($("detach").checked ? "true" : "false");
    var message = $("save-message").value.trim();
    if (message) url += "&message=" + encodeURIComponent(message);
    try {
      var result = await api("DELETE", url);
      var name = state.node.name;
      state.node = null;
      state.dirty = false;
      $("editor").hidden = true;
      $("node-aside").hidden = true;
      $("node-empty").hidden = false;
      $("node-empty").textContent = "Deleted " + name + " in revision " + result.revision.id + ".";
      window.location.hash = "#/";
      search($("search").value);
    } catch (e) {
      setStatus(e.message, "bad");
      if (e.status === 409 && !e.data.incoming) $("reload").hidden = false;
    }
  });

  // ---- neighbourhood drawing (cytoscape, bundled) -----------------------------------------
  async function drawNeighbourhood(id) {
    var data = await api("GET", API + "/nodes/" + encodeURIComponent(id) + "/neighbourhood?depth=1");
    if (!state.node || state.node.id !== id) return;
    if (state.cy) { state.cy.destroy(); state.cy = null; }
    if (typeof window.cytoscape !== "function") {
      $("graph").textContent = "The graph library did not load.";
      return;
    }
    var elements = [];
    data.nodes.forEach(function (n) {
      var classes = n.center ? "center" : (n.literal ? "literal" : "");
      elements.push({ group: "nodes", data: { id: n.id, label: n.label, literal: n.literal }, classes: classes });
    });
    data.edges.forEach(function (e) {
      elements.push({ group: "edges", data: { id: e.id, source: e.source, target: e.target, label: e.predicate } });
    });
    state.cy = window.cytoscape({
      container: $("graph"),
      elements: elements,
      layout: { name: "cose", animate: false, nodeRepulsion: 9000, idealEdgeLength: 90, padding: 16 },
      style: [
        { selector: "node", style: { "label": "data(label)", "font-size": 10, "background-color": "#4f6bed", "color": "#1b2238", "text-valign": "bottom", "text-margin-y": 3, "width": 18, "height": 18, "text-wrap": "ellipsis", "text-max-width": 120 } },
        { selector: "node.center", style: { "background-color": "#e8590c", "width": 28, "height": 28, "font-weight": "bold" } },
        { selector: "node.literal", style: { "shape": "round-rectangle", "background-color": "#d9e0f7", "width": 12, "height": 12, "color": "#445" } },
        { selector: "edge", style: { "label": "data(label)", "font-size": 8, "curve-style": "bezier", "target-arrow-shape": "triangle", "width": 1.2, "line-color": "#a9b4d6", "target-arrow-color": "#a9b4d6", "color": "#667", "text-rotation": "autorotate" } },
      ],
    });
    state.cy.on("tap", "node", function (event) {
      var node = event.target.data();
      if (!node.literal && node.id !== id) go("#/node/" + encodeURIComponent(node.id));
    });
  }

  // ---- try it -----------------------------------------------------------------------------
  $("try-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var question = $("try-question").value.trim();
    if (!question) return;
    var box = $("try-result");
    box.textContent = "Asking…";
    var edits = state.node && state.dirty ? [{ node: state.node.id, replace: true, add: collectFacts() }] : [];
    try {
      var result = await api("POST", API + "/try", { question: question, edits: edits });
      box.textContent = "";
      box.appendChild(answerCard("Draft (your unsaved changes)", result.draft, "draft"));
      box.appendChild(answerCard("Saved (revision " + (result.revision || 0) + ", what customers get now)", result.saved, "saved"));
    } catch (e) {
      box.textContent = e.message;
      if (e.data && e.data.errors) showProblems(e.data.errors);
    }
  });

  function answerCard(title, answer, testid) {
    var card = el("div", "answer");
    card.setAttribute("data-testid", "kg-try-" + testid);
    card.appendChild(el("h3", "", title));
    card.appendChild(el("p", "answer-text", answer.text || "(no answer)"));
    if (answer.claims.length) {
      var claims = el("ul", "claims");
      answer.claims.forEach(function (claim) {
        var item = el("li");
        item.appendChild(el("span", "badge claim-" + claim.status, claim.status));
        item.appendChild(el("span", "", " " + (claim.quote || claim.text)));
        claims.appendChild(item);
      });
      card.appendChild(claims);
    }
    if (answer.sources.length) {
      var sources = el("ul", "sources");
      answer.sources.forEach(function (fact) {
        sources.appendChild(el("li", "mono", fact.subject + " " + fact.predicate + " " + fact.object + (fact.unit ? " " + fact.unit : "")));
      });
      card.appendChild(el("div", "muted", "Sources"));
      card.appendChild(sources);
    }
    return card;
  }

  // ---- create -----------------------------------------------------------------------------
  $("new-node").addEventListener("click", function () {
    $("create-error").textContent = "";
    $("create-dialog").showModal();
  });
  $("create-cancel").addEventListener("click", function () { $("create-dialog").close(); });
  $("create-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    try {
      var result = await api("POST", API + "/nodes", {
        type: $("create-type").value.trim(),
        name: $("create-name").value.trim(),
        lang: $("create-lang").value || null,
        id: $("create-id").value.trim() || null,
      });
      $("create-dialog").close();
      $("create-form").reset();
      await loadSchema();
      go("#/node/" + encodeURIComponent(result.node.id));
      search($("search").value);
    } catch (e) {
      $("create-error").textContent = e.message;
    }
  });

  // ---- history ------------------------------------------------------------------------------
  function factLine(fact, sign) {
    return el("li", sign === "+" ? "added mono" : "removed mono",
      sign + " " + fact.predicate + " " + fact.object + (fact.unit ? " " + fact.unit : "") + (fact.edge ? " (edge)" : ""));
  }

  async function loadRevisions(fresh) {
    if (fresh) { state.revisionsBefore = null; $("revisions").textContent = ""; }
    var url = API + "/revisions?limit=50" + (state.revisionsBefore ? "&before=" + state.revisionsBefore : "");
    var data = await api("GET", url);
    $("head").textContent = "revision " + (data.head || 0);
    data.revisions.forEach(function (r) {
      var tr = el("tr");
      tr.setAttribute("data-revision", r.id);
      tr.appendChild(cell(String(r.id)));
      tr.appendChild(cell(new Date(r.created_at).toLocaleString()));
      tr.appendChild(cell(r.author));
      tr.appendChild(cell(r.message));
      tr.appendChild(cell("+" + r.added + " −" + r.removed + " · " + r.nodes + " node" + (r.nodes === 1 ? "" : "s")));
      tr.addEventListener("click", function () { go("#/history/" + r.id); });
      $("revisions").appendChild(tr);
      state.revisionsBefore = r.id;
    });
    $("more-revisions").hidden = data.revisions.length < 50;
  }
  $("more-revisions").addEventListener("click", function () { loadRevisions(false); });

  async function showRevision(id) {
    var box = $("diff");
    box.textContent = "Loading…";
    document.querySelectorAll("#revisions tr").forEach(function (tr) {
      tr.classList.toggle("selected", tr.getAttribute("data-revision") === String(id));
    });
    try {
      var data = await api("GET", API + "/revisions/" + id);
      box.textContent = "";
      var r = data.revision;
      box.appendChild(el("h2", "diff-title", "Revision " + r.id + ": " + r.message));
      box.appendChild(el("p", "muted", r.author + " · " + new Date(r.created_at).toLocaleString() +
        (r.reverted_to ? " · restores revision " + r.reverted_to : "")));
      data.changes.forEach(function (change) {
        var section = el("div", "change");
        var title = el("h3");
        if (change.exists) {
          var link = el("a", "link", change.name);
          link.href = "#/node/" + encodeURIComponent(change.node);
          title.appendChild(link);
        } else {
          title.textContent = change.name;
        }
        title.appendChild(el("span", "muted", " " + change.node + (change.created ? " · created" : "") + (change.deleted ? " · deleted" : "")));
        section.appendChild(title);
        var list = el("ul", "diff-lines");
        change.removed.forEach(function (f) { list.appendChild(factLine(f, "−")); });
        change.added.forEach(function (f) { list.appendChild(factLine(f, "+")); });
        section.appendChild(list);
        box.appendChild(section);
      });
      if (!data.changes.length) box.appendChild(el("p", "muted", "No facts changed (only their order)."));
      var restore = el("button", "", "Restore the graph to this revision");
      restore.type = "button";
      restore.setAttribute("data-testid", "kg-restore");
      restore.addEventListener("click", async function () {
        if (!window.confirm("Make the graph what it was right after revision " + r.id + "? This saves a new revision.")) return;
        try {
          var result = await api("POST", API + "/revisions/" + r.id + "/revert", { message: null });
          status.textContent = result.revision ? "Restored as revision " + result.revision.id + "." : "The graph already is that revision.";
          await loadRevisions(true);
          await loadSchema();
        } catch (e) {
          status.textContent = e.message;
        }
      });
      var status = el("p", "status");
      status.setAttribute("role", "status");
      box.appendChild(restore);
      box.appendChild(status);
    } catch (e) {
      box.textContent = e.message;
    }
  }

  // ---- import -------------------------------------------------------------------------------
  function importTarget() {
    var file = $("import-file").files[0];
    if (!file) return null;
    var json = /\.json$/i.test(file.name) || file.type === "application/json";
    return { file: file, format: json ? "json" : "csv", contentType: json ? "application/json" : "text/csv" };
  }

  $("import-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var target = importTarget();
    $("import-status").textContent = "";
    $("apply-bar").hidden = true;
    if (!target) { $("import-status").textContent = "Choose a file first."; return; }
    var text = await target.file.text();
    var mode = $("import-mode").value;
    var box = $("preview");
    box.textContent = "Reading…";
    try {
      var preview = await api("POST", API + "/import/preview?format=" + target.format + "&mode=" + mode, undefined,
        { text: text, contentType: target.contentType });
      state.preview = { text: text, format: target.format, contentType: target.contentType, mode: mode, token: preview.token };
      renderPreview(preview);
      $("apply-bar").hidden = !preview.changes.length;
    } catch (e) {
      box.textContent = "";
      $("import-status").textContent = "Cannot import: " + e.message;
    }
  });

  function renderPreview(preview) {
    var box = $("preview");
    box.textContent = "";
    box.appendChild(el("p", "", "Against revision " + (preview.revision || 0) + ": +" + preview.added + " facts, −" + preview.removed +
      " facts; " + preview.created.length + " new, " + preview.changed.length + " changed, " + preview.deleted.length + " deleted node(s)."));
    if (!preview.changes.length) { box.appendChild(el("p", "muted", "The file changes nothing.")); return; }
    var table = el("table", "grid");
    var head = el("tr");
    ["Node", "", "Removed", "Added"].forEach(function (t) { head.appendChild(el("th", "", t)); });
    table.appendChild(head);
    preview.changes.forEach(function (change) {
      var tr = el("tr");
      tr.appendChild(cell(el("span", "mono", change.node)));
      tr.appendChild(cell(change.created ? "new" : change.deleted ? "deleted" : "changed"));
      var removed = el("ul", "diff-lines");
      change.removed.forEach(function (f) { removed.appendChild(factLine(f, "−")); });
      var added = el("ul", "diff-lines");
      change.added.forEach(function (f) { added.appendChild(factLine(f, "+")); });
      tr.appendChild(cell(removed));
      tr.appendChild(cell(added));
      table.appendChild(tr);
    });
    box.appendChild(table);
  }

  $("import-apply").addEventListener("click", async function () {
    var p = state.preview;
    if (!p) return;
    var url = API + "/import/apply?format=" + p.format + "&mode=" + p.mode + "&token=" + encodeURIComponent(p.token);
    var message = $("import-message").value.trim();
    if (message) url += "&message=" + encodeURIComponent(message);
    try {
      var result = await api("POST", url, undefined, { text: p.text, contentType: p.contentType });
      $("import-status").textContent = result.revision
        ? "Imported as revision " + result.revision.id + " (+" + result.added + " −" + result.removed + " facts)."
        : "Nothing to import.";
      $("apply-bar").hidden = true;
      state.preview = null;
      await loadSchema();
      search($("search").value);
    } catch (e) {
      $("import-status").textContent = e.status === 409
        ? "The graph changed since the preview: preview the file again. (" + e.message + ")"
        : "Not imported: " + e.message;
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (state.dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  start();
})();
