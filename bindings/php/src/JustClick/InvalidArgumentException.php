<?php

declare(strict_types=1);

namespace JustClick;

/**
 * An argument was rejected before any network traffic: a bad login, option,
 * status, e-mail, method name, a string containing a NUL byte, a value that
 * cannot be JSON-encoded (invalid UTF-8, INF, NAN), an unknown UpdateGood
 * field, a key PHP would mangle, ...
 *
 * (Arguments of the wrong PHP type, e.g. `null` where a `string` is
 * required, are PHP's own \TypeError instead, raised by the type system;
 * see {@see Client}.)
 */
class InvalidArgumentException extends \InvalidArgumentException implements ExceptionInterface
{
}
