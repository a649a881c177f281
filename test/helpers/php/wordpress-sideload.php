<?php
// WordPress's sideload path (media_handle_sideload(): WP-CLI's `wp media import`, a plugin fetching an
// image), run for real: wp_mkdir_p() makes the year/month directory, then _wp_handle_upload()'s own
// statements for an action other than a browser's upload copy the file in (copy() and unlink(): "rename
// breaks streams") and give it its permissions. WordPress's code from /usr/share/wordpress, evaluated
// as it is; not loaded: the rest of WordPress (no database, no hooks).
// Usage: php wordpress-sideload.php UPLOADS_DIR SUBDIR NAME
require __DIR__ . '/lib.php';
[$_, $uploads, $subdir, $name] = $argv + [null, null, '2026/05', 'import.jpg'];
$wp = getenv('WORDPRESS_DIR') ?: '/usr/share/wordpress';
if (!is_file("$wp/wp-includes/functions.php")) harness_fail("WordPress not found in $wp (Debian package: wordpress)");

eval(harness_function_source("$wp/wp-includes/functions.php", 'wp_is_stream'));
eval(harness_function_source("$wp/wp-includes/functions.php", 'wp_mkdir_p'));
$copy_in = harness_statements("$wp/wp-admin/includes/file.php", "if ( 'wp_handle_upload' === \$action ) {", '}');
$set_permissions = harness_statements("$wp/wp-admin/includes/file.php", '$stat  = stat( dirname( $new_file ) );', 'chmod( $new_file, $perms );');

$dir = "$uploads/$subdir";
if (!wp_mkdir_p($dir)) harness_fail("wp_mkdir_p($dir) failed");
$tmp = tempnam(sys_get_temp_dir(), 'php');
file_put_contents($tmp, "sideload\n");
$file = ['tmp_name' => $tmp];
$new_file = "$dir/$name";
$action = 'wp_handle_sideload';
eval($copy_in);
if (false === $move_new_file) harness_fail("cannot copy the sideload to $new_file");
eval($set_permissions);
harness_report($uploads);
