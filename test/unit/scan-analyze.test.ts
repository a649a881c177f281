import { describe, expect, it } from 'vitest';
import { analyzePhp } from '../../src/scan/analyze.js';
import { mentionsModeNames, modeAnchors } from '../../src/scan/prefilter.js';
import { decodeSource } from '../../src/scan/read.js';
import { skeleton } from '../../src/scan/skeleton.js';
import type { ModeSite } from '../../src/scan/types.js';

/** The sites of a snippet, as the scan would find them in `file`. */
function sites(code: string, file = 'app/x.php'): Omit<ModeSite, 'package'>[] {
  const anchors = modeAnchors(code);
  if (!anchors) return [];
  return analyzePhp(code, file, anchors).sites;
}

const oct = (mode: number) => mode.toString(8).padStart(4, '0');
const brief = (s: Omit<ModeSite, 'package'>) => `${s.line} ${s.call} ${oct(s.mode)} ${s.origin} ${s.effect.kind} ${s.applies}`;

describe('calls with a literal mode', () => {
  it('chmod with a literal is a site: exactly that mode, the umask plays no part', () => {
    const [site] = sites(`<?php\nfunction save($file) {\n  file_put_contents($file, 'x');\n  chmod($file, 0644);\n}\n`);
    expect(site).toMatchObject({ line: 4, column: 3, call: 'chmod', mode: 0o644, origin: 'literal', applies: 'file', guessed: false });
    expect(site!.effect).toEqual({ kind: 'chmod' });
  });

  it('says whether a chmod is of a file or a directory from the code, else guesses from names and the mode', () => {
    const code = `<?php
function a($d) { mkdir($d); chmod($d, 0750); }
chmod("$site_dir/$newfile", 0777);
chmod($cacheDir, 0770);
chmod(__DIR__ . '/config.php', 0600);
chmod($x, 0700);
chmod($y, 0640);`;
    expect(sites(code).map((s) => `${s.applies}${s.guessed ? '?' : ''}`)).toEqual([
      'directory',
      'file?',
      'directory?',
      'file?',
      'directory?',
      'file?',
    ]);
  });

  it('reads every PHP spelling of the literal and of the call', () => {
    const found = sites(`<?php @\\chmod($a, 0o640); chmod($b, 0_664); chmod($c, octdec('755')); chmod($d, intval('700', 8));`);
    expect(found.map((s) => oct(s.mode))).toEqual(['0640', '0664', '0755', '0700']);
  });

  it('a mode computed from umask() follows the umask: not reported', () => {
    const code = `<?php
      chmod($f, 0666 & ~umask());
      chmod($t, 0777 - umask());
      self::box('chmod', $tmp, fileperms($f) ?: 0666 & ~umask());
      mkdir($d, 0777 & ~umask(), true);`;
    expect(sites(code)).toEqual([]);
  });

  it('mkdir asking for the default 0777 leaves it to the umask; a narrower request is reported', () => {
    const found = sites(`<?php mkdir($a); mkdir($b, 0777, true); mkdir($c, 0700);`);
    expect(found.map(brief)).toEqual(['1 mkdir 0700 literal create directory']);
  });

  it('umask(0) makes what follows in the function exact, until the umask is restored', () => {
    const code = `<?php
function make($dir, $file) {
  $old = umask(0);
  mkdir($dir, 0775);
  touch($file);
  umask($old);
  mkdir($dir . '/b', 0775);
}`;
    const found = sites(code);
    expect(found.map(brief)).toEqual([
      '3 umask 0000 literal umask umask',
      '4 mkdir 0775 literal create-forced directory',
      '5 touch 0666 literal create-forced file',
      '7 mkdir 0775 literal create directory',
    ]);
    expect(found[1]!.effect).toEqual({ kind: 'create-forced', umask: 0 });
  });
});

