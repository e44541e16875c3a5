<?php

/**
 * Autoloader for the JustClick PHP library, for projects without Composer:
 *
 *     require '/path/to/bindings/php/autoload.php';
 *
 * (With Composer, the repository's composer.json maps the namespace JustClick\ to src/JustClick/.)
 */

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    if (strncmp($class, 'JustClick\\', 10) !== 0) {
        return;
    }
    $file = __DIR__ . '/src/JustClick/' . str_replace('\\', '/', substr($class, 10)) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
