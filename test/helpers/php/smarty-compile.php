<?php
// Smarty 3 (Debian's smarty3, /usr/share/php/smarty3) compiles a template into a compile dir
// that does not exist yet, exactly as a page request would: the compiled file and its
// directories are written by Smarty_Internal_Runtime_WriteFile. Nothing stubbed.
// Usage: php smarty-compile.php WORK_DIR
require __DIR__ . '/lib.php';
$work = $argv[1] ?? harness_fail('usage: smarty-compile.php WORK_DIR');
$smarty3 = getenv('SMARTY_DIR') ?: '/usr/share/php/smarty3';
if (!is_file("$smarty3/Smarty.class.php")) harness_fail("Smarty 3 not found in $smarty3 (Debian package: smarty3)");
require "$smarty3/Smarty.class.php";

$templates = "$work/templates";
@mkdir($templates, 0777, true);
file_put_contents("$templates/page.tpl", "Hello {\$name}\n");
$smarty = new Smarty();
$smarty->setTemplateDir($templates);
$smarty->setCompileDir("$work/compiled");
$smarty->setCacheDir("$work/cache");
// Sub directories per template, as shops configure it: Smarty then creates directories too.
$smarty->use_sub_dirs = true;
$smarty->assign('name', 'world');
$out = $smarty->fetch('page.tpl');
if (trim($out) !== 'Hello world') harness_fail("unexpected output: $out");
harness_report("$work/compiled");
