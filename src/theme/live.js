// mekong serve: live reload. Injected by `mekong serve` only; never part of `build` output.
(() => {
  const key = "mekong-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    const y = Number(saved) || 0;
    const restore = () => window.scrollTo(0, y);
    restore();
    window.addEventListener("load", restore);
  }
  let overlay = null;
  const hide = () => { if (overlay) { overlay.remove(); overlay = null; } };
  const show = (text) => {
    hide();
    overlay = document.createElement("div");
    overlay.id = "mekong-error-overlay";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
      "background:#1e1e1e;color:#ffd7d7;font:13px/1.5 ui-monospace,monospace;padding:16px 20px;" +
      "border-top:4px solid #e5484d;box-shadow:0 -4px 24px rgba(0,0,0,.4)";
    const title = document.createElement("strong");
    title.textContent = "mekong: the last change did not build; showing the last good version.";
    title.style.cssText = "display:block;color:#fff;margin-bottom:8px";
    const pre = document.createElement("pre");
    pre.style.cssText = "margin:0;white-space:pre-wrap";
    pre.textContent = text;
    overlay.append(title, pre);
    document.body.append(overlay);
  };
  const source = new EventSource("/__mekong/events");
  source.addEventListener("reload", () => {
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  });
  source.addEventListener("css", () => {
    hide();
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      url.searchParams.set("mekong-reload", String(Date.now()));
      link.href = url.href;
    }
  });
  source.addEventListener("build-error", (e) => show(e.data));
  source.addEventListener("ok", hide);
})();
