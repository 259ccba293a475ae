/* Courses: knowledge checks answered in place, "reached the end" of a lesson, and the lesson
   editor's live preview.
   Both enhance plain forms: without JavaScript the forms post and the page reloads. */
(function () {
  "use strict";

  function markOptions(form, data) {
    form.querySelectorAll("[data-option]").forEach(function (label) {
      var index = Number(label.getAttribute("data-option"));
      label.classList.toggle("is-correct", index === data.answer);
      label.classList.toggle("is-wrong", index === data.chosen && !data.correct);
    });
  }

  function showFeedback(form, verdict, explanation, state) {
    var box = form.querySelector("[data-feedback]");
    box.querySelector("[data-verdict]").textContent = verdict;
    box.querySelector("[data-explanation]").textContent = explanation;
    box.classList.toggle("is-correct", state === "correct");
    box.classList.toggle("is-wrong", state === "wrong");
    box.hidden = false;
  }

  function setUpCheck(form) {
    form.addEventListener("submit", function (event) {
      var chosen = form.querySelector("input[name=choice]:checked");
      if (!chosen || !window.Trainer) { return; }
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      window.Trainer.postJSON(form.action, { choice: Number(chosen.value) })
        .then(function (data) {
          markOptions(form, data);
          showFeedback(form, data.verdict, data.explanation, data.correct ? "correct" : "wrong");
        })
        .catch(function (error) { showFeedback(form, error.message, "", "wrong"); })
        .then(function () { button.disabled = false; });
    });
    form.setAttribute("data-ready", "true");  // answered in place from now on
  }

  /* A lesson can be marked complete once its end has been on screen: tell the server, then
     enable the button (the server refuses "complete" without it when the course asks). */
  function setUpReading(end) {
    if (end.getAttribute("data-reached") === "1" || !window.Trainer) { return; }
    if (!("IntersectionObserver" in window)) { return; }
    var button = end.querySelector("[data-testid=complete-lesson]");
    var hint = end.querySelector("[data-reach-hint]");
    if (button) { button.disabled = true; }
    var observer = new IntersectionObserver(function (entries) {
      if (!entries.some(function (entry) { return entry.isIntersecting; })) { return; }
      observer.disconnect();
      window.Trainer.postJSON(end.getAttribute("data-reach-url"), {}).then(function () {
        end.setAttribute("data-reached", "1");
        if (hint) { hint.hidden = true; }
      }).catch(function (error) {
        if (hint) { hint.textContent = error.message; }
      }).then(function () {
        if (button) { button.disabled = false; }  // the server has the last word either way
      });
    });
    observer.observe(end);
  }

  function setUpPreview(editor) {
    var source = editor.querySelector("[data-preview-source]");
    var target = document.querySelector("[data-preview]");
    var problems = document.querySelector("[data-preview-problems]");
    if (!source || !target || !window.Trainer) { return; }
    var timer = null;
    var latest = 0;
    function refresh() {
      var ticket = ++latest;
      window.Trainer.postJSON(editor.getAttribute("data-preview-url"), {
        markdown: source.value,
        course: editor.getAttribute("data-course")
      }).then(function (data) {
        if (ticket !== latest) { return; }
        target.innerHTML = data.html; /* sanitised on the server by the allow-list sanitiser */
        problems.textContent = "";
        (data.problems || []).forEach(function (text) {
          var item = document.createElement("li");
          item.textContent = text;
          problems.appendChild(item);
        });
      }).catch(function (error) {
        problems.textContent = "";
        var item = document.createElement("li");
        item.textContent = error.message;
        problems.appendChild(item);
      });
    }
    source.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 350);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-check]").forEach(setUpCheck);
    document.querySelectorAll("[data-lesson-end]").forEach(setUpReading);
    document.querySelectorAll("[data-preview-url]").forEach(setUpPreview);
  });
})();
