<?php

declare(strict_types=1);

namespace JustClick;

/**
 * The body was not a JustClick answer: not JSON (e.g. an HTML error page with
 * status 200), missing fields, truncated, or larger than `max_response_bytes`.
 */
class BadResponseException extends \RuntimeException implements ExceptionInterface
{
}
