/*
 * kefu chat widget — embed with one tag:
 *   <script src="https://your-kefu-host/widget.js" async></script>
 * Optional attributes on the tag: data-locale="en|zh", data-title="...", data-open="true".
 *
 * Speaks websocket protocol v1 (docs/protocol.md). Reconnects by itself with backoff,
 * resumes with the conversation's resume token and last seen seq, resends unacknowledged
 * messages with their original client_id, and drops anything it has already shown: no
 * duplicates, no gaps. Everything is rendered with textContent (no HTML from the wire).
 */
(function () {
  "use strict";
  if (window.Kefu && window.Kefu.__loaded) return;

  var script = document.currentScript || (function () {
    var tags = document.querySelectorAll("script[src*='widget.js']");
    return tags[tags.length - 1];
  })();
  var scriptUrl = new URL(script.src, window.location.href);
  var server = script.getAttribute("data-server") || scriptUrl.origin;
  var wsUrl = server.replace(/^http/, "ws") + "/ws/chat";
  var storageKey = "kefu:" + server;
  var userLocale = script.getAttribute("data-locale") ||
    ((navigator.language || "en").toLowerCase().indexOf("zh") === 0 ? "zh" : "en");

  var TEXT = {
    en: {
      title: script.getAttribute("data-title") || "Customer service",
      placeholder: "Type your message…",
      send: "Send",
      connecting: "Connecting…",
      reconnecting: "Connection lost — reconnecting…",
      online: "Online",
      intro: "Hi! Ask about your order, returns, products or shipping.",
      typing: "typing…",
      sources: "Sources",
      open: "Chat with us",
      status: {
        pending: "Waiting for an agent to join…",
        closed: "Our agents are away (Mon–Fri 09:00–18:00 UTC+8). Leave a message; we reply by email within 1 business day.",
        assigned: "You are chatting with ",
        resolved: "This conversation was resolved.",
        bot: "",
      },
      rate: "How did we do?",
      thanks: "Thank you for your rating!",
    },
    zh: {
      title: script.getAttribute("data-title") || "在线客服",
      placeholder: "请输入消息…",
      send: "发送",
      connecting: "连接中…",
      reconnecting: "连接中断，正在重连…",
      online: "在线",
      intro: "您好！可以咨询订单、退货、产品和配送问题。",
      typing: "正在输入…",
      sources: "依据",
      open: "联系客服",
      status: {
        pending: "正在为您转接人工客服…",
        closed: "人工客服不在线（周一至周五 09:00–18:00，UTC+8）。请留言，我们会在 1 个工作日内邮件回复。",
        assigned: "正在为您服务的客服：",
        resolved: "本次会话已结束。",
        bot: "",
      },
      rate: "请为本次服务打分",
      thanks: "感谢您的评价！",
    },
  };
  var t = TEXT[userLocale] || TEXT.en;

  // ---- persistent state -------------------------------------------------------------
  function load() {
    try {
      return JSON.parse(localStorage.getItem(storageKey)) || {};
    } catch (e) {
      return {};
    }
  }
  var state = load();
  state.last_seq = state.last_seq || 0;
  state.outbox = state.outbox || []; // [{client_id, text}] not yet acknowledged
  function save() {
    try {
      localStorage.setItem(storageKey, JSON.stringify({
        conversation_id: state.conversation_id || null,
        resume_token: state.resume_token || null,
        last_seq: state.last_seq,
        outbox: state.outbox,
      }));
    } catch (e) { /* private mode: the conversation lives as long as the page */ }
  }
  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  // ---- DOM ------------------------------------------------------------------------------
  var host = document.createElement("div");
  host.id = "kefu-widget";
  document.body.appendChild(host);
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var style = document.createElement("style");
  style.textContent = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',sans-serif}",
    ".launcher{position:fixed;right:24px;bottom:24px;z-index:2147483000;border:0;border-radius:28px;padding:14px 20px;background:#2456d6;color:#fff;font-size:15px;cursor:pointer;box-shadow:0 6px 20px rgba(0,0,0,.2)}",
    ".panel{position:fixed;right:24px;bottom:24px;z-index:2147483001;width:370px;max-width:calc(100vw - 32px);height:560px;max-height:calc(100vh - 48px);background:#fff;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.25);display:none;flex-direction:column;overflow:hidden}",
    ".panel.open{display:flex}",
    ".head{background:#2456d6;color:#fff;padding:12px 14px;display:flex;align-items:center;gap:8px}",
    ".head .title{font-weight:600;font-size:15px;flex:1}",
    ".head .conn{font-size:12px;opacity:.85}",
    ".head button{background:transparent;border:0;color:#fff;font-size:20px;cursor:pointer;line-height:1}",
    ".status{font-size:12px;background:#fff7d6;color:#6b5300;padding:6px 12px;display:none}",
    ".status.show{display:block}",
    ".log{flex:1;overflow-y:auto;padding:12px;background:#f5f7fb;display:flex;flex-direction:column;gap:8px}",
    ".intro{font-size:13px;color:#5b6478;text-align:center;margin:4px 0 8px}",
    ".msg{max-width:82%;padding:8px 11px;border-radius:12px;font-size:14px;line-height:1.4;white-space:pre-wrap;word-wrap:break-word}",
    ".msg.customer{align-self:flex-end;background:#2456d6;color:#fff;border-bottom-right-radius:4px}",
    ".msg.customer.pending{opacity:.6}",
    ".msg.bot,.msg.agent{align-self:flex-start;background:#fff;color:#1c2333;border:1px solid #e3e7ef;border-bottom-left-radius:4px}",
    ".msg.agent{border-color:#9ab3f5}",
    ".msg.system{align-self:center;background:transparent;color:#5b6478;font-size:12px}",
    ".who{font-size:11px;color:#5b6478;margin-bottom:2px}",
    ".buttons{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px}",
    ".buttons button{border:1px solid #2456d6;background:#fff;color:#2456d6;border-radius:14px;padding:4px 10px;font-size:13px;cursor:pointer}",
    ".sources{margin-top:6px;font-size:11px;color:#5b6478}",
    ".sources summary{cursor:pointer}",
    ".typing{font-size:12px;color:#5b6478;padding:0 14px 4px;min-height:18px}",
    ".rating{display:none;padding:8px 12px;border-top:1px solid #e3e7ef;background:#fff;font-size:13px;align-items:center;gap:6px}",
    ".rating.show{display:flex}",
    ".rating button{border:1px solid #cfd6e4;background:#fff;border-radius:6px;font-size:16px;cursor:pointer;padding:2px 8px}",
    "form{display:flex;gap:6px;padding:10px;border-top:1px solid #e3e7ef;background:#fff}",
    "textarea{flex:1;resize:none;border:1px solid #cfd6e4;border-radius:8px;padding:8px;font-size:14px;height:40px}",
    "form button{border:0;background:#2456d6;color:#fff;border-radius:8px;padding:0 14px;font-size:14px;cursor:pointer}",
  ].join("\n");
  root.appendChild(style);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var launcher = el("button", "launcher", t.open);
  launcher.setAttribute("data-testid", "kefu-launcher");
  var panel = el("div", "panel");
  panel.setAttribute("data-testid", "kefu-panel");
  var head = el("div", "head");
  var title = el("div", "title", t.title);
  var conn = el("div", "conn", t.connecting);
  conn.setAttribute("data-testid", "kefu-connection");
  var closeBtn = el("button", "", "×");
  closeBtn.setAttribute("aria-label", "close");
  head.appendChild(title);
  head.appendChild(conn);
  head.appendChild(closeBtn);
  var statusBar = el("div", "status");
  statusBar.setAttribute("data-testid", "kefu-status");
  var log = el("div", "log");
  log.setAttribute("data-testid", "kefu-log");
  log.appendChild(el("div", "intro", t.intro));
  var typing = el("div", "typing");
  var rating = el("div", "rating");
  rating.setAttribute("data-testid", "kefu-rating");
  rating.appendChild(el("span", "", t.rate));
  [1, 2, 3, 4, 5].forEach(function (score) {
    var star = el("button", "", "★" + score);
    star.setAttribute("data-score", String(score));
    star.addEventListener("click", function () {
      if (ready) ws.send(JSON.stringify({ type: "csat", score: score, comment: null }));
    });
    rating.appendChild(star);
  });
  var form = el("form");
  var input = el("textarea");
  input.setAttribute("placeholder", t.placeholder);
  input.setAttribute("data-testid", "kefu-input");
  input.setAttribute("maxlength", "4000");
  var sendBtn = el("button", "", t.send);
  sendBtn.setAttribute("type", "submit");
  sendBtn.setAttribute("data-testid", "kefu-send");
  form.appendChild(input);
  form.appendChild(sendBtn);
  panel.appendChild(head);
  panel.appendChild(statusBar);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(rating);
  panel.appendChild(form);
  root.appendChild(launcher);
  root.appendChild(panel);

  function open() {
    panel.classList.add("open");
    launcher.style.display = "none";
    input.focus();
    connect();
  }
  function close() {
    panel.classList.remove("open");
    launcher.style.display = "";
  }
  launcher.addEventListener("click", open);
  closeBtn.addEventListener("click", close);

  // ---- rendering ----------------------------------------------------------------------
  var bubblesBySeq = {};
  var bubblesByClientId = {};

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function renderPending(item) {
    var bubble = el("div", "msg customer pending", item.text);
    bubble.setAttribute("data-client-id", item.client_id);
    log.appendChild(bubble);
    bubblesByClientId[item.client_id] = bubble;
    scrollDown();
  }

  function renderMessage(frame) {
    if (bubblesBySeq[frame.seq]) return; // shown already (replay after reconnect)
    var bubble = frame.client_id ? bubblesByClientId[frame.client_id] : null;
    if (bubble) {
      bubble.classList.remove("pending");
    } else {
      bubble = el("div", "msg " + frame.role);
      if (frame.role === "agent" && frame.agent) {
        bubble.appendChild(el("div", "who", frame.agent));
      }
      bubble.appendChild(document.createTextNode(frame.text));
      if (frame.buttons && frame.buttons.length) {
        var row = el("div", "buttons");
        frame.buttons.forEach(function (b) {
          var btn = el("button", "", b.title || b.payload);
          btn.addEventListener("click", function () { send(b.title || b.payload); });
          row.appendChild(btn);
        });
        bubble.appendChild(row);
      }
      if (frame.sources && frame.sources.length) {
        var details = el("details", "sources");
        details.appendChild(el("summary", "", t.sources));
        frame.sources.forEach(function (s) {
          details.appendChild(el("div", "", typeof s === "string" ? s : (s.text || JSON.stringify(s))));
        });
        bubble.appendChild(details);
      }
      log.appendChild(bubble);
    }
    bubble.setAttribute("data-seq", String(frame.seq));
    bubble.setAttribute("data-role", frame.role);
    bubblesBySeq[frame.seq] = bubble;
    place(bubble, frame.seq);
    scrollDown();
  }

  // Stored messages stay in seq order; messages still waiting for their ack stay last.
  function place(bubble, seq) {
    var children = log.children;
    for (var i = 0; i < children.length; i++) {
      var other = children[i];
      if (other === bubble) continue;
      var otherSeq = other.getAttribute("data-seq");
      var waiting = other.classList.contains("pending") && !otherSeq;
      if (waiting || (otherSeq && Number(otherSeq) > seq)) {
        log.insertBefore(bubble, other);
        return;
      }
    }
    log.appendChild(bubble);
  }

  function showStatus(status, agent, agentsAvailable) {
    var text = t.status[status] || "";
    if (status === "pending" && agentsAvailable === false) text = t.status.closed;
    if (status === "assigned") text += agent || "";
    statusBar.textContent = text;
    statusBar.setAttribute("data-status", status || "bot");
    statusBar.classList.toggle("show", !!text);
    if (status === "resolved") {
      rating.classList.add("show");
    } else {
      rating.classList.remove("show");
    }
  }

  // ---- connection -----------------------------------------------------------------------
  var ws = null;
  var ready = false;
  var attempt = 0;
  var reconnectTimer = null;
  var pingTimer = null;
  var pongDeadline = null;

  function setConn(text) { conn.textContent = text; }

  function connect() {
    if (ws && (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)) return;
    clearTimeout(reconnectTimer);
    setConn(attempt ? t.reconnecting : t.connecting);
    ws = new WebSocket(wsUrl);
    ready = false;
    ws.onopen = function () {
      ws.send(JSON.stringify({
        type: "hello",
        conversation_id: state.conversation_id || null,
        resume_token: state.resume_token || null,
        last_seq: state.last_seq,
        locale: userLocale,
      }));
    };
    ws.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      onFrame(frame);
    };
    ws.onclose = function () {
      ready = false;
      clearInterval(pingTimer);
      clearTimeout(pongDeadline);
      setConn(t.reconnecting);
      scheduleReconnect();
    };
    ws.onerror = function () { /* onclose follows */ };
  }

  function scheduleReconnect() {
    attempt += 1;
    var delay = Math.min(10000, 500 * Math.pow(2, Math.min(attempt, 5)));
    delay = delay / 2 + Math.random() * delay / 2;
    reconnectTimer = setTimeout(connect, delay);
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "welcome":
        state.conversation_id = frame.conversation_id;
        state.resume_token = frame.resume_token;
        save();
        ready = true;
        attempt = 0;
        setConn(t.online);
        showStatus(frame.status);
        startPing();
        flushOutbox();
        break;
      case "message":
        if (frame.seq <= state.last_seq && bubblesBySeq[frame.seq]) return;
        renderMessage(frame);
        if (frame.seq > state.last_seq) {
          state.last_seq = frame.seq;
          save();
        }
        if (frame.role !== "customer") sendReadSoon();
        break;
      case "ack":
        state.outbox = state.outbox.filter(function (m) { return m.client_id !== frame.client_id; });
        save();
        var bubble = bubblesByClientId[frame.client_id];
        if (bubble) bubble.classList.remove("pending");
        break;
      case "typing":
        if (frame.role !== "customer") typing.textContent = frame.on ? t.typing : "";
        break;
      case "status":
        showStatus(frame.status, frame.agent, frame.agents_available);
        break;
      case "csat":
        rating.textContent = t.thanks;
        break;
      case "read":
        if (frame.role === "agent") {
          Object.keys(bubblesBySeq).forEach(function (seq) {
            if (Number(seq) <= frame.seq) bubblesBySeq[seq].setAttribute("data-read", "true");
          });
        }
        break;
      case "pong":
        clearTimeout(pongDeadline);
        break;
      case "error":
        if (frame.code === "unauthorized") {
          // The stored conversation is gone or not ours: start a fresh one.
          state.conversation_id = null;
          state.resume_token = null;
          state.last_seq = 0;
          save();
        } else if (frame.code === "rate_limited") {
          setTimeout(flushOutbox, 1500);
        }
        break;
    }
  }

  var readTimer = null;
  function sendReadSoon() {
    clearTimeout(readTimer);
    readTimer = setTimeout(function () {
      if (ready && panel.classList.contains("open")) {
        ws.send(JSON.stringify({ type: "read", seq: state.last_seq }));
      }
    }, 500);
  }

  function startPing() {
    clearInterval(pingTimer);
    pingTimer = setInterval(function () {
      if (!ws || ws.readyState !== WebSocket.OPEN) return;
      ws.send(JSON.stringify({ type: "ping" }));
      clearTimeout(pongDeadline);
      pongDeadline = setTimeout(function () { ws.close(); }, 10000);
    }, 25000);
  }

  function flushOutbox() {
    if (!ready) return;
    state.outbox.forEach(function (item) {
      ws.send(JSON.stringify({ type: "message", client_id: item.client_id, text: item.text }));
    });
  }

  function send(text) {
    text = (text || "").trim();
    if (!text) return;
    var item = { client_id: newClientId(), text: text.slice(0, 4000) };
    state.outbox.push(item);
    save();
    renderPending(item);
    setTyping(false);
    if (ready) {
      ws.send(JSON.stringify({ type: "message", client_id: item.client_id, text: item.text }));
    } else {
      connect();
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send(input.value);
    input.value = "";
  });
  var typingOn = false;
  var typingTimer = null;
  function setTyping(on) {
    if (typingOn === on || !ready) return;
    typingOn = on;
    ws.send(JSON.stringify({ type: "typing", on: on }));
  }
  input.addEventListener("input", function () {
    setTyping(true);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { setTyping(false); }, 3000);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send(input.value);
      input.value = "";
    }
  });

  // Show unacknowledged messages from before a reload; they are resent after welcome.
  state.outbox.forEach(renderPending);
  window.addEventListener("online", function () { if (!ready) connect(); });

  window.Kefu = {
    __loaded: true,
    open: open,
    close: close,
    send: send,
    state: function () { return JSON.parse(JSON.stringify(state)); },
    disconnect: function () { if (ws) ws.close(); },
  };
  if (script.getAttribute("data-open") === "true" || state.conversation_id) open();
})();
