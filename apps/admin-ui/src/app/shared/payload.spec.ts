import { base64ToBytes, bytesToBase64, defaultView, formatPayload, hexDump, payloadBytes, payloadPreview, prettyJson, propertyRows } from './payload';

const b64 = (s: string) => bytesToBase64(new TextEncoder().encode(s));

describe('payloads', () => {
  it('round-trips bytes through base64', () => {
    const bytes = new Uint8Array([0, 1, 127, 128, 255]);
    expect([...base64ToBytes(bytesToBase64(bytes))]).toEqual([0, 1, 127, 128, 255]);
    expect(b64('héllo')).toBe('aMOpbGxv');
  });

  it('dumps bytes in hex, 16 a line, with their printable ASCII', () => {
    expect(hexDump(new TextEncoder().encode('{"a":1}'))).toBe('00000000  7b 22 61 22 3a 31 7d                              |{"a":1}|');
    const two = hexDump(new Uint8Array(18).map((_, i) => i));
    expect(two.split('\n')).toEqual([
      '00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  |................|',
      '00000010  10 11                                             |..|',
    ]);
    expect(hexDump(new Uint8Array(40), 16).split('\n')).toHaveLength(2);
    expect(hexDump(new Uint8Array(40), 16)).toContain('… 24 more bytes');
    expect(hexDump(new Uint8Array(0))).toBe('');
  });

  it('pretty-prints JSON, and says null for what is not JSON', () => {
    expect(prettyJson('{"a":[1,2]}')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(prettyJson(' 42 ')).toBe('42');
    expect(prettyJson('on')).toBeNull();
    expect(prettyJson('')).toBeNull();
    expect(prettyJson(null)).toBeNull();
  });

  it('opens JSON as JSON, text as text, bytes as hex', () => {
    expect(defaultView({ payloadText: '{"t":1}', payloadBase64: b64('{"t":1}') })).toBe('json');
    expect(defaultView({ payloadText: 'on', payloadBase64: b64('on') })).toBe('text');
    expect(defaultView({ payloadText: null, payloadBase64: 'AP8=' })).toBe('hex');
  });

  it('formats a payload as asked, and says when it cannot', () => {
    const json = { payloadText: '{"t":1}', payloadBase64: b64('{"t":1}') };
    expect(formatPayload(json, 'json')).toEqual({ body: '{\n  "t": 1\n}', note: null });
    expect(formatPayload(json, 'text')).toEqual({ body: '{"t":1}', note: null });
    expect(formatPayload(json, 'hex').body).toMatch(/^00000000 {2}7b 22 74 22/);
    expect(formatPayload({ payloadText: 'on', payloadBase64: b64('on') }, 'json')).toEqual({ body: 'on', note: 'Not JSON: shown as text.' });
    const binary = { payloadText: null, payloadBase64: 'AP8=' };
    expect(formatPayload(binary, 'text')).toEqual({ body: '00000000  00 ff                                             |..|', note: 'Not UTF-8 text: shown in hex.' });
  });

  it('previews a payload on one line', () => {
    expect(payloadPreview({ payloadText: 'a\n  b', payloadBase64: '' })).toBe('a b');
    expect(payloadPreview({ payloadText: 'x'.repeat(10), payloadBase64: '' }, 5)).toBe('xxxx…');
    expect(payloadPreview({ payloadText: '', payloadBase64: '' })).toBe('(empty)');
    expect(payloadPreview({ payloadText: null, payloadBase64: 'AP8=' })).toBe('(binary, 2 bytes)');
    expect(payloadBytes({ payloadText: null, payloadBase64: 'AAEC' })).toBe(3);
  });

  it('lists MQTT 5.0 properties with labels, a row per user property', () => {
    expect(propertyRows({ contentType: 'application/json', payloadFormatIndicator: 1, userProperties: [['site', 'north'], ['site', 'south']], correlationData: 'AQID' })).toEqual([
      { label: 'Content type', value: 'application/json' },
      { label: 'Payload format', value: '1 (UTF-8 text)' },
      { label: 'User property: site', value: 'north' },
      { label: 'User property: site', value: 'south' },
      { label: 'Correlation data (base64)', value: 'AQID' },
    ]);
    expect(propertyRows({ userProperties: { a: 'b' } })).toEqual([{ label: 'User property: a', value: 'b' }]);
    expect(propertyRows(null)).toEqual([]);
  });
});
