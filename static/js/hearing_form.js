// Progressive enhancement for the hearing forms: the zone label follows the chosen court,
// and a filter box narrows a long court list. Without JS the server names the zone and
// converts with the chosen court's zone anyway.
(function () {
  "use strict";
  var select = document.querySelector(".court-select select");
  if (!select) { return; }
  var zoneName = document.getElementById("zone-name");
  function showZone() {
    var option = select.options[select.selectedIndex];
    if (option && zoneName) { zoneName.textContent = option.getAttribute("data-tz") || ""; }
  }
  select.addEventListener("change", showZone);
  showZone();

  var filterBox = document.querySelector(".court-filter");
  var input = document.getElementById("court-filter");
  if (!filterBox || !input || select.options.length < 8) { return; }
  filterBox.hidden = false;
  input.addEventListener("input", function () {
    var needle = input.value.trim().toLowerCase();
    var firstMatch = null;
    Array.prototype.forEach.call(select.options, function (option) {
      var match = !needle || option.text.toLowerCase().indexOf(needle) !== -1;
      option.hidden = !match;
      if (match && !firstMatch) { firstMatch = option; }
    });
    if (firstMatch && select.options[select.selectedIndex].hidden) {
      select.value = firstMatch.value;
      showZone();
    }
  });
})();
