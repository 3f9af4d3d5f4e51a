// The merchant portal's home kept live: today's figures and the latest payments, from the
// server's `takings` events (/merchant/events). The server writes every figure as the page
// shows it; this only places them. The browser reopens the stream when the server closes it.
"use strict";
(() => {
  const card = document.querySelector("[data-live]");
  const rows = document.querySelector("[data-testid=payment-rows]");
  if (!card || !rows || !("EventSource" in window)) return;
  // A new row's cells are labelled as the page's are (a phone shows each row as a card).
  const labels = [...rows.closest("table").querySelectorAll("thead th")].map((th) => th.textContent);
  const source = new EventSource(card.dataset.live);
  source.addEventListener("takings", (event) => {
    const data = JSON.parse(event.data);
    card.querySelectorAll("[data-field]").forEach((el) => {
      if (data[el.dataset.field] !== undefined) el.textContent = data[el.dataset.field];
    });
    const known = new Map([...rows.querySelectorAll("tr[data-id]")].map((tr) => [tr.dataset.id, tr]));
    [...data.rows].reverse().forEach((row) => {
      const shown = known.get(row.id);
      if (shown) {
        shown.cells[3].textContent = row.status; // a refund since changes it
        return;
      }
      const tr = document.createElement("tr");
      tr.dataset.id = row.id;
      const link = document.createElement("a");
      link.href = "/merchant/payments/" + row.id;
      link.textContent = row.when;
      const cells = [link, row.what, row.amount, row.status];
      cells.forEach((content, i) => {
        const td = document.createElement("td");
        if (labels[i]) td.dataset.label = labels[i];
        td.append(content);
        tr.append(td);
      });
      tr.classList.add("fresh");
      rows.prepend(tr);
    });
    const empty = document.querySelector("[data-empty]");
    if (empty && data.rows.length) empty.hidden = true;
  });
})();
