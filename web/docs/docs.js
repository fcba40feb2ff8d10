// The docs page's one behaviour: "Copy" buttons put a snippet on the
// clipboard (data-copy names the <code> element holding it).
for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", async () => {
    const code = document.getElementById(button.getAttribute("data-copy") ?? "");
    if (!code) return;
    try {
      await navigator.clipboard.writeText(code.textContent ?? "");
      button.textContent = "Copied";
    } catch {
      // No clipboard (an insecure context, a denied permission): select the text instead.
      getSelection()?.selectAllChildren(code);
      button.textContent = "Selected";
    }
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  });
}
