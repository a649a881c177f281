<?php
// Laravel's Illuminate\Filesystem\Filesystem::replace() (Debian's php-illuminate-filesystem),
// as `php artisan package:discover` writes bootstrap/cache/packages.php: a temp file, chmod, rename.
// Usage: php illuminate-replace.php FILE [CONTENT]
require __DIR__ . '/lib.php';
[$_, $file, $content] = $argv + [null, null, "<?php return [];\n"];
$autoload = getenv('ILLUMINATE_AUTOLOAD') ?: '/usr/share/php/Illuminate/Filesystem/autoload.php';
if (!is_file($autoload)) harness_fail("Illuminate Filesystem not found at $autoload (Debian package: php-illuminate-filesystem)");
require $autoload;
(new Illuminate\Filesystem\Filesystem())->replace($file, $content);
harness_report(dirname($file));
