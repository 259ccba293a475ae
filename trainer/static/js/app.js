/* Site-wide behaviour: mobile navigation, confirmations, and a CSRF-aware fetch helper. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /* POST JSON with the page's CSRF token; resolves to the parsed body, rejects on HTTP errors. */
  function postJSON(url, body, options) {
    var init = Object.assign({
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfToken()
      },
      body: JSON.stringify(body || {})
    }, options || {});
    return fetch(url, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.error || response.statusText);
          error.status = response.status;
          error.data = data;
          throw error;
        }
        return data;
      });
    });
  }

  /* Give every body cell of a data table its column's heading as `data-label`, so on a phone
     (app.css) each row stacks into a card that names its fields. Cells that already carry a
     label keep it; header cells spanning columns label each column they span. */
  function labelTableCells(root) {
    root.querySelectorAll("table.table").forEach(function (table) {
      var headRow = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
      if (!headRow) { return; }
      var labels = [];
      Array.prototype.forEach.call(headRow.cells, function (cell) {
        for (var i = 0; i < (cell.colSpan || 1); i++) { labels.push(cell.textContent.trim()); }
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            if (!cell.hasAttribute("data-label") && labels[column] && cell.colSpan < labels.length) {
              cell.setAttribute("data-label", labels[column]);
            }
            column += cell.colSpan || 1;
          });
        });
      });
    });
  }

  /* The height the page really has on screen, as `--viewport-height` on the root element: on a
     phone the on-screen keyboard shrinks the visual viewport but not `100vh` (nor, on Android,
     `100dvh`). A focused field inside `[data-keep-in-view]` keeps that whole box on screen, so
     a chat's composer and send button stay visible above the keyboard. */
  function followViewport() {
    var viewport = window.visualViewport;
    var height = viewport ? viewport.height : window.innerHeight;
    document.documentElement.style.setProperty("--viewport-height", height + "px");
    var focused = document.activeElement;
    var box = focused && focused.closest && focused.closest("[data-keep-in-view]");
    if (box) { box.scrollIntoView({ block: "end" }); }
  }

  window.Trainer = { csrfToken: csrfToken, postJSON: postJSON, labelTableCells: labelTableCells };

  document.addEventListener("DOMContentLoaded", function () {
    labelTableCells(document);
    /* A table wider than its box scrolls inside it; keyboard users reach it with Tab. */
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
      }
    });
    followViewport();
    (window.visualViewport || window).addEventListener("resize", followViewport);
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("main-nav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    /* One menu group open at a time; a click elsewhere closes it. */
    var groups = document.querySelectorAll(".nav-group");
    groups.forEach(function (group) {
      group.addEventListener("toggle", function () {
        if (!group.open) { return; }
        groups.forEach(function (other) { if (other !== group) { other.open = false; } });
      });
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest(".nav-group")) {
        groups.forEach(function (group) { group.open = false; });
      }
    });
    document.addEventListener("click", function (event) {
      var target = event.target.closest("[data-confirm]");
      if (target && !window.confirm(target.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
})();
