import { posix } from 'node:path';
import { parseFastcgiTarget, type FastcgiAddress } from './fastcgi.js';
import type { IncludeLoader, Located } from './located.js';

/** A server block's document root with where its PHP requests go. */
export interface NginxSite {
  file: string;
  line: number;
  root: Located;
  fastcgi: Located<FastcgiAddress>[];
}

export interface NginxConfig {
  user: Located | undefined;
  sites: NginxSite[];
  /** fastcgi_pass targets that are variables or unknown upstreams. */
  unresolved: Located[];
}

interface Directive {
  name: string;
  args: string[];
  file: string;
  line: number;
  block: Directive[] | undefined;
}

const MAX_INCLUDE_DEPTH = 8;

/**
 * nginx's configuration with `include` globs expanded in place (relative to the prefix, the
 * directory of nginx.conf): the main `user`, `upstream` servers, and per `server` block the root
 * in force where `fastcgi_pass` is (a location's own root, else the server's, else http's).
 */
export function parseNginxConfig(text: string, file: string, include: IncludeLoader): NginxConfig {
  const prefix = posix.dirname(file);
  const tree = parseBlock(tokens(text, file), { index: 0 }, include, prefix, 0);
  const config: NginxConfig = { user: undefined, sites: [], unresolved: [] };
  const upstreams = new Map<string, Located<FastcgiAddress>[]>();
  const visit = (list: Directive[], visitor: (d: Directive) => void) => {
    for (const directive of list) {
      visitor(directive);
      if (directive.block) visit(directive.block, visitor);
    }
  };
  for (const directive of tree) if (directive.name === 'user' && directive.args[0]) config.user = located(directive.args[0], directive);
  visit(tree, (d) => {
    if (d.name !== 'upstream' || !d.block || !d.args[0]) return;
    const servers = d.block.filter((s) => s.name === 'server' && s.args[0]);
    const addresses = servers.flatMap((s) => {
      const address = parseFastcgiTarget(s.args[0]!);
      return address ? [located(address, s)] : [];
    });
    upstreams.set(d.args[0], addresses);
  });
  const httpRoot = (http: Directive | undefined) => http?.block?.find((d) => d.name === 'root');
  const http = tree.find((d) => d.name === 'http');
  const servers: { server: Directive; inherited: Directive | undefined }[] = [];
  visit(tree, (d) => {
    if (d.name === 'server' && d.block && d.args.length === 0) servers.push({ server: d, inherited: httpRoot(http) });
  });
  for (const { server, inherited } of servers) {
    const serverRoot = server.block!.find((d) => d.name === 'root') ?? inherited;
    const byRoot = new Map<Directive | undefined, NginxSite>();
    const siteFor = (root: Directive | undefined): NginxSite | undefined => {
      if (!root?.args[0]) return undefined;
      let site = byRoot.get(root);
      if (!site) {
        site = { file: server.file, line: server.line, root: located(root.args[0].replace(/\/+$/, '') || '/', root), fastcgi: [] };
        byRoot.set(root, site);
        config.sites.push(site);
      }
      return site;
    };
    siteFor(serverRoot);
    const walkLocations = (list: Directive[], root: Directive | undefined) => {
      const own = list.find((d) => d.name === 'root') ?? root;
      for (const d of list) {
        if (d.name === 'fastcgi_pass' && d.args[0]) {
          const site = siteFor(own);
          const target = d.args[0];
          const upstream = upstreams.get(target);
          const address = upstream ? undefined : parseFastcgiTarget(target);
          if (upstream) site?.fastcgi.push(...upstream.map((u) => ({ ...u, file: d.file, line: d.line })));
          else if (address) site?.fastcgi.push(located(address, d));
          else config.unresolved.push(located(target, d));
        }
        if (d.block && d.name !== 'server') walkLocations(d.block, own);
      }
    };
    walkLocations(server.block!, serverRoot);
  }
  return config;
}

function located<T>(value: T, d: Directive): Located<T> {
  return { value, file: d.file, line: d.line };
}

interface Token {
  text: string;
  /** Quoted words are never `{`, `}` or `;`. */
  quoted: boolean;
  file: string;
  line: number;
}

function tokens(text: string, file: string): Token[] {
  const result: Token[] = [];
  let line = 1;
  const pattern = /\n|#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|[{};]|[^\s{};"'#][^\s{};]*/g;
  for (const match of text.replace(/^\uFEFF/, '').matchAll(pattern)) {
    const word = match[0];
    if (word === '\n') line++;
    else if (word.startsWith('#')) continue;
    else if (match[1] !== undefined || match[2] !== undefined) {
      result.push({ text: (match[1] ?? match[2])!, quoted: true, file, line });
      line += word.split('\n').length - 1;
    } else result.push({ text: word, quoted: false, file, line });
  }
  return result;
}

function parseBlock(list: Token[], at: { index: number }, include: IncludeLoader, prefix: string, depth: number): Directive[] {
  const result: Directive[] = [];
  let words: Token[] = [];
  while (at.index < list.length) {
    const token = list[at.index++]!;
    if (!token.quoted && token.text === '}') return result;
    if (!token.quoted && (token.text === ';' || token.text === '{')) {
      const [head, ...args] = words;
      words = [];
      if (!head) continue;
      const directive: Directive = { name: head.text, args: args.map((a) => a.text), file: head.file, line: head.line, block: undefined };
      if (token.text === '{') directive.block = parseBlock(list, at, include, prefix, depth);
      if (directive.name === 'include' && directive.args[0] && depth < MAX_INCLUDE_DEPTH) {
        const pattern = posix.isAbsolute(directive.args[0]) ? directive.args[0] : posix.join(prefix, directive.args[0]);
        for (const included of include(pattern, directive)) {
          result.push(...parseBlock(tokens(included.text, included.file), { index: 0 }, include, prefix, depth + 1));
        }
        continue;
      }
      result.push(directive);
      continue;
    }
    words.push(token);
  }
  return result;
}
