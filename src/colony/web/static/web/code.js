// The payment code, computed on this phone: RFC 6238 TOTP (HMAC-SHA256, 30 s steps,
// 8 digits) from the device key bound to the wallet, shown as digits, a Code 128 barcode
// and a QR code, renewed every step. It needs no network once the phone is bound.
//
// The device secret arrives once, from POST /app/code/device, and is imported at once as a
// WebCrypto key that cannot be exported: it is kept in IndexedDB, where even this page's
// scripts can use it but never read it back.
"use strict";
(() => {
  const view = document.getElementById("code-view");
  const on = document.getElementById("code-on");
  if (!view || !on || !window.crypto || !crypto.subtle || !window.indexedDB) return;
  const name = "device:" + view.dataset.wallet;

  const database = () => new Promise((resolve, reject) => {
    const opening = indexedDB.open("colony", 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore("devices");
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
  const kept = async (mode, act) => {
    const db = await database();
    return new Promise((resolve, reject) => {
      const request = act(db.transaction("devices", mode).objectStore("devices"));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  };
  const hexBytes = (hex) => new Uint8Array(hex.match(/../g).map((h) => parseInt(h, 16)));

  const password = async (key, step, digits) => {
    const counter = new ArrayBuffer(8);
    new DataView(counter).setBigUint64(0, BigInt(step));
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, counter));
    const at = mac[mac.length - 1] & 0x0f;
    const value = (((mac[at] & 0x7f) << 24) | (mac[at + 1] << 16) | (mac[at + 2] << 8) | mac[at + 3]) >>> 0;
    return String(value % 10 ** digits).padStart(digits, "0");
  };

  let shownStep = -1;
  const show = async (device) => {
    const seconds = Math.floor(Date.now() / 1000);
    const step = Math.floor(seconds / device.period);
    if (step !== shownStep) {
      shownStep = step;
      const code = device.prefix + device.number + (await password(device.key, step, device.digits));
      document.getElementById("code-digits").textContent = code.replace(/(\d{2})(\d{4})(\d{4})(\d{4})(\d{4})/, "$1 $2 $3 $4 $5");
      if (typeof qrcode === "function") {
        const qr = qrcode(0, "M");
        qr.addData(code);
        qr.make();
        document.getElementById("code-qr").innerHTML = qr.createSvgTag({ cellSize: 4, margin: 2, scalable: true });
      }
      if (typeof JsBarcode === "function") {
        JsBarcode("#code-barcode", code, { format: "CODE128", displayValue: false, height: 64, margin: 0 });
      }
    }
    const left = device.period - (seconds % device.period);
    document.getElementById("code-clock").textContent = view.dataset.clock.replace("{seconds}", String(left));
  };

  const run = (device) => {
    on.hidden = true;
    view.hidden = false;
    show(device);
    setInterval(() => show(device), 1000);
  };

  on.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = await fetch(on.action, { method: "POST", body: new URLSearchParams(new FormData(on)), credentials: "same-origin" });
    if (!answer.ok) { document.getElementById("code-error").hidden = false; return; }
    const bound = await answer.json();
    const key = await crypto.subtle.importKey("raw", hexBytes(bound.secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const device = { key, number: bound.number, prefix: bound.code_prefix, digits: bound.digits, period: bound.period };
    await kept("readwrite", (store) => store.put(device, name));
    run(device);
  });

  // Turning it off tells the server first (its codes are refused from then on), then drops
  // the key here; a device the server no longer knows (404) is dropped all the same.
  const forget = document.getElementById("code-forget");
  forget.addEventListener("submit", async (event) => {
    event.preventDefault();
    const device = await kept("readonly", (store) => store.get(name));
    if (device) {
      const action = "/app/code/device/" + device.number + "/revoke";
      const answer = await fetch(action, { method: "POST", body: new URLSearchParams(new FormData(forget)), credentials: "same-origin", redirect: "manual" });
      if (!answer.ok && answer.type !== "opaqueredirect" && answer.status !== 404) return;
    }
    await kept("readwrite", (store) => store.delete(name));
    location.reload();
  });

  kept("readonly", (store) => store.get(name)).then((device) => {
    if (device) run(device);
    else on.hidden = false;
  }, () => { on.hidden = false; });
})();
