<?php

declare(strict_types=1);

namespace JustClick;

/**
 * DNS, connect, TLS (including an unverifiable certificate) or I/O failure:
 * the request may or may not have reached the service.
 */
class TransportException extends \RuntimeException implements ExceptionInterface
{
}
