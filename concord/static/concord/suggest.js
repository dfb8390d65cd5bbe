/* The type-ahead of enterprise fields (disputes.forms.EnterpriseInput): while the user types, the
   input's datalist is filled with the matching enterprises of their scope, fetched from the input's
   data-suggest URL. A static file, loaded once per page however many fields use it: no inline
   script for the Content-Security-Policy to allow. */
(function () {
  "use strict";
  if (window.concordSuggest) { return; }
  window.concordSuggest = true;
  var DELAY = 250;

  function fill(input, list, results) {
    list.replaceChildren();
    results.forEach(function (row) {
      var option = document.createElement("option");
      option.value = row.value;
      option.label = row.label;
      list.appendChild(option);
    });
  }

  function bind(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null, asked = "";
    if (!list || input.dataset.suggestBound) { return; }
    input.dataset.suggestBound = "1";
    input.addEventListener("input", function () {
      var text = input.value.trim();
      window.clearTimeout(timer);
      if (!text || text === asked || /（[0-9A-Z]{18}）$/.test(text)) { return; }  // empty, or a choice made
      timer = window.setTimeout(function () {
        asked = text;
        fetch(input.dataset.suggest + "?q=" + encodeURIComponent(text), {
          credentials: "same-origin", headers: {"Accept": "application/json"}
        }).then(function (response) { return response.ok ? response.json() : {results: []}; })
          .then(function (data) { if (input.value.trim() === text) { fill(input, list, data.results || []); } })
          .catch(function () { /* offline or signed out: the field still takes a typed name or code */ });
      }, DELAY);
    });
  }

  function bindAll(root) {
    (root || document).querySelectorAll("input[data-suggest]").forEach(bind);
  }

  document.addEventListener("DOMContentLoaded", function () { bindAll(document); });
  document.addEventListener("htmx:load", function (event) { bindAll(event.target); });
  if (document.readyState !== "loading") { bindAll(document); }
}());
