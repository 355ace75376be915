import { endOfDay, today } from './api-key-dialogs';

describe('API keys', () => {
  it('makes a date an expiry at the end of that day, local time', () => {
    const iso = endOfDay('2031-03-09')!;
    const d = new Date(iso);
    expect([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes()]).toEqual([2031, 2, 9, 23, 59]);
    expect(endOfDay('')).toBeNull();
    expect(endOfDay('next week')).toBeNull();
  });

  it('writes today as a date input does', () => {
    expect(today(new Date(2031, 0, 5, 12))).toBe('2031-01-05');
  });
});
