// The console's Live page: payments per second per currency as a chart (uPlot), and the
// tables beside it, from the server's `payments` events (/console/live/events). The server
// writes every figure as the page shows it; this draws the series and places the texts. The
// browser reopens the stream when the server closes it.
"use strict";
(() => {
  const card = document.querySelector("[data-live]");
  const holder = document.querySelector("[data-chart]");
  const rows = document.querySelector("[data-rows]");
  const minutes = document.querySelector("[data-minutes]");
  if (!card || !holder || !("EventSource" in window) || !window.uPlot) return;
  const colours = ["#1a73e8", "#d93025", "#188038", "#f29900", "#8430ce", "#007b83"];
  let chart = null;
  let shown = "";

  const row = (cells) => {
    const tr = document.createElement("tr");
    cells.forEach((text) => {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    });
    return tr;
  };

  // The per-minute table lists only minutes with payments; with none, it says so.
  const quiet = () => {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = 4;
    td.textContent = minutes.dataset.quiet || "";
    tr.append(td);
    return tr;
  };

  const draw = (data) => {
    const currencies = Object.keys(data.series);
    const length = currencies.length ? data.series[currencies[0]].length : 0;
    const xs = Array.from({ length }, (_, i) => data.start_s + i);
    const values = [xs, ...currencies.map((c) => data.series[c])];
    const key = currencies.join(",");
    if (chart && key === shown) {
      chart.setData(values);
      return;
    }
    if (chart) chart.destroy();
    shown = key;
    chart = new window.uPlot({
      width: Math.max(holder.clientWidth, 280),
      height: 220,
      scales: { y: { range: (u, min, max) => [0, Math.max(max, 1)] } },
      series: [{}, ...currencies.map((c, i) => ({ label: c, stroke: colours[i % colours.length], width: 1.5 }))],
    }, values, holder);
  };

  const source = new EventSource(card.dataset.live);
  source.addEventListener("payments", (event) => {
    const data = JSON.parse(event.data);
    draw(data);
    if (rows && data.rows.length) rows.replaceChildren(...data.rows.map((r) => row([r.currency, r.payments, r.per_s, r.value])));
    if (minutes) minutes.replaceChildren(...(data.minutes.length ? data.minutes.map((r) => row([r.from, r.currency, r.payments, r.value])) : [quiet()]));
  });
  window.addEventListener("resize", () => {
    if (chart) chart.setSize({ width: Math.max(holder.clientWidth, 280), height: 220 });
  });
})();