describe('modes that come through a name', () => {
  it("Smarty's case: a variable whose fallback is a literal, then chmod", () => {
    const code = `<?php
class Smarty_Internal_Runtime_WriteFile {
  public function writeFile($_filepath, $_contents, Smarty $smarty) {
    $_file_perms = property_exists($smarty, '_file_perms') ? $smarty->_file_perms : 0644;
    $_dir_perms = property_exists($smarty, '_dir_perms') ? (isset($smarty->_dir_perms) ? $smarty->_dir_perms : 0777) : 0771;
    if ($_file_perms !== null) { $old_umask = umask(0); }
    @mkdir(dirname($_filepath), $_dir_perms, true);
    chmod($_filepath, $_file_perms);
    umask($old_umask);
  }
}`;
    const found = sites(code);
    expect(found.map(brief)).toEqual([
      '6 umask 0000 literal umask umask',
      '7 mkdir 0771 variable create-forced directory',
      '8 chmod 0644 variable chmod file',
    ]);
    expect(found[1]).toMatchObject({ via: '$_dir_perms', alternatives: [0o777], valueLine: 5 });
    expect(found[2]).toMatchObject({ via: '$_file_perms', valueLine: 4, guessed: true });
  });

  it('a variable assigned something the scan cannot tell is not a hard-coded mode (wp_mkdir_p)', () => {
    const code = `<?php
function wp_mkdir_p($target) {
  $stat = @stat(dirname($target));
  if ($stat) { $dir_perms = $stat['mode'] & 0007777; } else { $dir_perms = 0777; }
  mkdir($target, $dir_perms, true);
  chmod($target, $dir_perms);
}`;
    expect(sites(code)).toEqual([]);
  });

  it('a parameter default is what callers get when they pass no mode (Illuminate makeDirectory)', () => {
    const code = `<?php
class Filesystem {
  public function makeDirectory($path, $mode = 0755, $recursive = false) {
    return mkdir($path, $mode, $recursive);
  }
  public function chmod($path, $mode = null) { return chmod($path, $mode); }
}`;
    const [site, ...rest] = sites(code);
    expect(rest).toEqual([]);
    expect(site).toMatchObject({ call: 'mkdir', mode: 0o755, origin: 'parameter', via: '$mode', valueLine: 3 });
  });

  it('a property default, a class constant and a define() of the same file', () => {
    const code = `<?php
define('CACHE_MODE', 0660);
class Cache {
  const DIR_MODE = 0750;
  protected $filePerms = 0640;
  function write($file) { chmod($file, $this->filePerms); }
  function dir($d) { mkdir($d, self::DIR_MODE); }
  function other($f) { chmod($f, CACHE_MODE); }
}`;
    expect(sites(code).map((s) => `${s.line} ${oct(s.mode)} ${s.origin} ${s.via}`)).toEqual([
      '6 0640 property $this->filePerms',
      '7 0750 constant self::DIR_MODE',
      '8 0660 constant CACHE_MODE',
    ]);
  });

  it('a property also assigned a value the scan cannot tell is not fixed', () => {
    const code = `<?php class C { private $perms = 0644;
      function __construct($o) { $this->perms = $o['perms']; }
      function w($f) { chmod($f, $this->perms); } }`;
    expect(sites(code)).toEqual([]);
  });
});

