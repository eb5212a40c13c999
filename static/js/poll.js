// Live pages (rapid response): refresh each [data-poll-url] region from its small HTML
// fragment every data-poll-seconds, while the page is visible. The fragment GET writes nothing.
(function () {
  "use strict";
  if (!window.fetch) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("[data-poll-url]"), function (region) {
    var url = region.getAttribute("data-poll-url");
    var seconds = parseInt(region.getAttribute("data-poll-seconds"), 10) || 10;
    function tick() {
      if (document.hidden) { window.setTimeout(tick, seconds * 1000); return; }
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html !== null) { region.innerHTML = html; } })
        .catch(function () { /* offline for a moment: the next tick tries again */ })
        .then(function () { window.setTimeout(tick, seconds * 1000); });
    }
    window.setTimeout(tick, seconds * 1000);
  });
}());
