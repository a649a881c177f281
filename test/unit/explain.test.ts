import { describe, expect, it } from 'vitest';
import { abilities } from '../../src/explain/abilities.js';
import { explainUmask } from '../../src/explain/explain.js';
import { explanationJson } from '../../src/explain/render.js';
import { parseRequestedMode } from '../../src/explain/requested.js';

describe('explainUmask', () => {
  it('gives the JSON shape the README documents', () => {
    const json = explanationJson(explainUmask(0o027, [{ kind: 'directory', requested: 0o775 }]));
    expect(json).toMatchObject({
      umask: '0027',
      symbolic: 'u=rwx,g=rx,o=',
      file: { requested: '0666', mode: '0640', symbolic: 'rw-r-----' },
      directory: { requested: '0777', mode: '0750', symbolic: 'rwxr-x---' },
      custom: [{ kind: 'directory', requested: '0775', mode: '0750', symbolic: 'rwxr-x---' }],
    });
    expect(json.notes.join(' ')).toMatch(/chmod\(\) ignores the umask/);
  });

  it('warns about world-writable results under 000', () => {
    const { warnings } = explainUmask(0o000);
    expect(warnings.filter((w) => w.startsWith('World-writable'))).toHaveLength(2);
  });

  it('explains that 002 needs a shared group', () => {
    const { warnings } = explainUmask(0o002);
    expect(warnings.some((w) => w.startsWith('Group-writable') && w.includes('setgid'))).toBe(true);
    expect(warnings.some((w) => w.startsWith('World-writable'))).toBe(false);
  });

  it('says 077 locks the group out, so all roles must be one user', () => {
    const { warnings } = explainUmask(0o077);
    expect(warnings.some((w) => w.includes('locked out') && w.includes('one and the same user'))).toBe(true);
  });

  it('says 022 lets others read', () => {
    expect(explainUmask(0o022).warnings.some((w) => w.startsWith('Others can read'))).toBe(true);
    expect(explainUmask(0o027).warnings.some((w) => w.startsWith('Others can read'))).toBe(false);
  });

  it('warns when the owner loses its own access', () => {
    expect(explainUmask(0o277).warnings.some((w) => w.includes('owner itself'))).toBe(true);
  });

  it('has no chmod note without custom modes', () => {
    expect(explainUmask(0o022).notes).toEqual([]);
  });
});

describe('abilities', () => {
  it('names what each class may do with files and directories', () => {
    expect(abilities('file', 0o640, 'group')).toEqual(['read']);
    expect(abilities('directory', 0o750, 'group')).toEqual(['list', 'enter']);
    expect(abilities('directory', 0o730, 'group')).toEqual(['create and delete entries', 'enter']);
    expect(abilities('directory', 0o720, 'group')).toEqual(['write (useless without enter)']);
    expect(abilities('file', 0o750, 'other')).toEqual([]);
  });
});

describe('parseRequestedMode', () => {
  it.each([
    ['0775', 'directory', 0o775],
    ['0664', 'file', 0o664],
    ['dir:0640', 'directory', 0o640],
    ['file:0755', 'file', 0o755],
    ['02775', 'directory', 0o2775],
    ['0o644', 'file', 0o644],
  ])('%s is a %s request for %o', (text, kind, requested) => {
    expect(parseRequestedMode(text)).toEqual({ ok: true, value: { kind, requested } });
  });

  it.each(['0889', '17777', 'x:0775', '', 'rwx'])('rejects %j', (text) => {
    expect(parseRequestedMode(text).ok).toBe(false);
  });
});
