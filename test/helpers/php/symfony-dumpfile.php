<?php
// Symfony's Filesystem::dumpFile() (Debian's php-symfony-filesystem), as the cache warmer writes
// var/cache files: a temp file in the same directory, chmod, rename over the old file.
// Usage: php symfony-dumpfile.php FILE [CONTENT]
require __DIR__ . '/lib.php';
[$_, $file, $content] = $argv + [null, null, "<?php return [];\n"];
$autoload = getenv('SYMFONY_FILESYSTEM_AUTOLOAD') ?: '/usr/share/php/Symfony/Component/Filesystem/autoload.php';
if (!is_file($autoload)) harness_fail("Symfony Filesystem not found at $autoload (Debian package: php-symfony-filesystem)");
require $autoload;
(new Symfony\Component\Filesystem\Filesystem())->dumpFile($file, $content);
harness_report(dirname($file));
