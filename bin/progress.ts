// A progress line for long runs, on a terminal only: never in CI logs or piped output.

export interface Progress {
  update(done: number, total: number, what?: string): void;
  /** Clears the line. */
  end(): void;
}

export function progressLine(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const on = stream.isTTY === true && !process.env.CI;
  let shown = false;
  let last = 0;
  return {
    update(done, total, what = '') {
      if (!on) return;
      const now = Date.now();
      if (done < total && now - last < 100) return; // at most ten updates a second
      last = now;
      const width = 20;
      const filled = total ? Math.round((width * done) / total) : 0;
      const text = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${what}`;
      stream.write(`\r${text.slice(0, (stream.columns || 80) - 1)}\x1b[K`);
      shown = true;
    },
    end() {
      if (on && shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
