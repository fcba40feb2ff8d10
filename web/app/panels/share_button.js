// "Copy link to this session": the lab's recording (every line that changed
// something, at its virtual time, crashes with their seed) as a link that
// replays it (web/app/share.js). The link is also shown, selected, for
// browsers that refuse the clipboard.

import { h, num, replace } from "../dom.js";
import { sessionLink } from "../share.js";

// Many web servers refuse request lines over 8 KB.
const LONG_LINK = 8000;

/**
 * @param {HTMLButtonElement} button
 * @param {HTMLElement} out where the link and what it does are shown
 * @param {() => Promise<import("../../src/worker/lab_client.js").RemoteLab>} lab
 */
export function mountShareButton(button, out, lab) {
  button.addEventListener("click", async () => {
    const recording = await (await lab()).recording();
    const link = sessionLink(recording, location.origin + location.pathname);
    let copied = false;
    try {
      await navigator.clipboard.writeText(link);
      copied = true;
    } catch {
      // No clipboard (permissions, an embedding page): the field below.
    }
    const field = h("input", { type: "text", readonly: true, value: link, "aria-label": "Link to this session" });
    const notes = [];
    notes.push(`${copied ? "Copied" : "Copy this link"}: it replays ${num(recording.lines.length)} ` +
      `${recording.lines.length === 1 ? "command" : "commands"} in a fresh lab, crashes included.`);
    if (recording.keysAtStart > 0) {
      notes.push(`Your lab held ${num(recording.keysAtStart)} keys when this page opened; the link starts from an empty lab, so its results can differ.`);
    }
    if (recording.truncated) notes.push("Only the first commands fit in a link.");
    if (link.length > LONG_LINK) {
      notes.push(`The link is ${num(link.length)} characters long: some servers and chat tools cut links over 8,000.`);
    }
    replace(out, h("p", { role: "status" }, notes.join(" ")), field);
    out.hidden = false;
    field.select();
  });
}
