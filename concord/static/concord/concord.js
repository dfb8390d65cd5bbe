/* Concord: page behaviour that would otherwise be inline handlers, which the Content-Security-Policy
   (script-src 'self') refuses. Delegated from the document, so content swapped in by htmx works too. */
(function () {
  "use strict";
  // <select data-autosubmit>: choosing a value submits its form (e.g. the year on the measures pages).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLElement && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });
})();
