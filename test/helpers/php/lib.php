<?php
// Shared by the harnesses: load real framework source, report what was created.

/**
 * The source of a function as it is in a framework file, found with PHP's own tokenizer:
 * WordPress's functions cannot be loaded by including their files without booting WordPress.
 */
function harness_function_source(string $file, string $name): string
{
    $tokens = token_get_all(file_get_contents($file));
    $count = count($tokens);
    for ($i = 0; $i < $count; $i++) {
        if (!is_array($tokens[$i]) || $tokens[$i][0] !== T_FUNCTION) continue;
        $j = $i + 1;
        while ($j < $count && is_array($tokens[$j]) && $tokens[$j][0] === T_WHITESPACE) $j++;
        if (!is_array($tokens[$j]) || $tokens[$j][1] !== $name) continue;
        $source = '';
        $depth = 0;
        for ($k = $i; $k < $count; $k++) {
            $text = is_array($tokens[$k]) ? $tokens[$k][1] : $tokens[$k];
            $source .= $text;
            if ($text === '{' || (is_array($tokens[$k]) && in_array($tokens[$k][0], [T_CURLY_OPEN, T_DOLLAR_OPEN_CURLY_BRACES], true))) $depth++;
            if ($text === '}' && --$depth === 0) return $source;
        }
    }
    fwrite(STDERR, "harness: no function $name in $file\n");
    exit(3);
}

/** The statements of a file from the line that starts with $first to the line that starts with $last. */
function harness_statements(string $file, string $first, string $last): string
{
    $lines = file($file);
    $out = null;
    foreach ($lines as $line) {
        if ($out === null && trim($line) === $first) $out = '';
        if ($out !== null) {
            $out .= $line;
            if (trim($line) === $last) return $out;
        }
    }
    fwrite(STDERR, "harness: no block '$first' … '$last' in $file\n");
    exit(3);
}

/** Print what is below $dir (itself excluded) as JSON: path (relative), type, mode, uid, gid. */
function harness_report(string $dir, array $extra = []): void
{
    $entries = [];
    $it = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($dir, FilesystemIterator::SKIP_DOTS), RecursiveIteratorIterator::SELF_FIRST);
    foreach ($it as $path => $info) {
        $stat = lstat($path);
        $entries[] = [
            'path' => substr($path, strlen($dir) + 1),
            'type' => is_dir($path) ? 'directory' : 'file',
            'mode' => $stat['mode'] & 07777,
            'uid' => $stat['uid'],
            'gid' => $stat['gid'],
        ];
    }
    usort($entries, fn($a, $b) => strcmp($a['path'], $b['path']));
    echo json_encode(['umask' => umask(), 'entries' => $entries] + $extra), "\n";
}

function harness_fail(string $message): void
{
    fwrite(STDERR, "harness: $message\n");
    exit(3);
}
