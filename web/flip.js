// FLIP: a message chip that changes state (delayed → available → in
// flight) glides from where it was. Called by the app after each render;
// positions are relative to the queue card, so page scrolling animates nothing.
window.__decoupleFlip = (() => {
  let last = new Map();
  const reduce = window.matchMedia("(prefers-reduced-motion: reduce)");
  return () => {
    const next = new Map();
    for (const el of document.querySelectorAll("[data-flip]")) {
      const card = el.closest("[data-queue]");
      if (!card) continue;
      const r = el.getBoundingClientRect();
      const c = card.getBoundingClientRect();
      const pos = { x: r.left - c.left, y: r.top - c.top, lane: el.dataset.lane };
      const prev = last.get(el.dataset.flip);
      if (prev && prev.lane !== pos.lane && !reduce.matches && el.animate) {
        el.animate(
          [{ transform: `translate(${prev.x - pos.x}px, ${prev.y - pos.y}px)` }, { transform: "none" }],
          { duration: 350, easing: "ease-out" },
        );
        window.__decoupleFlips = (window.__decoupleFlips || 0) + 1;
      }
      next.set(el.dataset.flip, pos);
    }
    last = next;
  };
})();
