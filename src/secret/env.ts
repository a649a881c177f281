import type { SecretContent } from './content.js';
import { hasUrlPassword, isCredentialName, printableName } from './credential.js';

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/;

/**
 * A .env file (dotenv, Symfony, Laravel): a secret when some KEY=VALUE sets a credential-like key, or
 * a DSN with a password, to a non-empty value. Only a file made of such lines (and comments) is known
 * to hold none; anything else, an empty file included, leaves the decision to the path.
 */
export function envContent(text: string): SecretContent {
  const keys: string[] = [];
  let assignments = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const match = ASSIGNMENT.exec(line);
    if (!match) return { kind: 'unknown', why: `line ${i + 1} is not KEY=VALUE` };
    assignments++;
    let value = match[2]!;
    const quote = value[0];
    if (quote === '"' || quote === "'") {
      // A quoted value may run over several lines (a PEM key in a .env).
      const opened = i + 1;
      let rest = value.slice(1);
      while (!closes(rest, quote) && i + 1 < lines.length) rest += `\n${lines[++i]!}`;
      if (!closes(rest, quote)) return { kind: 'unknown', why: `a quote opened on line ${opened} is not closed` };
      value = rest.slice(0, rest.lastIndexOf(quote));
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
      // Laravel's env() reads an unquoted null as no value (MAIL_PASSWORD=null in its .env.example).
      if (value.toLowerCase() === 'null') value = '';
    }
    if (value === '') continue;
    const key = match[1]!;
    if ((isCredentialName(key) || hasUrlPassword(value)) && !keys.includes(key)) keys.push(printableName(key));
  }
  if (keys.length > 0) return { kind: 'credentials', keys };
  if (assignments === 0) return { kind: 'unknown', why: 'it sets nothing' };
  return { kind: 'none', includes: [] };
}

function closes(rest: string, quote: string): boolean {
  const at = rest.lastIndexOf(quote);
  return (
    at >= 0 &&
    rest
      .slice(at + 1)
      .trim()
      .replace(/^#.*/, '') === ''
  );
}
