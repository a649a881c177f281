import { untrustedWriters, type Writer } from '../access/writers.js';
import type { OwnedText } from './host-files.js';

/**
 * Who besides root could change a host file that decides a role (a system crontab, a php-fpm
 * configuration a master names), in words; undefined when no one. Its lines name the user each job or
 * pool runs as, so whoever can change it decides every role it could give. cron
 * itself runs these files only when root owns them (a symlink and its target) and neither group nor
 * others can write them; ACL entries that grant write count too. Files of the user running permcheck
 * are its own: a fixture host, or a host where it is not root.
 */
export function whoElseCanChange(file: OwnedText): string | undefined {
  const trusted = new Set([0, process.getuid?.() ?? 0]);
  const writers = untrustedWriters(file.inode, trusted).map(writerText);
  if (file.linkUid !== undefined && !trusted.has(file.linkUid)) writers.unshift(`uid ${file.linkUid} (owner of the symlink)`);
  return writers.length === 0 ? undefined : `${writers.join(', ')} can change it`;
}

function writerText(writer: Writer): string {
  switch (writer.kind) {
    case 'owner':
      return `uid ${writer.uid} (its owner)`;
    case 'group':
      return `group ${writer.gid}`;
    case 'others':
      return 'any local user';
    case 'acl-user':
      return `uid ${writer.uid} (an ACL entry)`;
    case 'acl-group':
      return `group ${writer.gid} (an ACL entry)`;
  }
}
