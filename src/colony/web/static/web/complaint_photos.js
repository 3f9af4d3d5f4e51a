// A complaint's photo, sent from the wallet app as the picture's own bytes (the server checks
// they are a JPEG or PNG and within the size), then the page again with it shown. Without
// script the form is hidden and photos are added through the API.
"use strict";
(() => {
  const form = document.getElementById("photo-form");
  if (!form) return;
  form.hidden = false;
  const input = document.getElementById("photo");
  const error = document.getElementById("photo-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = input.files && input.files[0];
    if (!file) {
      error.textContent = form.dataset.choose;
      error.hidden = false;
      return;
    }
    const answer = await fetch(form.dataset.url, {
      method: "POST",
      body: file,
      credentials: "same-origin",
      headers: { "Content-Type": file.type || "application/octet-stream", "X-CSRF-Token": form.dataset.csrf },
    });
    if (answer.ok) {
      location.reload();
      return;
    }
    const said = await answer.json().catch(() => ({ error: form.dataset.failed }));
    error.textContent = said.error || form.dataset.failed;
    error.hidden = false;
  });
})();
