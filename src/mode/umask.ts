import { classBits, PERMISSION_BITS, PERMISSION_CLASSES, READ, WRITE, EXECUTE } from './bits.js';

export type UmaskParse = { ok: true; umask: number } | { ok: false; reason: string };

export const UMASK_FORMS = "octal 0000-0777 (027, 0027, 0o027) or symbolic as 'umask -S' prints (u=rwx,g=rx,o=)";

const OCTAL = /^(?:0o)?([0-7]+)$/i;
const SYMBOLIC_CLAUSE = /^([ugoa]+)=([rwx]*)$/;

/**
 * Parse a umask the way an operator writes it. Octal: 027, 0027, 0o027, up to 0777 (the shell
 * rejects `umask 1022` as out of range). Symbolic: `umask -S` names the permissions
 * KEPT, so u=rwx,g=rx,o= is 027; every class must be named, since a partial form would depend on
 * whatever umask the shell had before.
 */
export function parseUmask(text: string): UmaskParse {
  const input = text.trim();
  if (input === '') return { ok: false, reason: 'is empty' };
  if (/^(?:0o)?[0-9]+$/i.test(input)) return parseOctal(input);
  if (input.includes('=') || /^[ugoa]/.test(input)) return parseSymbolic(input);
  return { ok: false, reason: 'is neither an octal nor a symbolic umask' };
}

function parseOctal(input: string): UmaskParse {
  const match = OCTAL.exec(input);
  if (!match) return { ok: false, reason: 'has a digit that is not octal (0-7)' };
  // Like the shell, leading zeros are fine (00027) and only the value is bounded.
  const value = Number.parseInt(match[1]!, 8);
  if (value > PERMISSION_BITS) return { ok: false, reason: 'is out of range (0000-0777)' };
  return { ok: true, umask: value };
}

function parseSymbolic(input: string): UmaskParse {
  const kept: Record<'u' | 'g' | 'o', number | undefined> = { u: undefined, g: undefined, o: undefined };
  for (const clause of input.split(',')) {
    const match = SYMBOLIC_CLAUSE.exec(clause);
    if (!match) {
      if (/[+-]/.test(clause)) {
        return { ok: false, reason: `uses '${clause}': only '=' clauses are accepted, since + and - change the shell's current umask` };
      }
      return { ok: false, reason: `has an invalid clause '${clause}' (expected who=perms, who in u g o a, perms from r w x)` };
    }
    const bits = [...match[2]!].reduce((sum, ch) => sum | (ch === 'r' ? READ : ch === 'w' ? WRITE : EXECUTE), 0);
    for (const who of match[1]!) {
      const targets = who === 'a' ? (['u', 'g', 'o'] as const) : ([who] as ['u' | 'g' | 'o']);
      for (const target of targets) kept[target] = bits;
    }
  }
  const missing = (['u', 'g', 'o'] as const).filter((who) => kept[who] === undefined);
  if (missing.length > 0) {
    return { ok: false, reason: `does not set ${missing.join(', ')} (name every class, as 'umask -S' does)` };
  }
  const keptMode = (kept.u! << 6) | (kept.g! << 3) | kept.o!;
  return { ok: true, umask: PERMISSION_BITS & ~keptMode };
}

/** What `umask -S` prints for a umask: the bits each class keeps. */
export function symbolicUmask(umask: number): string {
  const kept = PERMISSION_BITS & ~umask;
  const letters = (bits: number) => (bits & READ ? 'r' : '') + (bits & WRITE ? 'w' : '') + (bits & EXECUTE ? 'x' : '');
  const [u, g, o] = PERMISSION_CLASSES.map((cls) => letters(classBits(kept, cls)));
  return `u=${u},g=${g},o=${o}`;
}
