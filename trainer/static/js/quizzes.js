/* Quizzes: autosave each answer as soon as it is chosen, the countdown, the question navigator,
   the check before submitting, and the question form.
   The attempt page works as a plain form without this file; this adds saving on the fly,
   retries while the server cannot be reached, and a visible warning until every answer is in. */
(function () {
  "use strict";

  var RETRY_MAX_MS = 15000;

  function fieldsOf(fieldset) {
    var fields = {};
    fieldset.querySelectorAll("input[name], select[name]").forEach(function (el) {
      if (el.hasAttribute("data-flag")) { return; }
      if (!(el.name in fields)) { fields[el.name] = []; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      if (el.value !== "") { fields[el.name].push(el.value); }
    });
    return fields;
  }

  function isAnswered(fieldset) {
    var fields = fieldsOf(fieldset);
    return Object.keys(fields).some(function (name) {
      return fields[name].some(function (value) { return value.trim() !== ""; });
    });
  }

  function isFlagged(fieldset) {
    var flag = fieldset.querySelector("[data-flag]");
    return !!(flag && flag.checked);
  }

  /* The navigator mirrors the page: answered / not answered / flagged, as the agent works. */
  function setupNavigator(form) {
    var nav = document.getElementById("quiz-nav");
    var legend = nav ? nav.querySelector(".quiz-nav-legend") : null;
    var progress = document.querySelector(".quiz-progress");
    var fieldsets = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-slot]"));
    function word(key) { return legend ? legend.getAttribute("data-text-" + key) : ""; }

    function update() {
      var answered = 0;
      fieldsets.forEach(function (fieldset) {
        var done = isAnswered(fieldset);
        var flagged = isFlagged(fieldset);
        if (done) { answered += 1; }
        fieldset.classList.toggle("is-flagged", flagged);
        if (!nav) { return; }
        var item = nav.querySelector('[data-nav-slot="' + fieldset.getAttribute("data-slot") + '"]');
        if (!item) { return; }
        item.classList.toggle("is-answered", done);
        item.classList.toggle("is-flagged", flagged);
        var state = item.querySelector(".quiz-nav-state");
        if (state) {
          state.textContent = " " + word(done ? "answered" : "unanswered") + (flagged ? ", " + word("flagged") : "");
        }
      });
      if (progress) {
        progress.textContent = progress.getAttribute("data-text")
          .replace("%(answered)s", answered).replace("%(total)s", fieldsets.length);
      }
    }

    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
    return {
      unanswered: function () { return fieldsets.filter(function (f) { return !isAnswered(f); }); },
      flagged: function () { return fieldsets.filter(isFlagged); }
    };
  }

  /* Before submitting: list the questions not answered (and those flagged), with links back. */
  function setupSubmitCheck(form, navigator, autosave) {
    var button = form.querySelector("[data-submit-attempt]");
    var dialog = document.getElementById("quiz-confirm");
    if (!button || !dialog || typeof dialog.showModal !== "function") { return; }

    function fill(list, fieldsets) {
      list.textContent = "";
      fieldsets.forEach(function (fieldset) {
        var link = document.createElement("a");
        link.href = "#" + fieldset.id;
        link.textContent = fieldset.querySelector("legend").textContent;
        link.addEventListener("click", function () { dialog.close(); });
        var item = document.createElement("li");
        item.appendChild(link);
        list.appendChild(item);
      });
      return fieldsets.length;
    }

    button.addEventListener("click", function (event) {
      event.preventDefault();
      var unanswered = fill(dialog.querySelector("[data-confirm-unanswered-list]"), navigator.unanswered());
      var flagged = fill(dialog.querySelector("[data-confirm-flagged-list]"), navigator.flagged());
      dialog.querySelector("[data-confirm-unanswered]").hidden = unanswered === 0;
      dialog.querySelector("[data-confirm-flagged]").hidden = flagged === 0;
      dialog.showModal();
    });
    dialog.querySelector("[data-confirm-cancel]").addEventListener("click", function () { dialog.close(); });
    dialog.querySelector("[data-confirm-submit]").addEventListener("click", function () {
      dialog.close();
      autosave.submitNow();
    });
  }

  function clock(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function setupAutosave(form) {
    var url = form.getAttribute("data-autosave-url");
    var status = document.querySelector(".quiz-save-status");
    var warning = document.querySelector(".quiz-unsaved");
    var text = function (key) { return status ? status.getAttribute("data-text-" + key) : ""; };
    var slots = {};
    var closed = false;

    function refresh() {
      var unsaved = Object.keys(slots).some(function (k) { return slots[k].failed; });
      var busy = Object.keys(slots).some(function (k) { return slots[k].timer || slots[k].inflight; });
      if (warning) { warning.hidden = !unsaved; }
      if (!status || closed) { return; }
      status.textContent = unsaved ? text("unsaved") : (busy ? text("saving") : text("saved"));
      status.classList.toggle("is-unsaved", unsaved);
    }

    function slotState(slot) {
      if (!slots[slot]) { slots[slot] = { version: 0, sent: 0, timer: null, inflight: false, failed: false, delay: 1000 }; }
      return slots[slot];
    }

    function mark(fieldset, message, bad) {
      var line = fieldset.querySelector(".quiz-slot-status");
      if (line) { line.textContent = message; line.classList.toggle("is-unsaved", !!bad); }
    }

    function closeAttempt(message) {
      closed = true;
      if (status) { status.textContent = message || text("closed"); status.classList.add("is-unsaved"); }
      form.querySelectorAll("input, select, button").forEach(function (el) {
        if (el.name !== "csrf_token") { el.disabled = true; }
      });
      window.setTimeout(function () { window.location.reload(); }, 2500);
    }

    function send(fieldset, slot) {
      var state = slotState(slot);
      state.timer = null;
      if (closed || state.inflight) { return; }
      var version = state.version;
      state.inflight = true;
      refresh();
      var body = { slot: slot, fields: fieldsOf(fieldset), flagged: isFlagged(fieldset) };
      window.Trainer.postJSON(url, body).then(function (data) {
        // A signed-out session is redirected to the login page: that is not a save.
        if (!data || !data.saved_at) { throw Object.assign(new Error(text("unsaved")), { status: 0 }); }
        state.inflight = false;
        state.failed = false;
        state.delay = 1000;
        state.sent = version;
        mark(fieldset, (text("saved") ? "✓ " : "") + clock(new Date(data.saved_at)));
        if (state.version !== version) { schedule(fieldset, slot, 0); }
        refresh();
      }).catch(function (error) {
        state.inflight = false;
        if (error.status === 409) { closeAttempt(error.message); return; }
        if (error.status === 400 || error.status === 404) {
          mark(fieldset, error.message, true);
          refresh();
          return;
        }
        // Network down, server restarting, 5xx, expired session: keep the answer, try again.
        state.failed = true;
        mark(fieldset, text("unsaved"), true);
        refresh();
        state.timer = window.setTimeout(function () { send(fieldset, slot); }, state.delay);
        state.delay = Math.min(state.delay * 2, RETRY_MAX_MS);
      });
    }

    function schedule(fieldset, slot, wait) {
      var state = slotState(slot);
      state.version += 1;
      if (state.timer) { window.clearTimeout(state.timer); }
      state.timer = window.setTimeout(function () { send(fieldset, slot); }, wait);
      refresh();
    }

    form.querySelectorAll("fieldset[data-slot]").forEach(function (fieldset) {
      var slot = parseInt(fieldset.getAttribute("data-slot"), 10);
      fieldset.addEventListener("change", function () { schedule(fieldset, slot, 250); });
      fieldset.addEventListener("input", function (event) {
        if (event.target.type === "text") { schedule(fieldset, slot, 800); }
      });
    });

    window.addEventListener("online", function () {
      Object.keys(slots).forEach(function (slot) {
        var state = slots[slot];
        if (state.failed && !state.inflight) {
          if (state.timer) { window.clearTimeout(state.timer); }
          send(form.querySelector('fieldset[data-slot="' + slot + '"]'), parseInt(slot, 10));
        }
      });
    });

    window.addEventListener("beforeunload", function (event) {
      if (submitting || closed) { return; }
      var pending = Object.keys(slots).some(function (k) {
        return slots[k].failed || slots[k].timer || slots[k].inflight;
      });
      if (pending) { event.preventDefault(); event.returnValue = ""; }
    });

    var submitting = false;
    form.addEventListener("submit", function () { submitting = true; });
    return { submitNow: function () {
      if (submitting) { return; }
      submitting = true;
      var action = document.createElement("input");
      action.type = "hidden";
      action.name = "action";
      action.value = "submit";
      form.appendChild(action);
      form.submit();
    }, text: text };
  }

  function setupCountdown(bar, autosave) {
    var deadline = Date.parse(bar.getAttribute("data-deadline") || "");
    var serverNow = Date.parse(bar.getAttribute("data-server-now") || "");
    var out = bar.querySelector(".quiz-countdown");
    if (isNaN(deadline) || isNaN(serverNow) || !out) { return; }
    // The server owns time: measure against its clock, not the device's.
    var offset = serverNow - Date.now();
    function tick() {
      var left = Math.round((deadline - (Date.now() + offset)) / 1000);
      if (left <= 0) {
        out.textContent = autosave.text("timeup");
        window.clearInterval(timer);
        autosave.submitNow();
        return;
      }
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      var time = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      out.textContent = "(" + autosave.text("left").replace("%(time)s", time) + ")";
      bar.classList.toggle("is-ending", left <= 60);
    }
    var timer = window.setInterval(tick, 1000);
    tick();
  }

  function setupQuestionForm(select) {
    var parts = document.querySelectorAll(".quiz-type-part");
    function show() {
      parts.forEach(function (part) {
        part.hidden = part.getAttribute("data-qtypes").split(" ").indexOf(select.value) < 0;
      });
    }
    select.addEventListener("change", show);
    show();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("quiz-form");
    if (form) {
      var autosave = setupAutosave(form);
      var bar = document.getElementById("quiz-bar");
      if (bar) { setupCountdown(bar, autosave); }
      setupSubmitCheck(form, setupNavigator(form), autosave);
    }
    var select = document.querySelector("[data-qtype-select]");
    if (select) { setupQuestionForm(select); }
  });
})();
