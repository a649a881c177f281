import type { Names } from '../access/describe.js';
import { untrustedWriters, writerText } from '../access/writers.js';
import type { LinkPlace } from '../walk/lookup.js';

/** A symlink on the way to a directory that someone other than the trusted users could have made or could replace. */
export interface UntrustedLink {
  link: string;
  /** Who, in words: "backup (its owner)", "group www-data", "any local user". */
  who: string[];
  /** One of them, when it is a user (for --trust). */
  user: number | undefined;
}

/**
 * The symlinks a lookup followed that are not root's (or the runner's) to decide: whoever may write
 * the directory holding a symlink may point it anywhere, at any moment. In a sticky directory (/tmp)
 * only the directory's owner and the link's own owner may replace it.
 */
export function untrustedLinks(places: readonly LinkPlace[], trusted: ReadonlySet<number>, names: Names): UntrustedLink[] {
  return places.flatMap((place) => {
    const sticky = (place.holder.mode & 0o1000) !== 0;
    const writers = untrustedWriters(place.holder, trusted).filter((writer) => !sticky || writer.kind === 'owner');
    const who = writers.map((writer) => writerText(writer, names));
    let user = writers.find((writer) => writer.kind === 'owner' || writer.kind === 'acl-user') as { uid: number } | undefined;
    if (sticky && !trusted.has(place.owner)) {
      who.push(`${names.user(place.owner)} (the link's owner)`);
      user ??= { uid: place.owner };
    }
    return who.length === 0 ? [] : [{ link: place.link, who, user: user?.uid }];
  });
}
