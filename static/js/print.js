// "Print this card": the print styles (app.css) keep the court-day card alone on one page.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () {
    window.print();
  });
});
