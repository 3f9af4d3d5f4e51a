// What every screen does with script (each works without it too): a language choice
// applies at once, and the wallet app registers its service worker (it installs as an app).
"use strict";
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.requestSubmit());
  const button = select.form.querySelector("button[type=submit]");
  if (button) button.hidden = true;
});
// The viewer's time zone, so the server shows times in it from the next page on.
try {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && !document.cookie.split("; ").includes("colony_tz=" + zone)) {
    document.cookie = "colony_tz=" + zone + "; path=/; max-age=31536000; SameSite=Strict" + (location.protocol === "https:" ? "; Secure" : "");
  }
} catch (ignored) { /* no Intl: times stay in UTC */ }
if ("serviceWorker" in navigator && location.pathname.startsWith("/app")) {
  navigator.serviceWorker.register("/app/sw.js", { scope: "/app" }).catch(() => {});
}
// A Print button (the merchant's poster) prints the page; without script, the browser's own.
document.querySelectorAll("button[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
