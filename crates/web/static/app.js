// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";
  // Filter a long list as the user types (the organisation list on the front page).
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var items = document.querySelectorAll(input.getAttribute("data-filter"));
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      items.forEach(function (li) {
        li.hidden = q !== "" && li.textContent.toLowerCase().indexOf(q) === -1;
      });
    });
  });
  // Selects marked data-autosubmit submit their form on change (with a visible
  // submit button kept for keyboard and no-JS users).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { if (sel.form) sel.form.submit(); });
  });
})();
// Report sections: the "insert indicator block" helper writes the block line at the
// cursor of the text area instead of a round trip to the server (which still works
// without JavaScript).
(function () {
  "use strict";
  document.querySelectorAll("[data-block-helper]").forEach(function (box) {
    var button = box.querySelector("[data-insert-block]");
    var form = box.closest("form");
    var area = form && form.querySelector("textarea[name=body]");
    var status = box.querySelector("[data-insert-status]");
    if (!button || !area) return;
    button.addEventListener("click", function (ev) {
      var id = (box.querySelector("[name=insert_indicator]") || {}).value || "";
      if (!/^[0-9]+$/.test(id)) return; // let the server explain what is missing
      var chart = (box.querySelector("[name=insert_chart]") || {}).value || "trend";
      var compare = [];
      box.querySelectorAll("[name=insert_compare]:checked").forEach(function (c) { compare.push(c.value); });
      var areas = ((box.querySelector("[name=insert_areas]") || {}).value || "").split(/[\s,;]+/).filter(Boolean);
      if (areas.some(function (a) { return !/^[A-Z]+:[0-9A-Z]+$/.test(a); })) return;
      compare = compare.concat(areas);
      var year = ((box.querySelector("[name=insert_year]") || {}).value || "").trim();
      if (year && !/^[0-9]{4}$/.test(year)) return;
      ev.preventDefault();
      var line = "{{indicator " + id + " chart=" + chart + " compare=" + compare.join(",") + (year ? " year=" + year : "") + "}}";
      var text = area.value;
      var at = typeof area.selectionStart === "number" ? area.selectionStart : text.length;
      var lineStart = text.lastIndexOf("\n", at - 1) + 1;
      var lineEnd = text.indexOf("\n", at);
      if (lineEnd === -1) lineEnd = text.length;
      // Blocks are lines of their own: after the cursor's line, or on it when empty.
      var before = text.slice(0, lineEnd);
      var after = text.slice(lineEnd);
      var insert = (before.length === 0 || lineStart === lineEnd ? "" : "\n\n") + line + (after.charAt(0) === "\n" ? "" : "\n");
      area.value = before + insert + after;
      var pos = (before + insert).length;
      area.focus();
      if (area.setSelectionRange) area.setSelectionRange(pos, pos);
      if (status) status.textContent = line;
    });
  });
})();
