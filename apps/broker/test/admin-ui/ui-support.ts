import type { Locator, Page } from 'playwright-core';
import { screenshot, setTheme } from './browser';

/** Signs in on the login screen, and waits to leave it. */
export async function signInThroughUi(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

/** Screenshots of the screen as it is, light then dark (artifacts/admin-ui/<name>-light.png, -dark.png); leaves it light. */
export async function screenshotBothThemes(page: Page, name: string): Promise<void> {
  await setTheme(page, 'light');
  await screenshot(page, `${name}-light`);
  await setTheme(page, 'dark');
  await screenshot(page, `${name}-dark`);
  await setTheme(page, 'light');
}

/** How much wider than the window the page is, in CSS pixels (0 when it fits). */
export function overflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}

/** What has the keyboard focus, as a screen reader would name it: its label, else its text but what is aria-hidden ('' for the page itself). */
export function focused(page: Page): Promise<string> {
  return page.evaluate<string>(`(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return '';
    const seen = e.cloneNode(true);
    for (const hidden of seen.querySelectorAll('[aria-hidden="true"]')) hidden.remove();
    const name = e.getAttribute('aria-label') || (e.labels && e.labels[0] ? e.labels[0].textContent : '') || seen.textContent || '';
    return name.replace(/[\\s*]+/g, ' ').trim();
  })()`);
}

/** Presses Tab until the focus is on `name` (at most `max` times); the names focused on the way, `name` last. */
export async function tabTo(page: Page, name: string | RegExp, max = 40): Promise<string[]> {
  const path: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    path.push(now);
    if (typeof name === 'string' ? now === name : name.test(now)) return path;
  }
  throw new Error(`Tab never reached ${String(name)}; it went through: ${path.join(' | ')}`);
}

/**
 * Waits for `locator`; when it does not come, fails with what the page said instead: the snack bar's
 * message (a refused change), an open dialog's text (a form that did not submit) and the address.
 */
export async function waitOrSay(page: Page, locator: Locator, what: string, timeout = 20_000): Promise<void> {
  try {
    await locator.waitFor({ timeout });
  } catch (e) {
    const said = async (selector: string): Promise<string> => ((await page.locator(selector).allInnerTexts().catch(() => [])) as string[]).join(' | ').replace(/\s+/g, ' ').slice(0, 300);
    throw new Error(`${what} did not appear within ${timeout} ms (${(e as Error).message.split('\n')[0]}); page ${page.url()}; snack bar: "${await said('mat-snack-bar-container')}"; dialog: "${await said('mat-dialog-container')}"`);
  }
}

/**
 * The dialog just opened, once it is ready to be typed into: open, with the focus in it. Material moves
 * the focus in when the dialog has opened, after its form has read its first values; text typed before
 * that can be overwritten by them, as a fast enough hand would find.
 */
export async function openedDialog(page: Page): Promise<Locator> {
  const dialog = page.getByRole('dialog');
  await page.waitForFunction(
    `(() => { const c = document.querySelector('mat-dialog-container.mdc-dialog--open'); return c !== null && c.contains(document.activeElement); })()`,
  );
  return dialog;
}
