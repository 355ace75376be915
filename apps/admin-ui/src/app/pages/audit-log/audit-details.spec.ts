import { detailView, headline, show } from './audit-details';

describe('audit details', () => {
  it('shows values as people read them', () => {
    expect([show(null), show('a'), show(3), show(false), show(['a', 'b']), show({ x: 1 })]).toEqual(['—', 'a', '3', 'false', 'a, b', '{"x":1}']);
  });

  it('lays a change out as before and after, marking what changed', () => {
    const view = detailView({ before: { position: 2, topic: 'a/#' }, after: { position: 1, topic: 'a/#' } });
    expect(view.kind).toBe('change');
    expect(view.rows).toEqual([
      { field: 'position', before: '2', after: '1', changed: true },
      { field: 'topic', before: 'a/#', after: 'a/#', changed: false },
    ]);
  });

  it('shows a creation with its after side only, and other keys as fields', () => {
    const view = detailView({ after: { role: 'viewer' }, note: 'x' });
    expect(view.rows).toEqual([
      { field: 'role', before: undefined, after: 'viewer', changed: false },
      { field: 'note', value: 'x', changed: false },
    ]);
  });

  it('lists plain details a key at a time', () => {
    expect(detailView({ username: 'u', address: '::1' })).toEqual({ kind: 'fields', rows: [{ field: 'username', value: 'u', changed: false }, { field: 'address', value: '::1', changed: false }] });
    expect(detailView(null).rows).toEqual([]);
  });

  it('sums an entry up in a line', () => {
    expect(headline('updateAclRule', '3', { before: { position: 2 }, after: { position: 1 } })).toBe('updateAclRule 3: position 2 → 1');
    expect(headline('logout', null, null)).toBe('logout');
  });
});