describe('framework methods', () => {
  it('Symfony chmod($files, $mode, $umask) narrows by its third argument; Illuminate makeDirectory', () => {
    const code = `<?php
$fs->chmod($dir, 0777, 0022);
$files->makeDirectory(storage_path('app/cache'), 0700, true);
File::ensureDirectoryExists($p, 0750);
$fs->mkdir($d, 0777);`;
    const found = sites(code);
    expect(found.map(brief)).toEqual([
      '2 ->chmod 0755 literal chmod directory',
      '3 ->makeDirectory 0700 literal create directory',
      '4 ::ensureDirectoryExists 0750 literal create directory',
    ]);
    expect(found[1]!.target).toEqual({ base: 'root', path: 'storage/app/cache' });
  });

  it("a class's own chmod() or mkdir() that sets no mode here (an FTP client's) is not a site; one that calls chmod() is", () => {
    // Bodies of other methods long enough to be left out of the parse: the methods named chmod stay.
    const filler = `  function other() { $a = [${'1, '.repeat(40)}]; return $a; }\n`;
    const ftp = `<?php
class ftp_base {
${filler}  function chmod($pathname, $mode) { return $this->site(sprintf('CHMOD %o %s', $mode, $pathname), "chmod"); }
  function mkdir($pathname) { return $this->exec("MKD " . $pathname); }
${filler}  function mmkdir($dir, $mode = 0777) {
    $r = $this->mkdir($dir, $mode);
    $this->chmod($dir, 0700);
    return $r;
  }
}
class direct {
${filler}  function chmod($file, $mode = false) { return chmod($file, $mode); }
  function fix($file) { $this->chmod($file, 0600); $this->fs->chmod($file, 0640); }
}
class child extends ftp_base {
  function put($file) { $this->chmod($file, 0604); }
}`;
    expect(sites(ftp).map(brief)).toEqual([
      '16 ->chmod 0600 literal chmod file',
      '16 ->chmod 0640 literal chmod file',
      '19 ->chmod 0604 literal chmod file',
    ]);
  });

  it("Monolog's filePermission, positional or named, is a chmod of the log file", () => {
    const code = `<?php
$a = new StreamHandler(__DIR__ . '/../var/log/app.log', Logger::DEBUG, true, 0664);
$b = new Monolog\\Handler\\RotatingFileHandler($path, 7, Logger::INFO, filePermission: 0640);`;
    const found = sites(code, 'src/logging.php');
    expect(found.map(brief)).toEqual(['2 new StreamHandler 0664 setting chmod file', '3 new RotatingFileHandler 0640 setting chmod file']);
    expect(found[0]!.target).toEqual({ base: 'root', path: 'var/log/app.log' });
  });
});

describe('settings', () => {
  it("WordPress's FS_CHMOD_FILE and FS_CHMOD_DIR in wp-config.php", () => {
    const code = `<?php\ndefine( 'DB_NAME', 'wp' );\ndefine( 'FS_CHMOD_FILE', 0644 );\ndefine( 'FS_CHMOD_DIR', ( 0755 & ~ umask() ) );\n`;
    expect(sites(code, 'wp-config.php').map(brief)).toEqual(["3 define('FS_CHMOD_FILE') 0644 setting chmod file"]);
  });

  it("Drupal's file_chmod_* in settings.php", () => {
    const code = `<?php\n$settings['file_chmod_directory'] = 0775;\n$settings['file_chmod_file'] = 0664;\n`;
    expect(sites(code, 'sites/default/settings.php').map(brief)).toEqual([
      "2 $settings['file_chmod_directory'] 0775 setting chmod directory",
      "3 $settings['file_chmod_file'] 0664 setting chmod file",
    ]);
  });

  it("Laravel's disk permissions and a channel's permission, with the path they apply to", () => {
    const code = `<?php
return [
  'disks' => [
    'public' => [
      'driver' => 'local',
      'root' => storage_path('app/public'),
      'permissions' => [
        'file' => ['public' => 0664, 'private' => 0600],
        'dir' => ['public' => 0775, 'private' => 0700],
      ],
    ],
  ],
  'channels' => ['daily' => ['driver' => 'daily', 'path' => storage_path('logs/laravel.log'), 'permission' => 0664]],
  'acl' => ['permission' => 1],
];`;
    const found = sites(code, 'config/filesystems.php');
    expect(found.map((s) => `${s.line} ${s.call} ${oct(s.mode)} ${s.applies} ${s.target?.path}`)).toEqual([
      "8 'permissions' => file.public 0664 file storage/app/public",
      "8 'permissions' => file.private 0600 file storage/app/public",
      "9 'permissions' => dir.public 0775 directory storage/app/public",
      "9 'permissions' => dir.private 0700 directory storage/app/public",
      "13 'permission' => 0664 file storage/logs/laravel.log",
    ]);
  });

  it("Smarty's own settings: $smarty->_file_perms", () => {
    expect(sites(`<?php $smarty = new Smarty(); $smarty->_file_perms = 0664; $smarty->_dir_perms = 0775;`).map(brief)).toEqual([
      '1 ->_file_perms 0664 setting chmod file',
      '1 ->_dir_perms 0775 setting chmod directory',
    ]);
  });
});

