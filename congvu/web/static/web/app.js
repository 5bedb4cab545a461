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
  document.addEventListener("click", function (e) {
    var pick = e.target.closest("[data-pick]");
    if (!pick) return;
    e.preventDefault();
    var box = pick.closest("[data-picker]");
    var multiple = box.dataset.picker === "many";
    var name = box.dataset.name;
    var chosen = box.querySelector(".chosen");
    if (!multiple) {
      chosen.innerHTML = "";
    } else if (chosen.querySelector('input[value="' + pick.dataset.pick + '"]')) {
      return;
    }
    var chip = document.createElement("span");
    chip.className = "chip";
    chip.textContent = pick.dataset.label + " ";
    var input = document.createElement("input");
    input.type = "hidden"; input.name = name; input.value = pick.dataset.pick;
    var remove = document.createElement("button");
    remove.type = "button"; remove.className = "chip-x"; remove.textContent = "×";
    remove.setAttribute("aria-label", (box.dataset.removeLabel || "Bỏ") + " " + pick.dataset.label);
    remove.addEventListener("click", function () { chip.remove(); });
    chip.appendChild(input); chip.appendChild(remove);
    chosen.appendChild(chip);
    var results = box.querySelector(".pick-results");
    if (results) results.innerHTML = "";
    var q = box.querySelector("input[type=search]");
    if (q) { q.value = ""; q.focus(); }
    chosen.dispatchEvent(new Event("change", { bubbles: true }));
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
