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
