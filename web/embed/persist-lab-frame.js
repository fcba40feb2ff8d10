// For a page that embeds PersistLab labs as iframes (embed.html): include it
// once, and each such iframe takes the height of its content.
//   <script src="/persist-lab-frame.js" defer></script>
//   <iframe src="/embed.html?id=aof-demo&appendonly=yes" title="PersistLab"></iframe>
// embed.html posts { type: "persistlab:height", height, id } to its parent
// whenever its height changes; this applies the height (CSS pixels, kept
// between 0 and 5000) to the iframe the message came from — only if that
// iframe's src is on the origin the message came from. Nothing else in a
// message is used. A plain script: no imports, nothing inline.
(() => {
  const MAX_HEIGHT = 5000;
  addEventListener("message", (event) => {
    const data = event.data;
    if (!data || typeof data !== "object" || data.type !== "persistlab:height") return;
    const height = Number(data.height);
    if (!Number.isFinite(height)) return;
    for (const frame of document.querySelectorAll("iframe")) {
      if (frame.contentWindow !== event.source) continue;
      if (new URL(frame.src, location.href).origin !== event.origin) return;
      frame.style.height = `${Math.round(Math.min(Math.max(height, 0), MAX_HEIGHT))}px`;
      frame.dispatchEvent(new CustomEvent("persistlab:height", { detail: { height } }));
      return;
    }
  });
})();
