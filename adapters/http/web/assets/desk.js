// greenlane desk: the little the pages need beyond HTML forms and htmx.
// - Live updates arrive as server-sent events named `change` (see /live); htmx refreshes
//   the regions that listen for them, and this script says what changed in the page's
//   aria-live status line.
// - Buttons with data-print print the page (the acceptance notice).
(function () {
  "use strict";
  function status(text) {
    var region = document.getElementById("live-status");
    if (region && text) {
      region.textContent = text;
    }
  }
  document.addEventListener("htmx:sseMessage", function (event) {
    try {
      var data = JSON.parse(event.detail.data);
      status("已更新 Updated: " + data.text);
    } catch (e) {
      /* a keep-alive or a message without text */
    }
  });
  document.addEventListener("htmx:sseError", function () {
    status("实时更新已断开，正在重连 Live updates lost; reconnecting");
  });
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-print]");
    if (target) {
      event.preventDefault();
      window.print();
    }
  });
})();
