// Infinite scroll for activity: when the "Older activity" link comes into view, the next
// page's lines are fetched and appended (the link still works as a plain link without it).
"use strict";
(() => {
  const more = document.querySelector("a[data-more]");
  const list = document.querySelector("ul.activity");
  if (!more || !list || !("IntersectionObserver" in window)) return;
  let loading = false;
  const load = async () => {
    if (loading) return;
    loading = true;
    const url = new URL(more.href);
    url.searchParams.set("part", "1");
    const answer = await fetch(url, { credentials: "same-origin" });
    if (!answer.ok) { loading = false; return; }
    list.insertAdjacentHTML("beforeend", await answer.text());
    const next = answer.headers.get("x-next-cursor");
    if (next) {
      url.searchParams.delete("part");
      url.searchParams.set("before", next);
      more.href = url.pathname + url.search;
      loading = false;
    } else {
      more.parentElement.remove();
      observer.disconnect();
    }
  };
  const observer = new IntersectionObserver((seen) => { if (seen.some((e) => e.isIntersecting)) load(); });
  observer.observe(more);
})();
