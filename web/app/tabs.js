// WAI-ARIA tabs: click or Left/Right/Home/End on a tablist selects a tab and
// shows its panel (aria-controls); only the selected tab is in the Tab order.

/**
 * @param {HTMLElement} tablist
 * @param {(id: string) => void} [onSelect] called with the selected tab's id
 * @returns {{ select(id: string): void }}
 */
export function setupTabs(tablist, onSelect) {
  const tabs = /** @type {HTMLElement[]} */ ([...tablist.querySelectorAll('[role="tab"]')]);
  const select = (tab, focus = false) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(t.getAttribute("aria-controls") ?? "");
      if (panel) panel.hidden = !on;
    }
    if (focus) tab.focus();
    onSelect?.(tab.id);
  };
  for (const tab of tabs) tab.addEventListener("click", () => select(tab));
  tablist.addEventListener("keydown", (e) => {
    const i = tabs.indexOf(/** @type {HTMLElement} */ (document.activeElement));
    if (i < 0) return;
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    select(tabs[(next + tabs.length) % tabs.length], true);
  });
  return { select: (id) => select(tabs.find((t) => t.id === id) ?? tabs[0]) };
}
