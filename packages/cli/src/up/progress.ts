/** A step of bringing the fleet up (one per component), as it changes. */
export type StepEvent = {
  /** The component: "hub API server", "hub controllers", "k8s-1"… */
  step: string;
  /** "stopped": it never finished because the start was cut short (Ctrl-C, or another component failed). */
  state: "running" | "done" | "failed" | "stopped";
  detail: string;
  /** Since `atoll up` started. */
  elapsedMs: number;
};

/** Where progress goes: a terminal, a log, or the `atoll up -d` that launched a background fleet. */
export interface ProgressSink {
  report(event: StepEvent): void;
  /** Stops any animation; the lines stay as they are. */
  close(): void;
}

type Output = { write(text: string): unknown; columns?: number };

/** One plain line per finished (or failed) component: for logs and pipes. */
export class PlainProgress implements ProgressSink {
  #out: Output;

  constructor(out: Output) {
    this.#out = out;
  }

  report(event: StepEvent): void {
    if (event.state === "running") return;
    const outcome = { done: "ready", failed: "FAILED", stopped: "stopped" }[event.state];
    const detail = event.detail ? ` ${event.detail}` : "";
    this.#out.write(`${event.step}: ${outcome}${detail} (${seconds(event.elapsedMs)})\n`);
  }

  close(): void {}
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const FRAME_MS = 80;

/**
 * One line per component on a terminal, redrawn in place: a spinner while it
 * starts, then a check mark (or a cross) with what it is and when it got there.
 */
export class TtyProgress implements ProgressSink {
  #out: Output;
  #colour: boolean;
  #steps = new Map<string, StepEvent>();
  #drawn = 0;
  #frame = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(out: Output, options: { colour: boolean }) {
    this.#out = out;
    this.#colour = options.colour;
  }

  report(event: StepEvent): void {
    this.#steps.set(event.step, event);
    const running = [...this.#steps.values()].some((s) => s.state === "running");
    if (running && !this.#timer) {
      this.#timer = setInterval(() => {
        this.#frame = (this.#frame + 1) % SPINNER.length;
        this.#draw();
      }, FRAME_MS);
      this.#timer.unref();
    } else if (!running) this.#stopTimer();
    this.#draw();
  }

  close(): void {
    this.#stopTimer();
    this.#draw();
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #draw(): void {
    const width = Math.max(20, (this.#out.columns || 80) - 1);
    const labelWidth = Math.max(...[...this.#steps.keys()].map((k) => k.length));
    let text = this.#drawn > 0 ? `\x1b[${this.#drawn}F` : "";
    for (const step of this.#steps.values()) {
      const symbol =
        step.state === "running"
          ? this.#paint(SPINNER[this.#frame], "36")
          : step.state === "done"
            ? this.#paint("✓", "32")
            : step.state === "failed"
              ? this.#paint("✗", "31")
              : this.#paint("-", "2");
      const time = step.state === "running" ? "" : ` ${seconds(step.elapsedMs)}`;
      const plain = ` ${step.step.padEnd(labelWidth)}  ${step.detail}`;
      const clipped =
        plain.length + time.length + 2 > width ? `${plain.slice(0, width - time.length - 3)}…` : plain;
      text += `\x1b[2K${symbol}${clipped}${this.#paint(time, "2")}\n`;
    }
    this.#drawn = this.#steps.size;
    this.#out.write(text);
  }

  #paint(text: string, code: string): string {
    return this.#colour && text !== "" ? `\x1b[${code}m${text}\x1b[0m` : text;
  }
}

/** Sends every event to each sink. */
export class FanOutProgress implements ProgressSink {
  #sinks: ProgressSink[];

  constructor(sinks: ProgressSink[]) {
    this.#sinks = sinks;
  }

  report(event: StepEvent): void {
    for (const sink of this.#sinks) sink.report(event);
  }

  close(): void {
    for (const sink of this.#sinks) sink.close();
  }
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
