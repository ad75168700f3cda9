// The Mini App's sign-in: Telegram gives the page its signed initData (in the URL's hash, or
// as Telegram.WebApp.initData when Telegram's own script is on the page); we post it to our
// server, which checks the signature and sends the person on (staff to the dashboard, a
// trainee to their lesson). Nothing else runs.
(function () {
  "use strict";
  function initData() {
    var app = window.Telegram && window.Telegram.WebApp;
    if (app && app.initData) {
      return app.initData;
    }
    var hash = window.location.hash.replace(/^#/, "");
    return new URLSearchParams(hash).get("tgWebAppData") || "";
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("mini-app");
    var data = initData();
    if (!form) {
      return;
    }
    if (!data) {
      document.getElementById("mini-app-wait").hidden = true;
      document.getElementById("mini-app-outside").hidden = false;
      return;
    }
    form.elements.init_data.value = data;
    form.submit();
  });
})();
