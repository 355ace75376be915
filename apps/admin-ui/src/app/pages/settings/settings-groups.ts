export interface Setting {
  name: string;
  group: string;
  value: string | null;
  isDefault: boolean;
  secret: boolean;
}

export interface SettingGroup {
  name: string;
  settings: Setting[];
}

/** The value as the screen shows it: a secret only as set or not, unset as such. */
export function shown(setting: Setting): string {
  if (setting.secret) return setting.isDefault ? 'not set (generated)' : 'set, hidden';
  return setting.value ?? 'unset';
}

/** The settings in their groups, in the broker's order, narrowed to a search and, if asked, to those changed. */
export function groupSettings(settings: readonly Setting[], search: string, changedOnly: boolean): SettingGroup[] {
  const needle = search.trim().toLowerCase();
  const groups = new Map<string, Setting[]>();
  for (const s of settings) {
    if (changedOnly && s.isDefault) continue;
    if (needle && !s.name.toLowerCase().includes(needle) && !shown(s).toLowerCase().includes(needle) && !s.group.toLowerCase().includes(needle)) continue;
    const list = groups.get(s.group) ?? [];
    list.push(s);
    groups.set(s.group, list);
  }
  return [...groups].map(([name, list]) => ({ name, settings: list }));
}
