import { describe, expect, it } from 'vitest';
import type { IncludeLoader } from '../../../src/discover/located.js';
import { expandSupervisor, parseSupervisorIni, supervisorConfig } from '../../../src/discover/supervisor-config.js';

/** Debian's /etc/supervisor/supervisord.conf, shortened, with an environment= of its own. */
const MAIN = `; supervisor config file

[unix_http_server]
file=/var/run/supervisor.sock   ; (the path to the socket file)
chmod=0700                       ; sockef file mode (default 0700)

[supervisord]
logfile=/var/log/supervisor/supervisord.log ; (main log file;default $CWD/supervisord.log)
environment=APP_ROOT="/srv/shop",QUEUE=default

[include]
files = conf.d/*.conf /etc/supervisor/extra.ini
`;

/** Laravel's documented worker, with ENV_ expansions and a continuation line. */
const WORKER = `[program:laravel-worker]
process_name=%(program_name)s_%(process_num)02d
command=php %(ENV_APP_ROOT)s/artisan queue:work --queue=%(ENV_QUEUE)s
  --sleep=3 --tries=3
directory=%(here)s
user=forge
umask=002
numprocs=8
autostart=true

# a comment
[program:horizon]
command=php %(ENV_HOME)s/artisan horizon ; from supervisord's environment
User = deploy
`;

const files: Record<string, string> = { '/etc/supervisor/conf.d/laravel.conf': WORKER };
const load: IncludeLoader = (pattern) =>
  Object.keys(files)
    .filter((f) => f.startsWith(pattern.replace('*.conf', '')) && f.endsWith('.conf'))
    .map((file) => ({ file, text: files[file]! }));

describe('supervisor configuration', () => {
  it('reads sections as ConfigParser does: comments, inline comments after whitespace, continuation lines', () => {
    const sections = parseSupervisorIni(WORKER, '/w.conf');
    expect(sections.map((s) => [s.name, s.line])).toEqual([
      ['program:laravel-worker', 1],
      ['program:horizon', 12],
    ]);
    expect(sections[0]!.values.command).toEqual({
      value: 'php %(ENV_APP_ROOT)s/artisan queue:work --queue=%(ENV_QUEUE)s\n--sleep=3 --tries=3',
      file: '/w.conf',
      line: 3,
    });
    expect(sections[1]!.values.command?.value).toBe('php %(ENV_HOME)s/artisan horizon');
    expect(sections[1]!.values.user?.value).toBe('deploy');
  });

  it('follows [include] files relative to the main file, and fills %(here)s, %(ENV_X)s and numbers', () => {
    const config = supervisorConfig(MAIN, '/etc/supervisor/supervisord.conf', load, { HOME: '/home/deploy' });
    expect(config.programs.map((p) => p.name)).toEqual(['laravel-worker', 'horizon']);
    const [worker, horizon] = config.programs;
    expect(worker).toMatchObject({
      file: '/etc/supervisor/conf.d/laravel.conf',
      line: 1,
      directory: { value: '/etc/supervisor/conf.d', line: 5 },
      user: { value: 'forge', line: 6 },
      umask: { value: 0o002, line: 7 },
      unexpanded: [],
    });
    expect(worker!.command?.value).toBe('php /srv/shop/artisan queue:work --queue=default\n--sleep=3 --tries=3');
    expect(horizon!.command?.value).toBe('php /home/deploy/artisan horizon');
    expect(horizon!.umask).toBeUndefined();
  });

  it('lists what it could not fill in, leaving it as written', () => {
    const config = supervisorConfig('[program:x]\ncommand=%(ENV_NOPE)s/run\n', '/etc/supervisord.conf', load, {});
    expect(config.programs[0]).toMatchObject({ command: { value: '%(ENV_NOPE)s/run' }, unexpanded: ['ENV_NOPE'] });
  });

  it('formats numbers as Python does', () => {
    expect(expandSupervisor('%(program_name)s_%(process_num)02d %%', { program_name: 'w', process_num: '3' }).text).toBe('w_03 %');
  });
});
