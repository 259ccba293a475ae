/* Result page of an ungraded conversation: ask the server to grade it, show the grade when ready.
   Without this script the page offers a "Grade now" button and a "Refresh" link. */
(function () {
  "use strict";

  var box = document.getElementById("rp-grading");
  if (!box || !window.Trainer) { return; }
  var status = document.getElementById("rp-grading-status");
  var url = box.getAttribute("data-grade-url");
  var tries = 0;

  function attempt() {
    tries += 1;
    window.Trainer.postJSON(url, {}).then(function (data) {
      if (data.status === "graded") {
        window.location.reload();
      } else if (tries < 200) {
        /* Another grader holds the session: ask again in a moment. */
        window.setTimeout(attempt, 3000);
      }
    }).catch(function () {
      status.textContent = box.getAttribute("data-msg-failed");
    });
  }

  attempt();
})();
