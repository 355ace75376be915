import { parseImport } from './users';
import { parseRoles, passwordTooLong } from './user-dialog';

describe('users', () => {
  it('reads an export for import', () => {
    const text = JSON.stringify([{ username: 'a', passwordHash: '$2b$10$x', roles: ['admin'], enabled: false }, { username: 'b', password: 'p' }]);
    expect(parseImport(text)).toEqual([
      { username: 'a', passwordHash: '$2b$10$x', roles: ['admin'], enabled: false },
      { username: 'b', password: 'p', roles: [], enabled: true },
    ]);
  });

  it('says what is wrong with a file it cannot import', () => {
    expect(() => parseImport('nope')).toThrow('The file is not JSON.');
    expect(() => parseImport('{}')).toThrow(/JSON array/);
    expect(() => parseImport('[{"username":"a"}]')).toThrow(/neither passwordHash nor password/);
    expect(() => parseImport('[{}]')).toThrow(/User 1 has no username/);
  });

  it('splits roles on commas and spaces, once each', () => {
    expect(parseRoles(' admin, sensors  sensors,')).toEqual(['admin', 'sensors']);
    expect(parseRoles('')).toEqual([]);
  });

  it('counts a password in bytes, as bcrypt does', () => {
    expect(passwordTooLong('x'.repeat(72))).toBe(false);
    expect(passwordTooLong('é'.repeat(37))).toBe(true);
  });
});
