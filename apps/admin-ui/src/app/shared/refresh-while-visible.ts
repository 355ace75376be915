import { DestroyRef, inject } from '@angular/core';

/**
 * Reads a list again every `ms` while the page is visible, and at once when it becomes visible again:
 * for lists no subscription keeps live. Stops with the component (call it in an injection context).
 */
export function refreshWhileVisible(reload: () => void, ms: number): void {
  const visible = (): boolean => document.visibilityState === 'visible';
  const timer = setInterval(() => visible() && reload(), ms);
  const onVisible = (): void => {
    if (visible()) reload();
  };
  document.addEventListener('visibilitychange', onVisible);
  inject(DestroyRef).onDestroy(() => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', onVisible);
  });
}
