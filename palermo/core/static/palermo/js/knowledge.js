// The resource form shows the sections of its kind only (legislation, assessment, case law).
// Without scripts, every section shows, each saying which kind it is for.
(function () {
  "use strict";
  const kind = document.getElementById("id_kind");
  if (!kind) return;
  const sections = document.querySelectorAll("fieldset[data-kinds]");
  function show() {
    sections.forEach(function (section) {
      const kinds = section.getAttribute("data-kinds").split(" ");
      section.hidden = kinds.indexOf(kind.value) === -1;
    });
  }
  kind.addEventListener("change", show);
  show();
})();
