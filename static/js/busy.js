// While a long form (a large import) works: say so, and stop a second submit.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("form.busy-form"), function (form) {
    form.addEventListener("submit", function () {
      var note = form.querySelector(".busy-note");
      if (note) { note.hidden = false; }
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (button) {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
      });
    });
  });
})();
