/**
 * Headless Chromium driven through the Chrome DevTools Protocol over a WebSocket (no npm
 * package): launch, open a page in a flattened session, evaluate expressions, collect console
 * errors and uncaught exceptions, take screenshots.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where Chromium is: LTH_CHROMIUM, or the first of the usual names on PATH; null if none. */
export function findChromium(): string | null {
  const fromEnv = Deno.env.get("LTH_CHROMIUM");
  if (fromEnv) return fromEnv;
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
      try {
        if (Deno.statSync(join(dir, name)).isFile) return join(dir, name);
      } catch {
        // not in this folder
      }
    }
  }
  return null;
}

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

export class Browser {
  readonly errors: string[] = [];
  #socket: WebSocket;
  #next = 1;
  #pending = new Map<number, Pending>();
  #session = "";

  private constructor(
    socket: WebSocket,
    private readonly process: Deno.ChildProcess,
    private readonly profile: string,
  ) {
    this.#socket = socket;
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.id !== undefined) {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.error) pending?.reject(new Error(JSON.stringify(message.error)));
        else pending?.resolve(message.result ?? {});
        return;
      }
      const params = message.params ?? {};
      if (message.method === "Runtime.exceptionThrown") {
        this.errors.push(
          `exception: ${
            params.exceptionDetails?.exception?.description ?? params.exceptionDetails?.text
          }`,
        );
      } else if (message.method === "Runtime.consoleAPICalled" && params.type === "error") {
        this.errors.push(
          `console.error: ${
            JSON.stringify(
              params.args?.map((a: { value?: unknown; description?: string }) =>
                a.value ?? a.description
              ),
            )
          }`,
        );
      } else if (message.method === "Log.entryAdded" && params.entry?.level === "error") {
        this.errors.push(`log: ${params.entry.text} ${params.entry.url ?? ""}`);
      }
    };
  }

  static async launch(executable: string): Promise<Browser> {
    const profile = mkdtempSync(join(tmpdir(), "chromium-profile-"));
    const process = new Deno.Command(executable, {
      args: [
        "--headless=new",
        "--no-sandbox", // CI runs as root
        "--disable-gpu",
        "--no-first-run",
        "--remote-debugging-port=0",
        `--user-data-dir=${profile}`,
        "--window-size=1280,2000",
        "about:blank",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    // Chromium prints "DevTools listening on ws://..." on stderr once it is up.
    const reader = process.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    const deadline = Date.now() + 30_000;
    let url: string | null = null;
    while (!url && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
      url = /DevTools listening on (ws:\/\/\S+)/.exec(seen)?.[1] ?? null;
    }
    // Keep draining stderr so the browser never blocks on a full pipe.
    (async () => {
      while (!(await reader.read()).done) { /* drain */ }
    })();
    if (!url) {
      process.kill("SIGKILL");
      throw new Error(`${executable} printed no DevTools URL within 30 s:\n${seen}`);
    }
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error(`cannot connect to ${url}`));
    });
    return new Browser(socket, process, profile);
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.#next++;
    const message: Record<string, unknown> = { id, method, params };
    if (this.#session) message.sessionId = this.#session;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#socket.send(JSON.stringify(message));
    });
  }

  /** Opens `url` in a new page and attaches to it (flattened session); events start flowing. */
  async open(url: string): Promise<void> {
    const { targetId } = await this.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.send("Target.attachToTarget", { targetId, flatten: true });
    this.#session = sessionId as string;
    await this.send("Runtime.enable");
    await this.send("Log.enable");
    await this.send("Page.enable");
    await this.send("Page.navigate", { url });
  }

  async evaluate(expression: string): Promise<unknown> {
    const result = await this.send("Runtime.evaluate", { expression, returnByValue: true });
    return (result.result as { value?: unknown }).value;
  }

  /** Waits until `expression` is true in the page (polling), or fails after `ms`. */
  async waitFor(expression: string, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await this.evaluate(expression) === true) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(
      `timed out after ${ms} ms waiting for ${expression}; errors: ${this.errors.join("; ")}`,
    );
  }

  /** A PNG of the whole page. */
  async screenshot(): Promise<Uint8Array> {
    const { data } = await this.send("Page.captureScreenshot", {
      format: "png",
      captureBeyondViewport: true,
    });
    return Uint8Array.from(atob(data as string), (c) => c.charCodeAt(0));
  }

  async close(): Promise<void> {
    this.#session = "";
    // Browser.close ends every Chromium process; SIGKILL only if it does not within 10 s.
    this.send("Browser.close").catch(() => {});
    const exited = await Promise.race([
      this.process.status.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
    ]);
    if (!exited) {
      this.process.kill("SIGKILL");
      await this.process.status;
    }
    this.#socket.close();
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}
