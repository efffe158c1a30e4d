/*
 * kefu agents' console. Commands go over the REST API (/api/v1/console, with the CSRF
 * header); live updates arrive over /ws/console. Everything from the wire is rendered with
 * textContent: customers' text can never become markup here.
 */
(function () {
  "use strict";

  var state = {
    me: null,
    csrf: null,
    filter: "queue",
    rows: {},          // conversation id -> row
    openId: null,
    seqs: {},          // seqs shown in the open transcript
    lastSeq: 0,
    socket: null,
    typingTimer: null,
  };

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  async function api(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
    var response = await fetch(path, {
      method: method,
      headers: headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    var data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) {
      var error = new Error((data && data.detail) || response.statusText);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  // ---- sign in ------------------------------------------------------------------------
  async function start() {
    try {
      var me = await api("GET", "/api/v1/auth/me");
      signedIn(me);
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

  $("logout").addEventListener("click", async function () {
    try { await api("POST", "/api/v1/auth/logout"); } catch (e) { /* signed out anyway */ }
    window.location.reload();
  });

  function signedIn(me) {
    state.me = me;
    state.csrf = me.csrf_token;
    $("login").hidden = true;
    $("app").hidden = false;
    $("me").textContent = me.display_name + " (" + me.role + ")";
    $("ops-link").hidden = me.role !== "admin";
    connect();
    loadList();
  }

  // ---- conversation list ----------------------------------------------------------------
  async function loadList() {
    var data = await api("GET", "/api/v1/console/conversations");
    state.meId = data.me.id;
    data.conversations.forEach(function (row) { state.rows[row.id] = row; });
    renderList();
  }

  function waiting(row) {
    if (row.status !== "pending" || !row.status_changed_at) return "";
    var seconds = Math.max(0, (Date.now() - Date.parse(row.status_changed_at)) / 1000);
    return seconds < 60 ? Math.round(seconds) + "s" : Math.round(seconds / 60) + "m";
  }

  function visible(row) {
    if (state.filter === "queue") return row.status === "pending";
    if (state.filter === "mine") return row.status === "assigned" && row.agent_id === state.meId;
    return true;
  }

  var ORDER = { pending: 0, assigned: 1, bot: 2, resolved: 3 };

  function renderList() {
    var list = $("conversations");
    list.textContent = "";
    var rows = Object.values(state.rows).sort(function (a, b) {
      return (ORDER[a.status] - ORDER[b.status]) ||
        (a.status === "pending" ? Date.parse(a.status_changed_at) - Date.parse(b.status_changed_at)
          : Date.parse(b.updated_at) - Date.parse(a.updated_at));
    });
    $("queue-count").textContent = rows.filter(function (r) { return r.status === "pending"; }).length;
    rows.filter(visible).forEach(function (row) {
      var item = el("li");
      item.setAttribute("data-id", row.id);
      item.setAttribute("data-status", row.status);
      if (row.id === state.openId) item.className = "selected";
      var line = el("div", "line1");
      line.appendChild(el("span", "badge " + row.status, row.status));
      line.appendChild(el("span", "", (row.language || "?").toUpperCase()));
      if (row.last_intent) line.appendChild(el("span", "", row.last_intent));
      var wait = waiting(row);
      if (wait) line.appendChild(el("span", "", "waiting " + wait));
      if (row.agent) line.appendChild(el("span", "", "· " + row.agent));
      if (row.csat_score) line.appendChild(el("span", "", "★" + row.csat_score));
      item.appendChild(line);
      var preview = row.last_message ? row.last_message.role + ": " + row.last_message.text : "(no messages)";
      item.appendChild(el("div", "preview", preview));
      item.addEventListener("click", function () { openConversation(row.id); });
      list.appendChild(item);
    });
  }
  setInterval(renderList, 10000); // waiting times move on

  document.querySelectorAll(".filters button").forEach(function (button) {
    button.addEventListener("click", function () {
      document.querySelectorAll(".filters button").forEach(function (b) { b.classList.remove("active"); });
      button.classList.add("active");
      state.filter = button.getAttribute("data-filter");
      renderList();
    });
  });

  // ---- one conversation ---------------------------------------------------------------------
  async function openConversation(id) {
    state.openId = id;
    state.seqs = {};
    state.lastSeq = 0;
    $("empty").hidden = true;
    $("chat").hidden = false;
    $("transcript").textContent = "";
    $("typing").textContent = "";
    $("composer-error").textContent = "";
    renderList();
    var data = await api("GET", "/api/v1/console/conversations/" + id);
    if (state.openId !== id) return;
    state.rows[id] = data.conversation;
    data.messages.forEach(appendMessage);
    $("notes").textContent = "";
    data.notes.forEach(appendNote);
    $("summary").textContent = data.summary || "";
    renderKv($("slots"), data.slots || {});
    renderParse(data.parse);
    $("csat").textContent = data.csat && data.csat.score ? "★".repeat(data.csat.score) + " (" + data.csat.score + "/5)" + (data.csat.comment ? " — " + data.csat.comment : "") : "–";
    renderHead();
    markRead();
    loadCanned(data.conversation.language || "en");
  }

  function renderHead() {
    var row = state.rows[state.openId];
    if (!row) return;
    $("chat-title").textContent = "Conversation " + row.id.slice(0, 8);
    $("chat-status").textContent = row.status;
    $("chat-status").className = "badge " + row.status;
    $("chat-agent").textContent = row.agent ? "· " + row.agent : "";
    var mine = row.status === "assigned" && row.agent_id === state.meId;
    $("take-over").disabled = mine;
    $("resolve").disabled = !(row.status === "assigned" || row.status === "pending");
    $("hand-back").disabled = !(row.status === "assigned" || row.status === "pending");
    $("reply").placeholder = mine ? "Write a reply…" : "Take the conversation over to reply (notes work anytime).";
  }

  function renderKv(container, values) {
    container.textContent = "";
    Object.keys(values).sort().forEach(function (key) {
      if (values[key] === null || values[key] === undefined) return;
      var row = el("div");
      row.appendChild(el("span", "", key));
      row.appendChild(el("span", "", typeof values[key] === "object" ? JSON.stringify(values[key]) : values[key]));
      container.appendChild(row);
    });
  }

  function renderParse(parse) {
    var values = {};
    if (parse && parse.intent) {
      values.intent = parse.intent.name + " (" + Number(parse.intent.confidence || 0).toFixed(2) + ")";
      (parse.entities || []).forEach(function (e) { values["entity " + e.entity] = e.value; });
      if (parse.language) values.language = parse.language;
    }
    renderKv($("parse"), values);
  }

  function appendMessage(frame) {
    if (state.seqs[frame.seq]) return;
    state.seqs[frame.seq] = true;
    state.lastSeq = Math.max(state.lastSeq, frame.seq);
    var item = el("li", "msg " + frame.role);
    item.setAttribute("data-seq", frame.seq);
    item.setAttribute("data-role", frame.role);
    var who = frame.role === "agent" ? (frame.agent || "agent") : frame.role;
    item.appendChild(el("div", "meta", "#" + frame.seq + " · " + who + " · " + new Date(frame.created_at).toLocaleTimeString()));
    item.appendChild(document.createTextNode(frame.text));
    if (frame.claims && frame.claims.length) {
      var claims = el("div", "claims");
      frame.claims.forEach(function (claim) {
        claims.appendChild(el("div", "claim " + claim.status, claim.text));
      });
      item.appendChild(claims);
    }
    if (frame.draft) {
      // What the model wrote before the fact checker repaired it.
      var draft = el("details", "claims draft");
      draft.appendChild(el("summary", "", "Model draft (" + (frame.repairs || []).length + " repairs)"));
      draft.appendChild(el("div", "", frame.draft));
      (frame.repaired_claims || []).forEach(function (claim) {
        draft.appendChild(el("div", "claim " + claim.status, claim.text));
      });
      item.appendChild(draft);
    }
    if (frame.sources && frame.sources.length) {
      var sources = el("details", "claims");
      sources.appendChild(el("summary", "", "Sources (" + frame.sources.length + ")"));
      frame.sources.forEach(function (source) {
        sources.appendChild(el("div", "", typeof source === "string" ? source : (source.text || JSON.stringify(source))));
      });
      item.appendChild(sources);
    }
    var transcript = $("transcript");
    var after = null;
    Array.prototype.forEach.call(transcript.children, function (child) {
      if (!after && Number(child.getAttribute("data-seq")) > frame.seq) after = child;
    });
    transcript.insertBefore(item, after);
    transcript.scrollTop = transcript.scrollHeight;
  }

  function appendNote(note) {
    var item = el("li");
    item.appendChild(el("div", "", note.text));
    item.appendChild(el("small", "", (note.author || "") + " · " + new Date(note.created_at).toLocaleTimeString()));
    $("notes").appendChild(item);
  }

  async function markRead() {
    if (!state.openId || !state.lastSeq) return;
    try { await api("POST", "/api/v1/console/conversations/" + state.openId + "/read", { seq: state.lastSeq }); } catch (e) { /* best effort */ }
  }

  async function loadCanned(language) {
    var select = $("canned");
    select.length = 1;
    try {
      var data = await api("GET", "/api/v1/console/canned-responses?language=" + (language === "zh" ? "zh" : "en"));
      data.responses.forEach(function (response) {
        var option = el("option", "", response.name.replace(/^utter_/, "") + " — " + response.text.slice(0, 60));
        option.value = response.text;
        select.appendChild(option);
      });
    } catch (e) { /* canned responses are optional */ }
  }
  $("canned").addEventListener("change", function (event) {
    if (event.target.value) $("reply").value = event.target.value;
    event.target.selectedIndex = 0;
  });

  async function command(path) {
    $("composer-error").textContent = "";
    try {
      await api("POST", "/api/v1/console/conversations/" + state.openId + path);
    } catch (e) {
      $("composer-error").textContent = e.message;
    }
  }
  $("take-over").addEventListener("click", async function () {
    await command("/take-over");
    openConversation(state.openId);
  });
  $("resolve").addEventListener("click", function () { command("/resolve"); });
  $("hand-back").addEventListener("click", function () { command("/hand-back"); });
  $("suggest").addEventListener("click", async function () {
    try {
      var draft = await api("POST", "/api/v1/console/conversations/" + state.openId + "/suggestion");
      $("reply").value = draft.text;
    } catch (e) {
      $("composer-error").textContent = e.message;
    }
  });

  $("composer").addEventListener("submit", async function (event) {
    event.preventDefault();
    var text = $("reply").value.trim();
    if (!text || !state.openId) return;
    $("composer-error").textContent = "";
    var asNote = $("as-note").checked;
    try {
      if (asNote) {
        await api("POST", "/api/v1/console/conversations/" + state.openId + "/notes", { text: text });
      } else {
        var clientId = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
        await api("POST", "/api/v1/console/conversations/" + state.openId + "/messages", { text: text, client_id: clientId });
      }
      $("reply").value = "";
      sendTyping(false);
    } catch (e) {
      $("composer-error").textContent = e.message;
    }
  });

  $("reply").addEventListener("input", function () {
    sendTyping(true);
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(function () { sendTyping(false); }, 3000);
  });

  function sendTyping(on) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN && state.openId) {
      state.socket.send(JSON.stringify({ type: "typing", conversation_id: state.openId, on: on }));
    }
  }

  // ---- live updates -------------------------------------------------------------------------
  var attempt = 0;
  function connect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/console";
    var socket = new WebSocket(url);
    state.socket = socket;
    socket.onopen = function () { attempt = 0; $("live").textContent = "live"; };
    socket.onclose = function () {
      $("live").textContent = "reconnecting…";
      attempt += 1;
      setTimeout(function () {
        connect();
        loadList();
        if (state.openId) openConversation(state.openId);
      }, Math.min(10000, 500 * Math.pow(2, attempt)));
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      onFrame(frame);
    };
  }

  function onFrame(frame) {
    var open = frame.conversation_id && frame.conversation_id === state.openId;
    switch (frame.type) {
      case "conversation":
        state.rows[frame.conversation.id] = frame.conversation;
        renderList();
        if (frame.conversation.id === state.openId) renderHead();
        break;
      case "message":
        if (open) {
          appendMessage(frame);
          if (frame.role === "customer") markRead();
        }
        break;
      case "typing":
        if (open && frame.role === "customer") $("typing").textContent = frame.on ? "Customer is typing…" : "";
        break;
      case "read":
        if (open && frame.role === "customer") $("typing").textContent = "Seen by the customer up to #" + frame.seq;
        break;
      case "note":
        if (open) appendNote(frame.note);
        break;
      case "turn":
        if (open) { renderParse(frame.parse); renderKv($("slots"), frame.slots || {}); }
        break;
      case "csat":
        if (open) $("csat").textContent = "★".repeat(frame.score) + " (" + frame.score + "/5)" + (frame.comment ? " — " + frame.comment : "");
        break;
    }
  }

  start();
})();
