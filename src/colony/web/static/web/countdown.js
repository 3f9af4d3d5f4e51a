// An FX quote's countdown: the seconds its rate holds, then the confirmation is disabled and
// the payer is told to review again (the server refuses an expired quote anyway).
"use strict";
(() => {
  const clock = document.getElementById("quote-clock");
  if (!clock) return;
  const expired = document.getElementById("quote-expired");
  const button = document.getElementById("confirm");
  const template = clock.textContent;
  let left = Number(clock.dataset.secondsLeft);
  const shown = String(left);
  const tick = () => {
    if (left <= 0) {
      clock.hidden = true;
      expired.hidden = false;
      button.disabled = true;
      return;
    }
    clock.textContent = template.replace(shown, String(left));
    left -= 1;
    setTimeout(tick, 1000);
  };
  tick();
})();
