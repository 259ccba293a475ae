/* Role-play chat: send the agent's message, read the customer's reply as it streams
   (server-sent events over a POST response), show failures with a retry. */
(function () {
  "use strict";

  var root = document.getElementById("rp-chat");
  if (!root) { return; }

  var scroll = document.getElementById("rp-scroll");
  var transcript = scroll.querySelector(".rp-transcript");
  var form = document.getElementById("rp-composer");
  var input = document.getElementById("rp-input");
  var send = document.getElementById("rp-send");
  var status = document.getElementById("rp-status");
  var errorBox = document.getElementById("rp-error");
  var errorText = document.getElementById("rp-error-text");
  var retry = document.getElementById("rp-retry");
  var counter = document.getElementById("rp-counter");
  var moodBadge = document.getElementById("rp-mood");
  var endForm = document.getElementById("rp-end-form");
  var data = root.dataset;
  var maxChars = parseInt(data.maxChars, 10) || 500;
  var moodLabels = {};
  try { moodLabels = JSON.parse(data.moodLabels || "{}"); } catch (e) { moodLabels = {}; }
  var busy = false;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function clock(date) {
    return pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds());
  }

  function scrollDown() { scroll.scrollTop = scroll.scrollHeight; }

  /* A message bubble; text always goes in as text, never as HTML. */
  function addMessage(speaker, text, state) {
    var msg = document.createElement("div");
    msg.className = "rp-msg rp-" + speaker + (state ? " " + state : "");
    var bubble = document.createElement("div");
    bubble.className = "rp-bubble";
    bubble.textContent = text;
    var meta = document.createElement("div");
    meta.className = "rp-meta";
    var who = document.createElement("span");
    who.textContent = speaker === "agent" ? data.youLabel : data.customerName;
    var time = document.createElement("time");
    time.textContent = clock(new Date());
    meta.appendChild(who);
    meta.appendChild(time);
    msg.appendChild(bubble);
    msg.appendChild(meta);
    transcript.appendChild(msg);
    scrollDown();
    return msg;
  }

  function setStatus(text) { status.textContent = text || ""; }

  /* A note from the server in the chat (e.g. the AI budget is spent), before `before` if given. */
  function addNotice(text, before) {
    var note = document.createElement("p");
    note.className = "rp-notice";
    note.setAttribute("role", "status");
    note.setAttribute("data-testid", "rp-notice");
    note.textContent = text;
    if (before && before.parentNode === transcript) {
      transcript.insertBefore(note, before);
    } else {
      transcript.appendChild(note);
    }
    scrollDown();
    return note;
  }

  function showError(text, canRetry) {
    errorText.textContent = text;
    retry.hidden = !canRetry;
    errorBox.hidden = false;
  }

  function clearError() { errorBox.hidden = true; errorText.textContent = ""; }

  function setBusy(value) {
    busy = value;
    send.disabled = value;
    retry.disabled = value;
  }

  function updateCounter() {
    counter.textContent = input.value.length + " / " + maxChars;
    counter.classList.toggle("rp-over", input.value.length > maxChars);
  }

  function conversationEnded() {
    setStatus(data.msgEnded);
    input.disabled = true;
    send.disabled = true;
    window.setTimeout(function () {
      if (endForm.requestSubmit) { endForm.requestSubmit(); } else { endForm.submit(); }
    }, 1200);
  }

  /* POST, then read the reply's events (sse.js). */
  var stream = window.Trainer.streamEvents;

  /* Run one reply request (a new message or a retry) and render what comes back. */
  function receive(url, body, agentMsg) {
    var bubble = null;
    var settled = false;
    setBusy(true);
    clearError();
    return stream(url, body, {
      saved: function (event) {
        if (agentMsg) {
          agentMsg.classList.remove("rp-sending");
          agentMsg.setAttribute("data-seq", event.seq);
          agentMsg.querySelector("time").textContent = event.clock || clock(new Date(event.at));
        }
      },
      start: function () {
        setStatus(data.msgTyping);
        bubble = addMessage("customer", "", "rp-streaming");
      },
      notice: function (event) { addNotice(event.message, bubble); },
      delta: function (event) {
        if (!bubble) { bubble = addMessage("customer", "", "rp-streaming"); }
        bubble.querySelector(".rp-bubble").textContent += event.text;
        scrollDown();
      },
      done: function (event) {
        settled = true;
        bubble.classList.remove("rp-streaming");
        bubble.setAttribute("data-seq", event.seq);
        bubble.querySelector(".rp-bubble").textContent = event.text;
        bubble.querySelector("time").textContent = event.clock || clock(new Date(event.at));
        moodBadge.textContent = moodLabels[event.mood_label] || event.mood;
        moodBadge.className = "badge rp-mood-" + event.mood_label;
        setStatus("");
        if (event.ended) { conversationEnded(); }
      },
      error: function (event) {
        settled = true;
        if (bubble) { bubble.remove(); bubble = null; }
        setStatus("");
        showError(event.message, true);
      },
      superseded: function () {
        settled = true;
        if (bubble) { bubble.remove(); }
        setStatus("");
      }
    }).then(function () {
      if (!settled) {
        if (bubble) { bubble.remove(); }
        setStatus("");
        showError(data.msgNetwork, true);
      }
    }).catch(function (error) {
      if (bubble) { bubble.remove(); }
      setStatus("");
      if (error.refused) {
        if (agentMsg) {
          agentMsg.remove();
          if (!input.value) { input.value = body.text || ""; updateCounter(); }
        }
        showError(error.message, false);
      } else {
        showError(data.msgNetwork, true);
      }
    }).then(function () {
      setBusy(false);
      if (!input.disabled) { input.focus(); }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || busy) { return; }
    if (text.length > maxChars) { showError(data.msgTooLong, false); return; }
    var agentMsg = addMessage("agent", text, "rp-sending");
    input.value = "";
    updateCounter();
    receive(data.turnUrl, { text: text }, agentMsg);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.dispatchEvent(new Event("submit")); }
    }
  });
  input.addEventListener("input", updateCounter);

  retry.addEventListener("click", function () {
    if (!busy) { receive(data.replyUrl, {}, null); }
  });

  if (data.pending === "true") {
    showError(data.msgWaiting, true);
  }
  updateCounter();
  scrollDown();
  input.focus();
  root.setAttribute("data-ready", "true");  // the chat sends through this script from now on
})();
