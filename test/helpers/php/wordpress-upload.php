<?php
// WordPress's upload path, run for real: wp_mkdir_p() makes the year/month directory the way
// wp_upload_dir() asks it to, then the upload is moved in and given the permissions
// _wp_handle_upload() gives it. Both are WordPress's own code, taken from /usr/share/wordpress
// (wp_mkdir_p and wp_is_stream from wp-includes/functions.php, the "Set correct file
// permissions" statements from wp-admin/includes/file.php) and evaluated as they are. Stubbed:
// nothing; not loaded: the rest of WordPress (no database, no hooks: wp_mkdir_p calls none).
// Usage: php wordpress-upload.php UPLOADS_DIR SUBDIR NAME
require __DIR__ . '/lib.php';
[$_, $uploads, $subdir, $name] = $argv + [null, null, '2026/05', 'shoe.jpg'];
$wp = getenv('WORDPRESS_DIR') ?: '/usr/share/wordpress';
if (!is_file("$wp/wp-includes/functions.php")) harness_fail("WordPress not found in $wp (Debian package: wordpress)");

eval(harness_function_source("$wp/wp-includes/functions.php", 'wp_is_stream'));
eval(harness_function_source("$wp/wp-includes/functions.php", 'wp_mkdir_p'));
$set_permissions = harness_statements("$wp/wp-admin/includes/file.php", '$stat  = stat( dirname( $new_file ) );', 'chmod( $new_file, $perms );');

$dir = "$uploads/$subdir";
if (!wp_mkdir_p($dir)) harness_fail("wp_mkdir_p($dir) failed");
// The upload as PHP leaves it in its temp dir (0600), then moved in as move_uploaded_file() does
// when the temp dir is on the same file system: a rename, so the file keeps its group.
$tmp = tempnam(sys_get_temp_dir(), 'php');
file_put_contents($tmp, "upload\n");
$new_file = "$dir/$name";
if (!rename($tmp, $new_file)) harness_fail("cannot move the upload to $new_file");
eval($set_permissions);
harness_report($uploads);
