// Scanning a merchant's QR code on the phone, with jsQR (vendored): from the camera, frame
// by frame, or from a photo. What is read fills the code's text and the form is sent; the
// server sees only that text, as a pasted code.
"use strict";
(() => {
  const form = document.getElementById("pay-form");
  const field = document.getElementById("payload");
  const status = document.getElementById("scan-status");
  const photo = document.getElementById("photo");
  const cameraButton = document.getElementById("scan-camera");
  const video = document.getElementById("camera");
  if (!form || typeof jsQR !== "function") return;
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  // The longest side an image is scaled to before decoding, in pixels: a phone photo has
  // 12 million of them, and a code is found as well in a tenth.
  const sideMax = 1024;

  const decode = (source, width, height) => {
    const scale = Math.min(1, sideMax / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    return jsQR(pixels.data, pixels.width, pixels.height, { inversionAttempts: "attemptBoth" });
  };
  const found = (code) => {
    field.value = code.data;
    status.textContent = status.dataset.found || "";
    form.requestSubmit();
  };

  const readPhoto = () => {
    const file = photo.files && photo.files[0];
    if (!file) return;
    const image = new Image();
    image.onload = () => {
      const code = decode(image, image.naturalWidth, image.naturalHeight);
      URL.revokeObjectURL(image.src);
      if (code) found(code);
      else status.textContent = photo.dataset.none || "No QR code found in that photo.";
    };
    image.src = URL.createObjectURL(file);
  };
  photo.addEventListener("change", readPhoto);
  // A photo chosen while the page was still loading (a slow phone) came before this script
  // listened for it: read it now.
  readPhoto();

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    cameraButton.hidden = false;
    cameraButton.addEventListener("click", async () => {
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      } catch (error) {
        status.textContent = String(error.message || error);
        return;
      }
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      const look = () => {
        if (video.readyState >= 2) {
          const code = decode(video, video.videoWidth, video.videoHeight);
          if (code) {
            stream.getTracks().forEach((track) => track.stop());
            found(code);
            return;
          }
        }
        requestAnimationFrame(look);
      };
      requestAnimationFrame(look);
    });
  }
})();
