import { countdown, localInputToIso, secondsLeft, shortTime } from './time';

describe('time', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');

  it('counts down to a session expiry', () => {
    expect(countdown('2026-01-01T12:04:12Z', now)).toBe('4 min 12 s');
    expect(countdown('2026-01-01T12:00:00.400Z', now)).toBe('1 s');
    expect(countdown('2026-01-01T14:00:00Z', now)).toBe('2 h 0 min');
    expect(countdown('2026-01-01T11:59:59Z', now)).toBe('expired');
    expect(countdown(null, now)).toBe('never');
    expect(secondsLeft('2026-01-01T12:01:00Z', now)).toBe(60);
    expect(secondsLeft('2026-01-01T11:00:00Z', now)).toBe(0);
    expect(secondsLeft(null, now)).toBeNull();
  });

  it('ticks down a second at a time', () => {
    const expires = '2026-01-01T12:00:03Z';
    expect([0, 1000, 2000, 3000].map((ms) => countdown(expires, now + ms))).toEqual(['3 s', '2 s', '1 s', 'expired']);
  });

  it('shows the date only for another day', () => {
    const local = new Date(2026, 0, 1, 9, 5, 7);
    expect(shortTime(local.toISOString(), local.getTime())).toBe('09:05:07');
    expect(shortTime(local.toISOString(), local.getTime() + 86_400_000)).toBe('1 Jan, 09:05:07');
    expect(shortTime(null)).toBe('—');
  });

  it('reads a local date-time input as an instant', () => {
    expect(localInputToIso('2026-01-01T10:00')).toBe(new Date(2026, 0, 1, 10, 0).toISOString());
    expect(localInputToIso('')).toBeNull();
    expect(localInputToIso('nope')).toBeNull();
  });
});
