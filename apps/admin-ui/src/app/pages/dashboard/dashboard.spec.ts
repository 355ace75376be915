import { listenerAddress } from './dashboard';
import { duration, bytes } from '../../shared/format';

describe('dashboard', () => {
  it('names a listener as a client reaches it', () => {
    expect(listenerAddress({ kind: 'mqtt', host: '0.0.0.0', port: 1883 }, 'broker.example')).toBe('mqtt://broker.example:1883');
    expect(listenerAddress({ kind: 'ws', host: '127.0.0.1', port: 8083 }, 'x')).toBe('ws://127.0.0.1:8083/mqtt');
    expect(listenerAddress({ kind: 'mqtts', host: '::1', port: 8883 }, 'x')).toBe('mqtts://[::1]:8883');
  });

  it('writes uptimes and sizes for people', () => {
    expect(duration(42)).toBe('42 s');
    expect(duration(3725)).toBe('1 h 2 min');
    expect(duration(90061)).toBe('1 d 1 h');
    expect(bytes(512)).toBe('512 B');
    expect(bytes(1536)).toBe('1.5 KiB');
  });
});
