import { DestroyRef, Signal, inject, signal } from '@angular/core';
import { duration } from './format';

/** What is left of an offline session: "4 min 12 s", "expired", or "never" without an end. */
export function countdown(expiresAt: string | null | undefined, now: number): string {
  if (!expiresAt) return 'never';
  const left = Math.ceil((Date.parse(expiresAt) - now) / 1000);
  return left <= 0 ? 'expired' : duration(left);
}

/** Seconds until `expiresAt` (0 once passed); null without an end. */
export function secondsLeft(expiresAt: string | null | undefined, now: number): number | null {
  if (!expiresAt) return null;
  return Math.max(0, Math.ceil((Date.parse(expiresAt) - now) / 1000));
}

/** "12:03:04" today, "5 Dec, 12:03:04" another day: for lists. */
export function shortTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const today = new Date(now);
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (d.toDateString() === today.toDateString()) return time;
  return `${d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' })}, ${time}`;
}

/**
 * The time now, as a signal moving every `ms` (a second by default) for as long as the calling component
 * lives: for countdowns that tick on the client, with no request to the broker.
 */
export function tickingNow(ms = 1000): Signal<number> {
  const now = signal(Date.now());
  const timer = setInterval(() => now.set(Date.now()), ms);
  inject(DestroyRef).onDestroy(() => clearInterval(timer));
  return now.asReadonly();
}

/** A local date-time input's value ("2026-12-05T14:03") as an ISO instant; null when empty or invalid. */
export function localInputToIso(value: string): string | null {
  if (!value) return null;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}
