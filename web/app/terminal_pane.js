// The terminal pane: the TerminalView (terminal/terminal.js) wired to the
// lab worker. Every line — typed, pasted, or sent by a button — goes
// through the lab's shell in the worker (LabHost.line), which answers with
// the text to print and the next prompt.

import { TerminalView, localStorageHistory } from "./terminal/terminal.js";

// xterm can't read CSS variables: these palettes match app.css's light and
// dark colours (--term-bg). Both keep the ANSI colours the engine's texts
// use (red lost keys, green "nothing lost", grey hints) readable.
const THEMES = {
  dark: {
    background: "#0f1720", foreground: "#e6edf3", cursor: "#e6edf3", cursorAccent: "#0f1720",
    selectionBackground: "#264f78", black: "#0f1720", red: "#ff7b72", green: "#56d364",
    yellow: "#e3b341", blue: "#6ea8fe", magenta: "#d2a8ff", cyan: "#76e3ea", white: "#e6edf3",
    brightBlack: "#8b949e", brightRed: "#ffa198", brightGreen: "#7ee787", brightYellow: "#f2cc60",
    brightBlue: "#a5d6ff", brightMagenta: "#e2c5ff", brightCyan: "#b3f0ff", brightWhite: "#ffffff",
  },
  light: {
    background: "#fbfcfd", foreground: "#1c2430", cursor: "#1c2430", cursorAccent: "#fbfcfd",
    selectionBackground: "#b6d4fe", black: "#1c2430", red: "#b42318", green: "#1b7f3b",
    yellow: "#8a5a00", blue: "#1f5fbf", magenta: "#8250df", cyan: "#0e7490", white: "#5b6675",
    brightBlack: "#6b7480", brightRed: "#d12c1f", brightGreen: "#22863a", brightYellow: "#9a6700",
    brightBlue: "#0969da", brightMagenta: "#a371f7", brightCyan: "#1b7c83", brightWhite: "#1c2430",
  },
};

/**
 * @param {HTMLElement} element
 * @param {{ lab: () => Promise<import("../src/worker/lab_client.js").RemoteLab>,
 *           dotCommands: () => Promise<Array<{ name: string, hint?: string, summary?: string }>>,
 *           theme?: "auto" | "light" | "dark", historyKey?: string }} host
 *   theme: "auto" (default) follows the system; historyKey: where the
 *   history is kept (default the playground's "persistlab:history")
 */
export function mountTerminal(element, host) {
  // aria-busy tells assistive technology (and anyone watching the page)
  // that a line is running; lines queue behind it.
  let running = 0;
  const busy = (delta) => {
    running += delta;
    element.setAttribute("aria-busy", String(running > 0));
  };
  // Lines submitted by the page (buttons, a tutorial) and waiting for their
  // turn, oldest first: each promise settles once its line has run.
  /** @type {Array<{ line: string, resolve: (r: { output: string, prompt: string }) => void }>} */
  const submitted = [];
  /** @type {import("./terminal/terminal.js").Host} */
  const termHost = {
    run: async (line) => {
      busy(+1);
      const waiter = submitted[0]?.line === line ? submitted.shift() : undefined;
      let result;
      try {
        const lab = await host.lab();
        result = await lab.line(line);
      } catch (e) {
        result = { output: `(error) ${e.message}`, prompt: (await host.lab()).snapshot.prompt };
      } finally {
        queueMicrotask(() => busy(-1));
      }
      waiter?.resolve({ output: result.output, prompt: result.prompt });
      return { output: result.output, prompt: result.prompt, clear: result.clear };
    },
    // What redis-cli 7 asks a server for when it connects: the argument
    // docs its hints and completion are built from. The dot-commands'
    // names and hints come from the engine's shell grammar, read by the
    // terminal together with the docs.
    docs: async () => {
      const lab = await host.lab();
      termHost.extraCommands = await host.dotCommands();
      return (await lab.exec("COMMAND DOCS")).reply;
    },
    extraCommands: [],
    history: localStorageHistory(host.historyKey),
    label: "Redis terminal on the lab's engine. Escape then Tab leaves it.",
  };
  const view = new TerminalView(element, termHost);
  element.setAttribute("aria-busy", "false");
  // When the terminal first shows its prompt and takes keys (bench/playground).
  requestAnimationFrame(() => performance.mark("plab:prompt"));
  const dark = matchMedia("(prefers-color-scheme: dark)");
  const theme = host.theme ?? "auto";
  const applyTheme = () => view.setTheme(THEMES[theme === "auto" ? (dark.matches ? "dark" : "light") : theme]);
  if (theme === "auto") dark.addEventListener("change", applyTheme);
  applyTheme();

  return {
    /**
     * Runs `line` as if typed (echoed after the prompt, after whatever is
     * already waiting); resolves with its output once it has run.
     * @param {string} line
     * @returns {Promise<{ output: string, prompt: string }>}
     */
    submit: (line) => new Promise((resolve) => {
      submitted.push({ line, resolve });
      view.submit(line);
    }),
    setScreenReaderMode: (on) => view.setScreenReaderMode(on),
    /** Frees the terminal (its xterm, listeners and stylesheets). */
    dispose() {
      dark.removeEventListener("change", applyTheme);
      view.dispose();
    },
    focus: () => view.focus(),
    /**
     * The lab is open: print its startup recovery report (when the disk
     * held something) and the real prompt.
     */
    ready(prompt, reportText) {
      if (reportText) view.print(reportText.replace(/\n+$/, ""));
      view.setPrompt(prompt);
      performance.mark("plab:ready");
    },
  };
}
