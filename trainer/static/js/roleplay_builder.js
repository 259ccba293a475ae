// Scenario builder: show only the fields that apply to a rubric item's kind and check type.
// Without JavaScript every field stays visible; the server ignores the ones that do not apply.
(function () {
  function sync(item) {
    var kind = item.querySelector("[data-rb-kind]");
    var check = item.querySelector("[data-rb-check]");
    item.querySelectorAll("[data-rb-for-kind]").forEach(function (part) {
      part.toggleAttribute("data-rb-hidden", kind && part.dataset.rbForKind !== kind.value);
    });
    item.querySelectorAll("[data-rb-for-check]").forEach(function (part) {
      var types = part.dataset.rbForCheck.split(" ");
      part.toggleAttribute("data-rb-hidden", check && types.indexOf(check.value) < 0);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".rb-item").forEach(function (item) {
      sync(item);
      item.addEventListener("change", function (event) {
        if (event.target.matches("[data-rb-kind], [data-rb-check]")) sync(item);
      });
    });
  });
})();