describe('what the parser sees', () => {
  it('lines stay right when the bodies of other functions are left out of the parse', () => {
    const filler = Array.from(
      { length: 40 },
      (_, i) => `/** doc ${i} */\nfunction f${i}($a) {\n  $x = [${'1, '.repeat(30)}];\n  return strlen("{$a['k']}") + ${i};\n}\n`,
    ).join('');
    const code = `<?php\n${filler}function last($f) {\n  chmod($f, 0600);\n}\n`;
    const line = code.split('\n').findIndex((l) => l.includes('chmod')) + 1;
    expect(sites(code).map((s) => [s.line, s.column])).toEqual([[line, 3]]);
  });

  it('names and literals in comments are not sites', () => {
    const code = `<?php\n// chmod($f, 0644);\n/* mkdir($d, 0700) */\n# umask(0)\n$a = '0644';\n`;
    expect(modeAnchors(code)).toBeDefined();
    expect(analyzePhp(code, 'x.php', modeAnchors(code)!)).toEqual({ parsed: false, sites: [] });
    const inString = `<?php $help = "use chmod($f, 0600) to fix";`;
    expect(analyzePhp(inString, 'x.php', modeAnchors(inString)!).sites).toEqual([]);
  });

  it('code around HTML, heredoc and nowdoc is read as PHP reads it', () => {
    const code = `<html><?xml version="1.0"?> { <?php function a() { $s = <<<EOT\n  } {$x['y']} }\n  EOT;\n  $n = <<<'N'\n}}}\nN;\n} ?>\n<p>{</p>\n<?php\nfunction b($d) { mkdir($d, 0750); }\n`;
    expect(sites(code).map((s) => `${s.line} ${s.call} ${oct(s.mode)}`)).toEqual(['10 mkdir 0750']);
  });

  it('a function that cannot matter is left out whole, with its attributes and doc comment; lines stay right', () => {
    const code = `<?php
class A {
  #[\\ReturnTypeWillChange]
  #[Route('/a/path/long/enough/to/have/been/taken/for/an/array/literal/once', name: 'other')]
  public static function other($x = [1, 2, 3]) { return $x; }
  /** Saves. */
  final protected function save($f) { chmod($f, 0640); }
}
`;
    const parsed = skeleton(code, modeAnchors(code)!)!.code;
    expect(parsed).not.toMatch(/other|Route|ReturnTypeWillChange|Saves/);
    expect(parsed).toMatch(/final protected function save\(\$f\) \{ chmod\(\$f, 0640\); \}/);
    const analysis = analyzePhp(code, 'x.php', modeAnchors(code)!);
    expect(analysis.syntaxError).toBeUndefined();
    expect(analysis.sites.map((s) => `${s.line}:${s.column} ${oct(s.mode)}`)).toEqual(['7:39 0640']);
  });

  it('an attribute is not an array literal: a long one stays, and the rest still parses without the whole file', () => {
    const attribute = '#[Attribute(Attribute::TARGET_CLASS | Attribute::TARGET_METHOD | Attribute::IS_REPEATABLE)]';
    const code = `<?php
${attribute}
class Perms { const MODE = 0640; function save($f) { chmod($f, self::MODE); } }
`;
    expect(skeleton(code, modeAnchors(code)!)!.code).toContain(attribute);
    expect(sites(code).map((s) => `${s.line} ${oct(s.mode)} ${s.via}`)).toEqual(['3 0640 self::MODE']);
  });

  it('a function whose sites no literal can reach is left out; a file where none can is not parsed', () => {
    const wrappers = `<?php
class Fs {
  public function mkdir($dir, $mode) { return mkdir($dir, $mode, true); }
  public function chmod($file, $mode) { return chmod($file, $mode); }
  public function cache() { return sys_get_temp_dir() . '/0755'; }
}
`;
    expect(analyzePhp(wrappers, 'x.php', modeAnchors(wrappers)!)).toEqual({ parsed: false, sites: [] });
    // A literal only in a comment or a string cannot be a mode either.
    const commented = `<?php
// chmod it 0644 by hand
function fix($f, $m) { chmod($f, $m); }
`;
    expect(analyzePhp(commented, 'x.php', modeAnchors(commented)!)).toEqual({ parsed: false, sites: [] });
    const mixed = `<?php
function wrap($d, $m) { mkdir($d, $m); }
function fixed($f) { chmod($f, 0600); }
`;
    expect(skeleton(mixed, modeAnchors(mixed)!)!.code).not.toContain('wrap');
    expect(sites(mixed).map((s) => `${s.line} ${oct(s.mode)}`)).toEqual(['3 0600']);
    // mkdir($dir, 0777) asks for the default: that literal reaches nothing, unless a umask() fixes the umask first.
    const defaults = `<?php\nfunction cache($d) { @mkdir(dirname($d) . '/a,b', 0777, true); chmod($d, $m); }\n`;
    expect(analyzePhp(defaults, 'x.php', modeAnchors(defaults)!)).toEqual({ parsed: false, sites: [] });
    const forced = `<?php\nfunction cache($d) { $old = umask(0); mkdir($d, 0777); umask($old); }\n`;
    expect(sites(forced).map((s) => `${s.call} ${oct(s.mode)} ${s.effect.kind}`)).toEqual(['umask 0000 umask', 'mkdir 0777 create-forced']);
    // A class constant or property default is outside every function: any method may read it.
    const constant = `<?php
class C {
  const MODE = 0640;
  function save($f) { chmod($f, self::MODE); }
}
`;
    expect(sites(constant).map((s) => `${s.line} ${oct(s.mode)}`)).toEqual(['4 0640']);
  });

  it('a syntax error is reported, and the sites of the rest of the file are still found', () => {
    const code = `<?php\nfunction broken( {\n}\nfunction ok($f) { chmod($f, 0640); }\n`;
    const analysis = analyzePhp(code, 'x.php', modeAnchors(code)!);
    expect(analysis.syntaxError?.line).toBe(2);
    expect(analysis.sites.map((s) => `${s.line} ${oct(s.mode)}`)).toEqual(['4 0640']);
  });
});

