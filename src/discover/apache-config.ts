import { posix } from 'node:path';
import { parseUmask } from '../mode/umask.js';
import { parseFastcgiTarget, type FastcgiAddress } from './fastcgi.js';
import { numberedLines, unquote, type IncludeLoader, type Located } from './located.js';

/** Debian's /etc/apache2/envvars: who Apache runs as, and an umask line some admins add. */
export interface ApacheEnvvars {
  vars: Record<string, Located>;
  umask: Located<number> | undefined;
}

/** `export APACHE_RUN_USER=www-data`, `APACHE_RUN_GROUP=www-data`, `umask 002`. */
export function parseEnvvars(text: string, file: string): ApacheEnvvars {
  const result: ApacheEnvvars = { vars: {}, umask: undefined };
  for (const { text: raw, line } of numberedLines(text)) {
    const content = raw.trim();
    if (content.startsWith('#')) continue;
    const assignment = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(\S*)/.exec(content);
    if (assignment) {
      result.vars[assignment[1]!] = { value: unquote(assignment[2]!), file, line };
      continue;
    }
    const umask = /^umask\s+(\S+)/.exec(content);
    if (umask) {
      const parsed = parseUmask(umask[1]!);
      if (parsed.ok) result.umask = { value: parsed.umask, file, line };
    }
  }
  return result;
}

/** A `<VirtualHost>` (or the main server), with where PHP requests go. */
export interface ApacheSite {
  file: string;
  line: number;
  documentRoot: Located | undefined;
  /** `SetHandler "proxy:unix:...|fcgi://..."` or `ProxyPassMatch ... fcgi://...` targets. */
  fastcgi: Located<FastcgiAddress>[];
}

export interface ApacheConfig {
  user: Located | undefined;
  group: Located | undefined;
  /** A php module is loaded: PHP runs inside Apache's own processes. */
  modPhp: Located | undefined;
  main: ApacheSite;
  virtualHosts: ApacheSite[];
}

const MAX_INCLUDE_DEPTH = 8;

/**
 * Apache's configuration, following Include and IncludeOptional (relative to ServerRoot) in
 * place, with `${VAR}` filled from `vars` (envvars, Define). Conditional sections (<IfModule>...)
 * are read as if true: what they hold is what the admin wrote for this server.
 */
export function parseApacheConfig(
  text: string,
  file: string,
  options: { serverRoot: string; vars: Record<string, string>; include: IncludeLoader },
): ApacheConfig {
  const config: ApacheConfig = {
    user: undefined,
    group: undefined,
    modPhp: undefined,
    main: { file, line: 1, documentRoot: undefined, fastcgi: [] },
    virtualHosts: [],
  };
  const state = { serverRoot: options.serverRoot, vars: { ...options.vars }, site: undefined as ApacheSite | undefined };
  const walk = (content: string, current: string, depth: number): void => {
    for (const { text: directiveText, line } of directives(content)) {
      const text = directiveText.replace(/\$\{([^}]+)\}/g, (whole, name) => state.vars[name] ?? whole);
      const [name = '', ...args] = words(text);
      const key = name.toLowerCase();
      const at = { file: current, line };
      const site = state.site ?? config.main;
      if (key === '<virtualhost') {
        state.site = { file: current, line, documentRoot: undefined, fastcgi: [] };
        config.virtualHosts.push(state.site);
      } else if (key === '</virtualhost>') state.site = undefined;
      else if (key === 'serverroot' && args[0]) state.serverRoot = args[0];
      else if (key === 'define' && args[0]) state.vars[args[0]] = args[1] ?? '';
      else if ((key === 'include' || key === 'includeoptional') && args[0] && depth < MAX_INCLUDE_DEPTH) {
        const pattern = posix.isAbsolute(args[0]) ? args[0] : posix.join(state.serverRoot, args[0]);
        for (const included of options.include(pattern, at)) walk(included.text, included.file, depth + 1);
      } else if (key === 'user' && args[0] && !state.site) config.user = { value: args[0], ...at };
      else if (key === 'group' && args[0] && !state.site) config.group = { value: args[0], ...at };
      else if (key === 'loadmodule' && /^php\w*_module$/.test(args[0] ?? '')) config.modPhp = { value: args[0]!, ...at };
      else if (key === 'documentroot' && args[0]) site.documentRoot = { value: args[0].replace(/\/+$/, '') || '/', ...at };
      else if (key === 'sethandler' && args[0]?.toLowerCase().startsWith('proxy:')) addTarget(site, args[0], at);
      else if (key === 'proxypassmatch' || key === 'proxypass') {
        const target = args.find((arg) => /^(unix:|fcgi:)/i.test(arg));
        if (target) addTarget(site, target, at);
      }
    }
  };
  walk(text, file, 0);
  return config;
}

function addTarget(site: ApacheSite, text: string, at: { file: string; line: number }): void {
  const address = parseFastcgiTarget(text);
  if (address) site.fastcgi.push({ value: address, ...at });
}

/** Lines without comments, continuation lines joined. */
function directives(text: string): { text: string; line: number }[] {
  const result: { text: string; line: number }[] = [];
  let pending: { text: string; line: number } | undefined;
  for (const { text: raw, line } of numberedLines(text)) {
    const trimmed = raw.trim();
    const joined = pending ? { text: `${pending.text} ${trimmed}`, line: pending.line } : { text: trimmed, line };
    if (joined.text.endsWith('\\')) {
      pending = { text: joined.text.slice(0, -1), line: joined.line };
      continue;
    }
    pending = undefined;
    if (joined.text === '' || joined.text.startsWith('#')) continue;
    result.push({ text: joined.text.replace(/>$/, (end) => (joined.text.startsWith('</') ? end : '')), line: joined.line });
  }
  return result;
}

/** Apache's arguments: whitespace-separated, double or single quotes group. */
function words(text: string): string[] {
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}
