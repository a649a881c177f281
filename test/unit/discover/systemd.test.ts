import { describe, expect, it } from 'vitest';
import { dropInOrder, effectiveUmask, parseServiceSettings } from '../../../src/discover/systemd-unit.js';

/** Debian's php8.2-fpm.service. */
const UNIT = `[Unit]
Description=The PHP 8.2 FastCGI Process Manager
Documentation=man:php-fpm8.2(8)
After=network.target

[Service]
Type=notify
ExecStart=/usr/sbin/php-fpm8.2 --nodaemonize --fpm-config /etc/php/8.2/fpm/php-fpm.conf
ExecStartPost=-/usr/lib/php/php-fpm-socket-helper install /run/php/php-fpm.sock /etc/php/8.2/fpm/pool.d/www.conf 82
ExecReload=/bin/kill -USR2 $MAINPID

[Install]
WantedBy=multi-user.target
`;

describe('systemd units', () => {
  it('reads ExecStart and no UMask= from a unit that sets none', () => {
    const settings = parseServiceSettings(UNIT, '/lib/systemd/system/php8.2-fpm.service');
    expect(settings.umask).toBeUndefined();
    expect(settings.execStart.map((e) => e.value)).toEqual([
      '/usr/sbin/php-fpm8.2 --nodaemonize --fpm-config /etc/php/8.2/fpm/php-fpm.conf',
    ]);
    expect(effectiveUmask([settings])).toBeUndefined();
  });

  it('lets later drop-ins win, an empty UMask= reset, and ignores UMask= outside [Service]', () => {
    const unit = parseServiceSettings(UNIT, '/lib/systemd/system/php8.2-fpm.service');
    const first = parseServiceSettings('[Service]\n# shared group\nUMask=0002\n', '/etc/systemd/system/php8.2-fpm.service.d/10-umask.conf');
    const second = parseServiceSettings('[Service]\nUMask=0027\n', '/etc/systemd/system/php8.2-fpm.service.d/20-umask.conf');
    const reset = parseServiceSettings('[Service]\nUMask=\n', '/etc/systemd/system/php8.2-fpm.service.d/30-reset.conf');
    const elsewhere = parseServiceSettings('[Unit]\nUMask=0077\n', '/x.conf');
    expect(effectiveUmask([unit, first, second])).toEqual({
      value: 0o027,
      file: '/etc/systemd/system/php8.2-fpm.service.d/20-umask.conf',
      line: 2,
    });
    expect(effectiveUmask([unit, first, elsewhere])).toMatchObject({ value: 0o002, line: 3 });
    expect(effectiveUmask([unit, first, reset])).toBeUndefined();
  });

  it('joins continuation lines and strips ExecStart prefixes', () => {
    const settings = parseServiceSettings(
      '[Service]\nExecStart=-/usr/bin/supervisord \\\n  -n -c /etc/supervisor/supervisord.conf\n',
      '/u',
    );
    expect(settings.execStart).toEqual([{ value: '/usr/bin/supervisord -n -c /etc/supervisor/supervisord.conf', file: '/u', line: 2 }]);
  });

  it('orders drop-ins by file name; /etc hides the same name in /lib', () => {
    expect(
      dropInOrder([
        { dir: '/etc/systemd/system/x.service.d', names: ['50-b.conf', 'notes.txt'] },
        { dir: '/run/systemd/system/x.service.d', names: [] },
        { dir: '/lib/systemd/system/x.service.d', names: ['10-a.conf', '50-b.conf'] },
      ]),
    ).toEqual(['/lib/systemd/system/x.service.d/10-a.conf', '/etc/systemd/system/x.service.d/50-b.conf']);
  });
});