describe('prefilter', () => {
  it('files without any mode name are never decoded or parsed', () => {
    expect(mentionsModeNames(Buffer.from('<?php echo "hello";'))).toBe(false);
    for (const name of [
      'chmod',
      'mkdir',
      'umask',
      'FS_CHMOD_FILE',
      'file_chmod_file',
      "'permissions'",
      'filePermission',
      '_file_perms',
      'makeDirectory',
    ])
      expect(mentionsModeNames(Buffer.from(`<?php ${name}`)), name).toBe(true);
  });

  it('the text of a source: ASCII and UTF-8 as they are, anything else as Latin-1 with a note', () => {
    expect(decodeSource(Buffer.from('<?php chmod($f, 0644);'), 'a.php')).toEqual({ code: '<?php chmod($f, 0644);' });
    expect(decodeSource(Buffer.from('\ufeff<?php // café\n'), 'b.php')).toEqual({ code: '\ufeff<?php // café\n' });
    const latin1 = decodeSource(Buffer.from([0x3c, 0x3f, 0x20, 0xe9, 0x0a]), 'c.php');
    expect(latin1.code).toBe('<? é\n');
    expect(latin1.note).toMatchObject({ file: 'c.php', reason: 'not-utf8' });
    // Overlong and surrogate encodings are not UTF-8 either.
    expect(decodeSource(Buffer.from([0xc0, 0xaf]), 'd.php').note?.reason).toBe('not-utf8');
    expect(decodeSource(Buffer.from([0xed, 0xa0, 0x80]), 'e.php').note?.reason).toBe('not-utf8');
  });

  it('a name without anything that can be a mode is not parsed', () => {
    expect(modeAnchors('<?php mkdir($dir, $mode, true);')).toBeUndefined();
    expect(modeAnchors('<?php mkdir($dir, 0755, true);')).toBeDefined();
    expect(modeAnchors('<?php umask(0);')).toBeDefined();
  });
});
