// While a long form (a large import) works: say so, stop a second submit, and where the form
// names a progress URL (data-progress-url), poll it and fill the form's <progress> bar.
(function () {
  "use strict";
  function poll(form) {
    var url = form.getAttribute("data-progress-url");
    var box = form.querySelector(".busy-progress");
    if (!url || !box || !window.fetch) { return; }
    var bar = box.querySelector("progress");
    var count = box.querySelector(".busy-count");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (noted) {
          if (noted && noted.total > 0) {
            box.hidden = false;
            bar.max = noted.total;
            bar.value = noted.done;
            count.textContent = count.getAttribute("data-template")
              .replace("{done}", noted.done).replace("{total}", noted.total);
          }
        })
        .catch(function () { /* the page is about to change; nothing to show */ })
        .then(function () { window.setTimeout(tick, 1000); });
    }
    window.setTimeout(tick, 500);
  }
  Array.prototype.forEach.call(document.querySelectorAll("form.busy-form"), function (form) {
    form.addEventListener("submit", function () {
      var note = form.querySelector(".busy-note");
      if (note) { note.hidden = false; }
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (button) {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
      });
      poll(form);
    });
  });
})();
