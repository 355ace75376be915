import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BrowserContext, Page, chromium } from 'playwright-core';

/** Debian's Chromium, as CI installs it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Screenshots of every screen, light and dark, for people to look at (gitignored). */
export const ARTIFACTS = resolve(__dirname, '..', '..', '..', '..', '..', 'artifacts', 'admin-ui');

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A fresh Chromium profile (nothing stored from another run), one page at 1280 x 800. */
export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'nestmq-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(20_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves the page as artifacts/admin-ui/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Animations done, so the picture shows the settled screen.
  await page.evaluate('Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined)))');
  // Passing notices and tooltips are left out: the picture is of the screen itself.
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true, style: '.mat-mdc-snack-bar-container, .mat-mdc-tooltip-panel { display: none !important; }' });
}

/** Run in the page (this project compiles without the DOM's types). */
const DARK = "document.documentElement.classList.contains('dark-theme')";

/** Switches the theme with the toolbar's button and waits for it to apply. */
export async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  const isDark = await page.evaluate(DARK);
  if (isDark === (theme === 'dark')) return;
  await page.getByRole('button', { name: theme === 'dark' ? 'Switch to dark theme' : 'Switch to light theme' }).first().click();
  await page.waitForFunction(`${DARK} === ${theme === 'dark'}`);
}
