// Browsers for the meeting room tests: Debian's Chromium run inside the test's network namespace
// (shared/reference/test-peers.md), with fake camera and microphone, and a record of every
// RTCPeerConnection the page makes so a test can read their getStats().
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { NetNamespace } from '../../support/netns.ts';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.ts';

// The fake camera sends 640×480; with the fake UI, getDisplayMedia picks the (virtual) entire screen,
// as wide as the window, without a prompt: a test tells a shared screen from the camera by its width.
export const MEDIA_ARGS = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--auto-select-desktop-capture-source=Entire screen',
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * Chromium inside `ns`: a wrapper script as the executable (Playwright talks to it over a pipe).
 * `origin` is the portal's, on the namespace's plain-HTTP address: cameras, microphones and
 * crypto.randomUUID need a secure context, which a deployment has through HTTPS.
 */
export async function launchInNamespace(ns: NetNamespace, origin: string, extraArgs: string[] = MEDIA_ARGS): Promise<{ browser: Browser; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'wm-room-browser-'));
  const script = join(dir, 'chromium');
  writeFileSync(script, `#!/bin/sh\nexec ${ns.wrap([CHROMIUM]).join(' ')} "$@"\n`);
  chmodSync(script, 0o755);
  const browser = await chromium.launch({ executablePath: script, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs, `--unsafely-treat-insecure-origin-as-secure=${origin}`] });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Every RTCPeerConnection the page makes is kept in window.__pcs (before any page script runs).
 * Page code is given as text: this module is also compiled without the DOM types (bench/).
 */
export async function recordPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(`(() => {
    const Native = window.RTCPeerConnection;
    const pcs = [];
    window.__pcs = pcs;
    function Recorded(...args) {
      const pc = new Native(...args);
      pcs.push(pc);
      return pc;
    }
    Recorded.prototype = Native.prototype;
    Object.setPrototypeOf(Recorded, Native);
    window.RTCPeerConnection = Recorded;
  })()`);
}

export type Received = { audioBytes: number; videoBytes: number; peerConnections: number; framesDecoded: Record<string, number>; frameWidths: number[] };

/** What the page has received so far, from getStats() of its open peer connections (inbound-rtp). */
export async function received(page: Page): Promise<Received> {
  return page.evaluate(`(async () => {
    const pcs = window.__pcs ?? [];
    const out = { audioBytes: 0, videoBytes: 0, peerConnections: pcs.length, framesDecoded: {}, frameWidths: [] };
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r) => {
        if (r.type !== 'inbound-rtp') return;
        if (r.kind === 'audio') out.audioBytes += r.bytesReceived ?? 0;
        if (r.kind === 'video') {
          out.videoBytes += r.bytesReceived ?? 0;
          out.framesDecoded[r.id] = r.framesDecoded ?? 0;
          if (r.frameWidth) out.frameWidths.push(r.frameWidth);
        }
      });
    }
    return out;
  })()`);
}

/** How many peer connections the page made. */
export const peerConnections = (page: Page): Promise<number> => page.evaluate('(window.__pcs ?? []).length');

export async function freePortOn(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
