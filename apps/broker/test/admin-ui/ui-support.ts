import type { Page } from 'playwright-core';
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
