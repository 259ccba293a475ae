/* Drill editor: check the YAML as the trainer types (the server answers with line-numbered
   problems, the same ones saving would give). */
(function () {
  "use strict";

  var form = document.getElementById("dr-editor");
  if (!form) { return; }
  var area = document.getElementById("yaml_text");
  var box = document.getElementById("dr-problems");
  var label = form.dataset.lineLabel;
  var timer = null;

  function show(problems) {
    box.textContent = "";
    if (!problems.length) { return; }
    var list = document.createElement("ul");
    list.className = "problems";
    problems.forEach(function (p) {
      var item = document.createElement("li");
      item.textContent = label.replace("{line}", p.line).replace("{message}", p.message);
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  area.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      window.Trainer.postJSON(form.dataset.checkUrl, { text: area.value, slug: form.dataset.slug })
        .then(function (body) { show(body.problems || []); })
        .catch(function () { /* saving reports the problems anyway */ });
    }, 600);
  });
})();
