// Công Vụ: the only first-party script. htmx does the partial updates; this file adds the
// few behaviours htmx has no attribute for.
(function () {
  "use strict";
  // After a refused submission the page comes back with errors: put the keyboard focus on the
  // first field in error (or the form's error summary) instead of the top of the page.
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.querySelector("[aria-invalid=true], .form-errors");
    if (!target) return;
    if (target.classList.contains("form-errors")) target.setAttribute("tabindex", "-1");
    target.focus();
  });
  // A form submits once: the button is disabled until the response arrives (the server also
  // refuses a replayed idempotency token, so a second click can never create a second event).
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.dataset.once === undefined) return;
    if (form.dataset.sent) { e.preventDefault(); return; }
    form.dataset.sent = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
  });
  // A chip's × removes it (server-rendered chips; new chips get their own listener below).
  document.addEventListener("click", function (e) {
    var x = e.target.closest("[data-remove-chip]");
    if (x) { e.preventDefault(); x.parentNode.remove(); }
  });
  // Tree browsing in a picker: ▸ loads the children once (htmx), then folds and unfolds them.
  document.addEventListener("click", function (e) {
    var toggle = e.target.closest("[data-toggle-tree]");
    if (!toggle) return;
    var open = toggle.getAttribute("aria-expanded") === "true";
    var list = toggle.parentNode.querySelector("ul");
    if (toggle.dataset.loaded) {
      e.preventDefault();
      e.stopImmediatePropagation();
      list.hidden = open;
    }
    toggle.dataset.loaded = "1";
    toggle.setAttribute("aria-expanded", open ? "false" : "true");
    toggle.textContent = open ? "▸" : "▾";
  }, true);
  // Pickers: a result button fills the hidden id and the visible label.
  function addChip(box, id, label) {
    var chosen = box.querySelector(".chosen");
    if (box.dataset.picker !== "many") {
      chosen.innerHTML = "";
    } else if (chosen.querySelector('input[value="' + id + '"]')) {
      return null;
    }
    var chip = document.createElement("span");
    chip.className = "chip";
    chip.textContent = label + " ";
    var input = document.createElement("input");
    input.type = "hidden"; input.name = box.dataset.name; input.value = id;
    var remove = document.createElement("button");
    remove.type = "button"; remove.className = "chip-x"; remove.textContent = "×";
    remove.setAttribute("aria-label", (box.dataset.removeLabel || "Bỏ") + " " + label);
    remove.addEventListener("click", function () { chip.remove(); });
    chip.appendChild(input); chip.appendChild(remove);
    chosen.appendChild(chip);
    chosen.dispatchEvent(new Event("change", { bubbles: true }));
    return remove;
  }
  function pickFrom(pick) {
    var box = pick.closest("[data-picker]");
    var remove = addChip(box, pick.dataset.pick, pick.dataset.label);
    if (remove === null) return;
    // A person brings their unit to an empty unit picker of the same form (the lead unit).
    var unitBox = box.dataset.fillsUnit && document.getElementById("picker-" + box.dataset.fillsUnit);
    if (unitBox && pick.dataset.unit && !unitBox.querySelector(".chosen input")) {
      addChip(unitBox, pick.dataset.unit, pick.dataset.unitLabel);
    }
    var results = box.querySelector(".pick-results");
    if (results) results.innerHTML = "";
    var q = box.querySelector("input[type=search]");
    if (q) q.value = "";
    // Focus stays on the chosen chip, not the search box: focusing the search box would
    // fetch the whole list again (its focus trigger), shifting the page under the pointer
    // and swallowing the next click (issue #15). A multiple picker keeps typing.
    if (box.dataset.picker === "many" && q) { q.focus(); } else { remove.focus(); }
  }
  document.addEventListener("click", function (e) {
    var pick = e.target.closest("[data-pick]");
    if (!pick) return;
    e.preventDefault();
    pickFrom(pick);
  });
  // Enter in a picker's search box picks the first result; it never submits the form.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !e.target.matches("[data-picker] input[type=search]")) return;
    e.preventDefault();
    var first = e.target.closest("[data-picker]").querySelector(".pick-results [data-pick]");
    if (first) pickFrom(first);
  });
  // Bulk selection on task lists ([data-bulk] forms): "select all" ticks the page's rows and
  // the bar says how many are chosen; the bulk actions in it post the ticked "chon" values.
  document.addEventListener("change", function (e) {
    var form = e.target.closest("[data-bulk]");
    if (!form) return;
    var boxes = form.querySelectorAll('input[name="chon"]');
    if (e.target.matches("[data-bulk-all]")) {
      boxes.forEach(function (b) { b.checked = e.target.checked; });
    }
    var n = form.querySelectorAll('input[name="chon"]:checked').length;
    var bar = form.querySelector("[data-bulk-bar]");
    if (bar) {
      bar.hidden = n === 0;
      var count = bar.querySelector("[data-bulk-count]");
      if (count) count.textContent = (bar.dataset.countLabel || "Đã chọn") + ": " + n;
    }
  });
})();
