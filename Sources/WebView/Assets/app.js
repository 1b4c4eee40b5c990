// Small enhancements only: every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // The error summary's links move focus to their field, not just scroll to it.
  document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    });
  });
  // A button that prints the page (shown only when this script runs).
  document.querySelectorAll(".js-print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // A second click on a submit button does not send the form again (the server records a form
  // once anyway; this only saves the round trip).
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent === "true") { event.preventDefault(); return; }
      form.dataset.sent = "true";
      setTimeout(function () { form.dataset.sent = "false"; }, 2000);
    });
  });
  // GOV.UK's time-out warning: five minutes before the sign-in ends, a dialog says when and
  // offers to stay signed in (used again now, and an hour more up to its lifetime). Without this
  // script a form sent after the end is kept and offered back after signing in again.
  var ends = Date.parse(document.body.dataset.sessionEnds || "");
  var dialog = document.getElementById("timeout-dialog");
  if (!isNaN(ends) && dialog && typeof dialog.showModal === "function") {
    var timer = null;
    var schedule = function () {
      clearTimeout(timer);
      var wait = ends - Date.now() - 5 * 60 * 1000;
      timer = setTimeout(function () {
        var at = new Date(ends);
        dialog.querySelector(".js-timeout-at").textContent =
          String(at.getHours()).padStart(2, "0") + ":" + String(at.getMinutes()).padStart(2, "0");
        if (!dialog.open) { dialog.showModal(); }
      }, Math.max(0, Math.min(wait, 2147483000)));
    };
    dialog.querySelector(".js-timeout-stay").addEventListener("click", function () {
      var body = "csrf=" + encodeURIComponent(document.body.dataset.csrf || "");
      fetch("/session/extend", { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: body })
        .then(function (response) {
          var next = Date.parse(response.headers.get("X-Session-Ends") || "");
          // Warned again before the new end; not again when the sign-in could not be made longer.
          if (response.status === 204 && !isNaN(next) && next - Date.now() > 5 * 60 * 1000) { ends = next; schedule(); }
          dialog.close();
        })
        .catch(function () { dialog.close(); });
    });
    dialog.querySelector(".js-timeout-close").addEventListener("click", function () { dialog.close(); });
    schedule();
  }
});
