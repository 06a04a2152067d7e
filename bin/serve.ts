// `jcvm serve --vpcd`: cards on vpcd's slots until SIGINT/SIGTERM (runtime/transport/vpcd.ts).

import { extname } from 'node:path';
import { hex } from '../loader/bytes.ts';
import type { Card } from '../runtime/card.ts';
import { VpcdClient, slotPort, type VirtualCard } from '../runtime/transport/vpcd.ts';
import { formatStats, measure } from '../runtime/sight/stats.ts';
import { describeStatus } from '../runtime/status-words.ts';

export interface ServeOptions {
  host: string;
  /** Port of slot 0; slot k is port + k. */
  port: number;
  /** Print every command and response (else connections and power only). */
  exchanges: boolean;
  /** Print each APDU's bytecodes, persistent and transient writes, objects and time (runtime/sight/stats.ts). */
  stats?: boolean;
  retryMs?: number;
  maxRetryMs?: number;
}

/** The image file of slot k: the file itself for slot 0, `name.slot<k>.ext` for the others. */
export function slotCardFile(file: string, slot: number): string {
  if (slot === 0) return file;
  const ext = extname(file);
  return `${file.slice(0, file.length - ext.length)}.slot${slot}${ext}`;
}

/**
 * Puts each card on its vpcd slot and serves until `signal` aborts; then closes the
 * connections, powers the cards off and saves their images (cards with a file).
 */
export async function serve(cards: Card[], options: ServeOptions, out: (s: string) => void, signal: AbortSignal): Promise<void> {
  const clients = cards.map((card, slot) => {
    const port = slotPort(options.port, slot);
    let figures: Parameters<typeof formatStats>[0] | null = null;
    // with --stats, each APDU is measured on its way to the card
    const virtual: VirtualCard = !options.stats
      ? card
      : {
          powerOn: () => card.powerOn(),
          powerOff: () => card.powerOff(),
          reset: () => card.reset(),
          get isPowered() {
            return card.isPowered;
          },
          transmit: (cmd) => {
            const r = measure(card, () => card.transmit(cmd));
            figures = r.stats;
            return r.value;
          },
        };
    const c = new VpcdClient(virtual, { host: options.host, port, retryMs: options.retryMs, maxRetryMs: options.maxRetryMs });
    const tag = `slot ${slot}`;
    let waiting = false;
    c.on('connect', () => {
      waiting = false;
      out(`${tag}: connected to vpcd at ${options.host}:${port}`);
    });
    c.on('disconnect', (why) => out(`${tag}: vpcd went away (${why}); card powered off, connecting again`));
    c.on('retry', (why, ms) => {
      // one line while waiting, not one per attempt
      if (!waiting) out(`${tag}: no vpcd at ${options.host}:${port} (${why}); trying again every ${ms} ms or more (is pcscd running with vpcd's reader.conf?)`);
      waiting = true;
    });
    c.on('message', (ex, msg) => {
      if (ex.kind === 'power-on' || ex.kind === 'power-off' || ex.kind === 'reset') out(`${tag}: ${ex.kind}`);
      else if (ex.kind === 'unknown') out(`${tag}: ignored vpcd message ${hex(msg)}`);
      else if (ex.kind === 'apdu' && options.exchanges) {
        out(`${tag} => ${hex(msg, ' ')}`);
        out(`${tag} <= ${hex(ex.answer!, ' ')}  ${describeStatus(ex.answer!)}`);
      }
      if (ex.kind === 'apdu' && figures) out(`${tag}    ${formatStats(figures)}`);
      figures = null;
      if (ex.error) out(`${tag}: the card failed (${ex.error}); answered 6F00`);
    });
    out(`${tag}: card ${card.file ? `image ${card.file}` : '(in memory)'}, vpcd ${options.host}:${port}`);
    c.start();
    return c;
  });
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await Promise.all(clients.map((c) => c.stop()));
  for (const [slot, card] of cards.entries()) {
    card.persist();
    if (card.file) out(`slot ${slot}: card image saved to ${card.file}`);
  }
  out('stopped');
}
