// The wallet app's service worker: the shell's own files are kept for when the network is
// weak; pages and money are always asked of the server (never served stale).
"use strict";
const SHELL = "colony-shell-v1";
const FILES = ["/static/web/colony.css", "/static/web/shell.js", "/static/web/activity.js", "/static/web/icon.svg"];
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(FILES)));
});
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k)))));
});
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || !FILES.includes(url.pathname)) return;
  event.respondWith(caches.match(event.request).then((hit) => hit || fetch(event.request)));
});
