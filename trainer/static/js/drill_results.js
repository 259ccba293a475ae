/* Results page of a drill whose conversations are still being graded: follow grading
   (GET …/grading, which never writes) and show the page with the score once every served
   conversation is graded. Without this script the page offers "Refresh". */
(function () {
  "use strict";

  var box = document.getElementById("dr-grading");
  if (!box) { return; }
  var statusUrl = box.getAttribute("data-status-url");
  var polls = 0;

  function later(ms) {
    polls += 1;
    window.setTimeout(poll, ms);
  }

  function show(data) {
    if (!data.pending) {
      window.location.reload();
      return;
    }
    if (data.message) { box.firstChild.textContent = data.message + " "; }
    later(polls < 30 ? 2000 : 5000);
  }

  function failed() {
    box.firstChild.textContent = box.getAttribute("data-msg-failed") + " ";
    later(10000);
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

  later(1000);
})();
