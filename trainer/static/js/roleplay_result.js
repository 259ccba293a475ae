/* Result page of an ungraded conversation: follow grading (GET …/grading, which never writes)
   and show the grade when it is stored. A conversation nobody queued yet is sent for grading
   once (POST …/grade). Without this script the page offers "Grade now" and "Refresh". */
(function () {
  "use strict";

  var box = document.getElementById("rp-grading");
  if (!box || !window.Trainer) { return; }
  var status = document.getElementById("rp-grading-status");
  var statusUrl = box.getAttribute("data-status-url");
  var gradeUrl = box.getAttribute("data-grade-url");
  var STAGES = { idle: 1, queued: 1, retrying: 2, judging: 2, failed: 2, graded: 3 };
  var polls = 0;
  var asked = false;

  function showStage(state) {
    var stage = STAGES[state] || 1;
    box.setAttribute("data-state", state);
    Array.prototype.forEach.call(box.querySelectorAll("[data-stage]"), function (item) {
      var n = Number(item.getAttribute("data-stage"));
      item.className = n === stage ? "current" : (n < stage ? "done" : "");
    });
  }

  function show(data) {
    if (data.message) { status.textContent = data.message; }
    showStage(data.status);
    if (data.status === "graded") {
      window.location.reload();
      return;
    }
    if (data.status === "idle" && !asked) {
      asked = true;
      window.Trainer.postJSON(gradeUrl, {}).then(show).catch(failed);
      return;
    }
    if (data.status === "failed") { /* the "Grade now" button tries again */
      document.getElementById("rp-grade-again").hidden = false;
      return;
    }
    polls += 1;
    window.setTimeout(poll, polls < 30 ? 2000 : 5000);
  }

  function failed() {
    status.textContent = box.getAttribute("data-msg-failed");
    polls += 1;
    window.setTimeout(poll, 10000);
  }

  function poll() {
    fetch(statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(show)
      .catch(failed);
  }

  poll();
})();
