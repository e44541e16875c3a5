<?php

declare(strict_types=1);

namespace JustClick;

/**
 * libjustclick cannot be used from this PHP process: the shared library or
 * its header was not found, the FFI extension is missing or restricted by
 * `ffi.enable`, or the preloaded FFI scope does not exist. The message names
 * the path or setting involved.
 */
class LibraryException extends \RuntimeException implements ExceptionInterface
{
}
