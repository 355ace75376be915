import { RefreshGate } from './refresh-gate';

describe('refresh gate', () => {
  it('asks for nothing on the first tick or while the key stays the same', () => {
    const gate = new RefreshGate(5000);
    expect(gate.offer('1', 0)).toBeNull();
    expect(gate.offer('1', 1000)).toBeNull();
  });

  it('refreshes at once after a quiet while, then at most every interval', () => {
    const gate = new RefreshGate(5000);
    gate.offer('1', 0);
    expect(gate.offer('2', 1000)).toBe(0);
    gate.done(1000);
    expect(gate.offer('3', 2000)).toBe(4000);
    // Already due: more ticks in between ask for nothing more.
    expect(gate.offer('4', 3000)).toBeNull();
    gate.done(6000);
    expect(gate.offer('4', 7000)).toBeNull();
    expect(gate.offer('5', 12000)).toBe(0);
  });

  it('refreshes when the key moved since the data was read, before the first tick came', () => {
    const gate = new RefreshGate(5000, '1');
    expect(gate.offer('2', 0)).toBe(0);
  });

  it('reads once more an interval after the key stopped moving, then rests', () => {
    const gate = new RefreshGate(5000);
    gate.offer('1', 0);
    expect(gate.offer('2', 1000)).toBe(0);
    gate.done(1000);
    expect(gate.offer('2', 2000)).toBeNull();
    expect(gate.offer('2', 6000)).toBe(0);
    gate.done(6000);
    expect(gate.offer('2', 12000)).toBeNull();
    expect(gate.offer('2', 60000)).toBeNull();
  });
});
