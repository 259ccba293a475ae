/* Drill workspace: several customers at once. The page POSTs a tick every second (the server
   records arrivals, follow-ups and departures by its own clock) and renders the returned state;
   a message to one customer streams that customer's reply as the single chat page does. */
(function () {
  "use strict";

  var root = document.getElementById("dr-workspace");
  if (!root) { return; }

  var data = root.dataset;
  var labels = JSON.parse(data.labels || "{}");
  var list = document.getElementById("dr-list");
  var switcher = document.getElementById("dr-switch");
  var title = document.getElementById("dr-chat-title");
  var transcript = document.getElementById("dr-transcript");
  var scroll = document.getElementById("dr-scroll");
  var status = document.getElementById("dr-status");
  var errorBox = document.getElementById("dr-error");
  var errorText = document.getElementById("dr-error-text");
  var retry = document.getElementById("dr-retry");
  var form = document.getElementById("dr-composer");
  var input = document.getElementById("dr-input");
  var send = document.getElementById("dr-send");
  var remaining = document.getElementById("dr-remaining");
  var upcoming = document.getElementById("dr-upcoming");
  var noticeBox = document.getElementById("dr-notice");
  var phraseButtons = Array.prototype.slice.call(document.querySelectorAll(".dr-phrase"));
  var PHRASE_KEYS = "qwertyuio";

  var state = { customers: [] };
  var active = null;        // the selected customer's position
  var streaming = {};       // position -> true while a reply streams
  var shownTurns = {};      // position -> turns rendered
  var skew = 0;             // server clock minus browser clock, ms
  var leaving = false;

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function clock(iso) {
    var d = new Date(iso);
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  function serverNow() { return Date.now() + skew; }

  function customer(position) {
    return state.customers.filter(function (c) { return c.position === position; })[0] || null;
  }

  function phaseOf(c) {
    if (c.phase === "served" && !c.active) { return "ended"; }
    return c.phase;
  }

  function waitedSeconds(c) {
    if (!c.waiting_since || !c.active) { return null; }
    return Math.max(0, Math.round((serverNow() - new Date(c.waiting_since).getTime()) / 1000));
  }

  function badge(text, cls) {
    var span = document.createElement("span");
    span.className = "badge " + (cls || "");
    span.textContent = text;
    return span;
  }

  function renderList() {
    list.textContent = "";
    switcher.textContent = "";
    var placeholder = document.createElement("option");
    placeholder.value = "";
    placeholder.textContent = labels.pick;
    switcher.appendChild(placeholder);
    if (!state.customers.length) {
      var empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = labels.none;
      list.appendChild(empty);
    }
    state.customers.forEach(function (c, index) {
      var phase = phaseOf(c);
      var li = document.createElement("li");
      li.className = "dr-item dr-" + phase + (c.about_to_leave ? " dr-leaving" : "") +
        (c.position === active ? " dr-active" : "");
      li.setAttribute("data-testid", "dr-customer-" + c.position);
      li.setAttribute("data-phase", c.phase);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "dr-pick";
      var name = document.createElement("strong");
      name.textContent = (index < 9 ? (index + 1) + ". " : "") + c.name;
      button.appendChild(name);
      button.appendChild(badge(labels[phase] || phase, phase === "left" ? "bad" : c.about_to_leave ? "warn" : ""));
      if (c.unread && c.active) { button.appendChild(badge(String(c.unread), "accent dr-unread")); }
      if (c.mood) { button.appendChild(badge(labels[c.mood] || c.mood, "rp-mood-" + c.mood)); }
      var meta = document.createElement("span");
      meta.className = "dr-meta muted";
      var waited = waitedSeconds(c);
      var parts = [];
      if (waited !== null) { parts.push(fill(labels.waited, { s: waited })); }
      if (c.leaves_in !== undefined && (c.phase === "waiting" || c.phase === "impatient")) {
        parts.push(fill(labels.leaves, { s: c.leaves_in }));
      }
      meta.textContent = parts.join(" · ");
      button.appendChild(meta);
      button.addEventListener("click", function () { select(c.position); });
      li.appendChild(button);
      list.appendChild(li);
      var option = document.createElement("option");
      option.value = String(c.position);
      option.textContent = c.name + " · " + (labels[phase] || phase) + (c.unread && c.active ? " (" + c.unread + ")" : "");
      if (c.position === active) { option.selected = true; }
      switcher.appendChild(option);
    });
  }

  function addMessage(speaker, text, at, extra) {
    var msg = document.createElement("div");
    msg.className = "rp-msg rp-" + speaker + (extra ? " " + extra : "");
    var bubble = document.createElement("div");
    bubble.className = "rp-bubble";
    bubble.textContent = text;
    var meta = document.createElement("div");
    meta.className = "rp-meta";
    var who = document.createElement("span");
    var c = customer(active);
    who.textContent = speaker === "agent" ? data.youLabel : (c ? c.name : "");
    var time = document.createElement("time");
    time.textContent = at ? clock(at) : clock(new Date(serverNow()).toISOString());
    meta.appendChild(who);
    meta.appendChild(time);
    msg.appendChild(bubble);
    msg.appendChild(meta);
    transcript.appendChild(msg);
    scroll.scrollTop = scroll.scrollHeight;
    return msg;
  }

  function renderChat(force) {
    var c = customer(active);
    if (!c) {
      title.textContent = labels.pick;
      transcript.textContent = "";
      input.disabled = true;
      send.disabled = true;
      return;
    }
    title.textContent = "#" + c.position + " " + c.name + (c.title ? " · " + c.title : "");
    if (!streaming[active] && (force || shownTurns[active] !== c.turns.length)) {
      transcript.textContent = "";
      c.turns.forEach(function (t) { addMessage(t.speaker, t.text, t.at); });
      if (c.left) { addMessage("customer", c.leave_text, null, "dr-left-note"); }
      shownTurns[active] = c.turns.length;
    }
    var open = c.active && c.phase !== "left";
    input.disabled = !open;
    send.disabled = !open || !!streaming[active];
    if (!streaming[active]) { status.textContent = open ? "" : (labels[phaseOf(c)] || ""); }
  }

  function renderBar() {
    var left = Math.max(0, state.remaining || 0);
    remaining.textContent = fill(labels.remaining, { m: Math.floor(left / 60), s: pad(left % 60) });
    upcoming.textContent = state.upcoming ? fill(labels.upcoming, { n: state.upcoming }) : "";
  }

  function render() {
    if (active === null && state.customers.length) { active = state.customers[0].position; }
    renderBar();
    renderList();
    renderChat(false);
  }

  function select(position) {
    if (!customer(position)) { return; }
    active = position;
    clearError();
    renderList();
    renderChat(true);
    if (!input.disabled) { input.focus(); }
  }

  function tick() {
    window.Trainer.postJSON(data.tickUrl, {}).then(function (next) {
      skew = new Date(next.now).getTime() - Date.now();
      state = next;
      if (next.results_url && !leaving) {
        leaving = true;
        window.setTimeout(function () { window.location.assign(next.results_url); }, 800);
      }
      render();
    }).catch(function () { /* the next tick tries again */ });
  }

  function showError(text, canRetry) {
    errorText.textContent = text;
    retry.hidden = !canRetry;
    errorBox.hidden = false;
  }

  function clearError() { errorBox.hidden = true; errorText.textContent = ""; }

  function url(template, position) {
    return template.replace("/customers/0/", "/customers/" + position + "/");
  }

  /* POST, then read the reply's events (sse.js). */
  var stream = window.Trainer.streamEvents;

  function receive(target, body, position) {
    var bubble = null;
    streaming[position] = true;
    send.disabled = true;
    clearError();
    function here() { return active === position; }
    return stream(target, body, {
      start: function () {
        if (here()) { status.textContent = labels.typing; bubble = addMessage("customer", "", null, "rp-streaming"); }
      },
      notice: function (event) {  // for the whole drill (the day's AI budget), not one chat
        if (noticeBox) { noticeBox.textContent = event.message; noticeBox.hidden = false; }
      },
      delta: function (event) {
        if (here() && bubble) { bubble.querySelector(".rp-bubble").textContent += event.text; }
      },
      done: function () { status.textContent = ""; },
      error: function (event) { if (here()) { showError(event.message, true); } }
    }).catch(function (error) {
      if (here()) { showError(error.refused ? error.message : labels.network, !error.refused); }
    }).then(function () {
      streaming[position] = false;
      shownTurns[position] = -1;  // re-render from the stored turns
      tick();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || active === null || streaming[active]) { return; }
    var position = active;
    addMessage("agent", text, null, "rp-sending");
    input.value = "";
    receive(url(data.turnUrl, position), { text: text }, position);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.dispatchEvent(new Event("submit")); }
    }
  });

  retry.addEventListener("click", function () {
    if (active !== null) { receive(url(data.replyUrl, active), {}, active); }
  });

  switcher.addEventListener("change", function () {
    if (switcher.value) { select(parseInt(switcher.value, 10)); }
  });

  function insertPhrase(text) {
    if (input.disabled) { return; }
    input.value = input.value ? input.value + text : text;
    input.focus();
  }

  phraseButtons.forEach(function (button) {
    button.addEventListener("click", function () { insertPhrase(button.getAttribute("data-text")); });
  });

  document.addEventListener("keydown", function (event) {
    var customers = state.customers;
    if (event.altKey && /^[1-9]$/.test(event.key)) {
      var target = customers[parseInt(event.key, 10) - 1];
      if (target) { event.preventDefault(); select(target.position); }
      return;
    }
    if (event.altKey && event.key.length === 1 && PHRASE_KEYS.indexOf(event.key.toLowerCase()) >= 0) {
      var phrase = phraseButtons[PHRASE_KEYS.indexOf(event.key.toLowerCase())];
      if (phrase) { event.preventDefault(); insertPhrase(phrase.getAttribute("data-text")); }
      return;
    }
    if (event.ctrlKey && (event.key === "ArrowUp" || event.key === "ArrowDown") && customers.length) {
      event.preventDefault();
      var index = customers.map(function (c) { return c.position; }).indexOf(active);
      index = event.key === "ArrowUp" ? Math.max(0, index - 1) : Math.min(customers.length - 1, index + 1);
      select(customers[index].position);
    }
  });

  window.setInterval(function () { renderList(); }, 1000);  // waiting times tick between polls
  window.setInterval(tick, 1000);
  tick();
})();
